// The C API's registries (since 1.3): pull, push, login and logout, with a progress callback
// called on the calling thread; a nonzero return from it cancels the transfer.
#include <csignal>

#include "internal.h"
#include "mydocker/image_store.h"
#include "mydocker/pull.h"
#include "mydocker/registry_credentials.h"

using namespace mydocker::capi;  // NOLINT(build/namespaces)

namespace {

// One transfer's options and its cancel flag, set when the callback returns nonzero.
struct Transfer {
  mydocker::PullOptions options;
  std::string config_path;
  mydocker_progress_fn progress = nullptr;
  void* progress_data = nullptr;
  volatile std::sig_atomic_t cancel = 0;
  mydocker::ProgressThrottle throttle;

  // Passes one event to the callback (none once it asked to cancel; byte counts thinned out).
  void Report(int kind, const char* status, const std::string& id, int64_t current, int64_t total,
              const std::string& from) {
    if (progress == nullptr || cancel != 0) return;
    bool bytes = kind == MYDOCKER_PROGRESS_DOWNLOADING || kind == MYDOCKER_PROGRESS_PUSHING;
    if (!throttle.Allow(id, current, total, bytes)) return;
    mydocker_progress_t event;
    std::memset(&event, 0, sizeof event);
    event.size = sizeof event;
    event.kind = kind;
    event.status = status;
    event.id = id.c_str();
    event.current = current;
    event.total = total;
    event.from = from.c_str();
    if (progress(&event, progress_data) != 0) cancel = 1;
  }

  // The error a cancelled transfer reports, whatever step noticed it.
  absl::Status Result(absl::Status status) const {
    if (cancel == 0 || status.ok()) return status;
    return absl::CancelledError("cancelled by the progress callback: nothing was stored");
  }
};

absl::StatusOr<std::unique_ptr<Transfer>> MakeTransfer(const mydocker_registry_options_t* in) {
  auto t = std::make_unique<Transfer>();
  t->options = mydocker::TransferOptionsFromEnvironment();
  t->config_path = mydocker::registry::DefaultCredentialsPath();
  if (in != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(mydocker_registry_options_t o,
                              CopySized(in, "mydocker_registry_options_t"));
    t->options.platform = Str(o.platform);
    if (o.insecure_registries != nullptr) t->options.insecure_registries = o.insecure_registries;
    t->options.certs_dir = Str(o.certs_dir);
    if (o.config_path != nullptr) t->config_path = o.config_path;
    t->progress = o.progress;
    t->progress_data = o.progress_data;
  }
  t->options.cancel = &t->cancel;
  return t;
}

// A transfer of `ref` with the credentials stored for its registry.
absl::StatusOr<std::unique_ptr<Transfer>> MakeImageTransfer(
    mydocker_runtime_t* runtime, const char* ref, const mydocker_registry_options_t* options) {
  MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
  MYDOCKER_RETURN_IF_ERROR(Require(ref, "image reference"));
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Transfer> t, MakeTransfer(options));
  MYDOCKER_RETURN_IF_ERROR(mydocker::AddStoredCredentials(ref, t->config_path, &t->options));
  return t;
}

static_assert(MYDOCKER_PROGRESS_PULL_COMPLETE - MYDOCKER_PROGRESS_RESOLVED ==
              mydocker::PullEvent::kLayerDone - mydocker::PullEvent::kResolved);
static_assert(MYDOCKER_PROGRESS_PUSHED - MYDOCKER_PROGRESS_PREPARING ==
              mydocker::PushEvent::kPushed - mydocker::PushEvent::kPreparing);

int PullKind(mydocker::PullEvent::Kind kind) {
  return MYDOCKER_PROGRESS_RESOLVED + static_cast<int>(kind - mydocker::PullEvent::kResolved);
}

int PushKind(mydocker::PushEvent::Kind kind) {
  return MYDOCKER_PROGRESS_PREPARING + static_cast<int>(kind - mydocker::PushEvent::kPreparing);
}

}  // namespace

extern "C" {

int mydocker_image_pull(mydocker_runtime_t* runtime, const char* ref,
                        const mydocker_registry_options_t* options, char** image_id,
                        mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Transfer> t,
                              MakeImageTransfer(runtime, ref, options));
    auto result = runtime->runtime->images().Pull(ref, t->options, [&](const auto& e) {
      t->Report(PullKind(e.kind), mydocker::PullEventStatus(e.kind), e.layer, e.current, e.total,
                "");
    });
    MYDOCKER_RETURN_IF_ERROR(t->Result(result.status()));
    if (image_id != nullptr) *image_id = CopyString(result->image.id);
    return absl::OkStatus();
  });
}

int mydocker_image_push(mydocker_runtime_t* runtime, const char* ref,
                        const mydocker_registry_options_t* options, char** digest,
                        mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Transfer> t,
                              MakeImageTransfer(runtime, ref, options));
    auto result = runtime->runtime->images().Push(ref, t->options, [&](const auto& e) {
      t->Report(PushKind(e.kind), mydocker::PushEventStatus(e.kind), e.layer, e.current, e.total,
                e.from);
    });
    MYDOCKER_RETURN_IF_ERROR(t->Result(result.status()));
    if (digest != nullptr) *digest = CopyString(result->digest);
    return absl::OkStatus();
  });
}

int mydocker_login(mydocker_runtime_t* runtime, const char* server, const char* username,
                   const char* password, const mydocker_registry_options_t* options,
                   mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(username, "username"));
    MYDOCKER_RETURN_IF_ERROR(Require(password, "password"));
    MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Transfer> t, MakeTransfer(options));
    t->options.username = username;
    t->options.password = password;
    return mydocker::LoginToRegistry(Str(server), t->options, t->config_path);
  });
}

int mydocker_logout(mydocker_runtime_t* runtime, const char* server,
                    const mydocker_registry_options_t* options, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Transfer> t, MakeTransfer(options));
    MYDOCKER_ASSIGN_OR_RETURN(std::string domain, mydocker::registry::RegistryDomain(Str(server)));
    MYDOCKER_ASSIGN_OR_RETURN(bool erased,
                              mydocker::registry::EraseCredentials(t->config_path, domain));
    if (!erased) return absl::NotFoundError(absl::StrCat("not logged in to ", domain));
    return absl::OkStatus();
  });
}

}  // extern "C"
