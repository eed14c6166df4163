// What every face of the runtime (mydocker-registry, the C API, Python) shares about a pull or
// push: Docker's words for its events, the options the environment sets and the stored
// credentials.
#include <cstdlib>

#include "mydocker/pull.h"
#include "mydocker/registry_credentials.h"
#include "mydocker/status_macros.h"
#include "registry/remote_reference.h"

namespace mydocker {
namespace {

std::string EnvString(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

long EnvPositive(const char* name, long fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  long n = std::strtol(value, nullptr, 10);
  return n > 0 ? n : fallback;
}

}  // namespace

bool ProgressThrottle::Allow(const std::string& layer, int64_t current, int64_t total, bool bytes) {
  if (!bytes) return true;
  auto now = std::chrono::steady_clock::now();
  auto [it, first] = last_.try_emplace(layer, now);
  if (first || current >= total || now - it->second >= interval_) {
    it->second = now;
    return true;
  }
  return false;
}

const char* PullEventStatus(PullEvent::Kind kind) {
  switch (kind) {
    case PullEvent::kResolved:
      return "Resolved";
    case PullEvent::kLayerExists:
      return "Already exists";
    case PullEvent::kLayerWaiting:
      return "Pulling fs layer";
    case PullEvent::kDownloading:
      return "Downloading";
    case PullEvent::kDownloaded:
      return "Download complete";
    case PullEvent::kExtracting:
      return "Extracting";
    case PullEvent::kLayerDone:
      return "Pull complete";
  }
  return "";
}

const char* PushEventStatus(PushEvent::Kind kind) {
  switch (kind) {
    case PushEvent::kPreparing:
      return "Preparing";
    case PushEvent::kExists:
      return "Layer already exists";
    case PushEvent::kMounted:
      return "Mounted from";
    case PushEvent::kPushing:
      return "Pushing";
    case PushEvent::kPushed:
      return "Pushed";
  }
  return "";
}

PullOptions TransferOptionsFromEnvironment() {
  PullOptions options;
  options.insecure_registries = EnvString("MYDOCKER_INSECURE_REGISTRIES");
  options.stall_seconds = EnvPositive("MYDOCKER_REGISTRY_STALL_TIMEOUT", options.stall_seconds);
  options.connect_timeout_seconds =
      EnvPositive("MYDOCKER_REGISTRY_CONNECT_TIMEOUT", options.connect_timeout_seconds);
  options.chunk_size = EnvPositive("MYDOCKER_PUSH_CHUNK_SIZE", options.chunk_size);
  return options;
}

absl::Status AddStoredCredentials(absl::string_view ref, const std::string& credentials_path,
                                  PullOptions* options) {
  MYDOCKER_ASSIGN_OR_RETURN(registry::RemoteReference remote, registry::ParseRemoteReference(ref));
  MYDOCKER_ASSIGN_OR_RETURN(std::optional<registry::Credentials> stored,
                            registry::LoadCredentials(credentials_path, remote.domain));
  if (stored.has_value()) {
    options->username = stored->username;
    options->password = stored->password;
  }
  return absl::OkStatus();
}

bool TransferCancelled(const PullOptions& options) {
  return options.cancel != nullptr && *options.cancel != 0;
}

}  // namespace mydocker
