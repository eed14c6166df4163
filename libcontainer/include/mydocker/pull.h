// Pulling an image from a registry into an ImageStore (ImageStore::Pull). See docs/registries.md.
#ifndef MYDOCKER_PULL_H_
#define MYDOCKER_PULL_H_

#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/image_store.h"

namespace mydocker {

struct PullOptions {
  // "os/arch[/variant]" chosen from a manifest list or index; "" is this machine's (linux/amd64).
  std::string platform;
  int parallel = 3;  // layers downloaded at once
  // Per-registry CA certificates: <certs_dir>/<host[:port]>/ca.crt ("" the default,
  // /etc/mydocker/certs.d, or $MYDOCKER_CERTS_D).
  std::string certs_dir;
  // Comma-separated registries reached over plain HTTP (loopback hosts always are).
  std::string insecure_registries;
  long connect_timeout_seconds = 30;
  long stall_seconds = 60;  // a transfer slower than 1 KiB/s for this long fails
  // Set (by a signal handler) to stop: the pull then fails with Cancelled, storing nothing.
  const volatile std::sig_atomic_t* cancel = nullptr;
  // Credentials for the registry (basic auth, or sent to its token server); none when empty.
  std::string username, password;
  // Push: a blob larger than this is uploaded in chunks of this size (PATCH), else in one PUT.
  int64_t chunk_size = 16 << 20;
};

// Push takes the same options (platform and parallel are not used).
using PushOptions = PullOptions;

// What a push reports, per layer (`layer` the short id of its diff id, 12 hex digits).
struct PushEvent {
  enum Kind {
    kPreparing,
    kExists,   // the registry has it ("Layer already exists")
    kMounted,  // mounted from `from`, a repository of the same registry
    kPushing,  // `current` of `total` bytes sent
    kPushed,
  };
  Kind kind;
  std::string layer;
  int64_t current = 0;
  int64_t total = 0;
  std::string from;
};

struct PushResult {
  std::string repository;  // as Docker prints it: "127.0.0.1:5000/app", "docker.io/library/x"
  std::string tag;
  std::string digest;  // of the manifest pushed
  int64_t size = 0;    // of the manifest pushed
};

using PushProgress = std::function<void(const PushEvent&)>;

// What a pull reports as it goes. `layer` is the short id (12 hex digits) of the layer's
// compressed blob, empty for events about the whole image.
struct PullEvent {
  enum Kind {
    kResolved,      // the manifest is known: `layer` empty, `total` = number of layers
    kLayerExists,   // already stored: not fetched
    kLayerWaiting,  // to be downloaded ("Pulling fs layer")
    kDownloading,   // `current` of `total` bytes
    kDownloaded,    // verified ("Download complete")
    kExtracting,
    kLayerDone,  // unpacked and its diff id verified ("Pull complete")
  };
  Kind kind;
  std::string layer;
  int64_t current = 0;
  int64_t total = 0;
};

struct PullResult {
  Image image;
  std::string reference;  // as the store names it: "busybox:latest", "host:5000/app@sha256:..."
  std::string full_reference;  // as Docker prints it: "docker.io/library/busybox:latest"
  std::string tag_or_digest;   // "latest" or "sha256:..."
  std::string repository;      // "library/busybox"
  std::string digest;          // the manifest's (or manifest list's) digest
  bool downloaded = false;     // false: the image was already stored ("Image is up to date")
};

using PullProgress = std::function<void(const PullEvent&)>;

// Docker's words for an event: "Pulling fs layer", "Downloading", "Download complete",
// "Extracting", "Pull complete", "Already exists" ("Resolved" for kResolved).
const char* PullEventStatus(PullEvent::Kind kind);
// "Preparing", "Layer already exists", "Mounted from" (the repository is the event's `from`),
// "Pushing", "Pushed".
const char* PushEventStatus(PushEvent::Kind kind);

// Thins a transfer's events out for a caller's callback (the C API's, Python's): a byte count
// ("Downloading", "Pushing") of a layer passes at most once per `interval` for that layer, and
// always when it is the layer's last (current == total); every other event passes. Not
// thread-safe: one per transfer, used on the thread that delivers its events.
class ProgressThrottle {
 public:
  explicit ProgressThrottle(std::chrono::milliseconds interval = std::chrono::milliseconds(100))
      : interval_(interval) {}
  bool Allow(const std::string& layer, int64_t current, int64_t total, bool bytes);

 private:
  std::chrono::milliseconds interval_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_;
};

// The options the environment sets for every transfer, as the CLI takes them:
// $MYDOCKER_INSECURE_REGISTRIES, $MYDOCKER_REGISTRY_STALL_TIMEOUT and
// $MYDOCKER_REGISTRY_CONNECT_TIMEOUT (seconds), $MYDOCKER_PUSH_CHUNK_SIZE (bytes).
PullOptions TransferOptionsFromEnvironment();

// Sets `options`' username and password to those stored in `credentials_path` (Docker's
// config.json form) for the registry of `ref`; leaves them when none are stored.
absl::Status AddStoredCredentials(absl::string_view ref, const std::string& credentials_path,
                                  PullOptions* options);

// Whether `options.cancel` is set.
bool TransferCancelled(const PullOptions& options);

// Checks `options.username` and `options.password` against `registry` (a host[:port], "" for
// Docker Hub): GET /v2/ with basic auth, or a token for them from the registry's token server.
// Then stores them in `credentials_path` (Docker's config.json form, mode 0600, replaced
// atomically). Unauthenticated ("Get \"URL\": unauthorized: ...") when the registry refuses
// them. Defined in registry/login.cc, which links libcurl.
absl::Status LoginToRegistry(absl::string_view registry, const PullOptions& options,
                             const std::string& credentials_path);

// mydocker-registry, the program that runs pulls for programs that do not link libcurl (the
// static CLI): $MYDOCKER_REGISTRY, else the one beside the running binary, else the installed one.
struct RegistryProgramRequest {
  std::vector<std::string> args;  // after the program's path: {"pull", "--root", ROOT, ..., REF}
  int stdin_fd = -1;              // -1: /dev/null
  int stdout_fd = 1;
  int stderr_fd = 2;
  // A signalfd (the caller blocked its signals): each signal read from it is sent on to the
  // program, which then stops and stores nothing. -1: none.
  int signal_fd = -1;
};

// Runs the program and returns its exit status (0 success, 1 failure: it printed why).
absl::StatusOr<int> RunRegistryProgram(const RegistryProgramRequest& request);

}  // namespace mydocker

#endif  // MYDOCKER_PULL_H_
