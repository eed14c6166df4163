// Internal to libmydocker (never installed): the structs behind the opaque handles and the
// helpers every exported function is written with.
#ifndef MYDOCKER_CAPI_INTERNAL_H_
#define MYDOCKER_CAPI_INTERNAL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "mydocker.h"
#include "mydocker/container.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

struct mydocker_error_t {
  int code;
  int exit_code;
  std::string message;
};

struct mydocker_runtime_t {
  std::unique_ptr<mydocker::Runtime> runtime;
};

struct mydocker_image_t {
  mydocker::Image image;    // a snapshot; images are immutable apart from their tags
  std::string config_json;  // its configuration document as stored
};

// A cancellation token (1.6): a flag, an eventfd that becomes readable when it is set (for
// calls that poll), and the wake-ups of calls that wait on a condition variable.
struct mydocker_cancel_t {
  mydocker::UniqueFd event;
  std::atomic<bool> cancelled{false};
  std::mutex mu;
  std::list<std::function<void()>> wakeups;  // guarded by mu
};

struct mydocker_container_t {
  mydocker_runtime_t* runtime;
  std::unique_ptr<mydocker::Container> container;
  // The link to the monitor of a start made through this handle: it reports the exit code
  // even of a --rm container, whose record is gone once it ended, and carries resizes.
  // `mu` guards the two fields below and is held only briefly; `wait_mu` is held across a
  // wait, so concurrent waiters take turns on the one control socket while resize goes on.
  std::mutex mu;
  std::mutex wait_mu;
  std::shared_ptr<mydocker::Attachment> attachment;
  std::optional<int> reported_exit;  // what `attachment` reported, once it did
};

namespace mydocker::capi {

// Returns the code of `status`; on failure also stores a new error object in *errptr (if
// errptr is not NULL), freeing the one it held. Never throws.
int SaveError(mydocker_error_t** errptr, const absl::Status& status);

// Runs `body` (returning absl::Status) with every exception caught at the boundary.
template <typename Body>
int Guard(mydocker_error_t** errptr, Body&& body) {
  try {
    return SaveError(errptr, body());
  } catch (const std::bad_alloc&) {
    return SaveError(errptr, absl::ResourceExhaustedError("out of memory"));
  } catch (const std::exception& e) {
    return SaveError(errptr, absl::InternalError(absl::StrCat("unexpected exception: ", e.what())));
  } catch (...) {
    return SaveError(errptr, absl::InternalError("unexpected exception"));
  }
}

// InvalidArgument "<what> is NULL" for a NULL argument.
absl::Status Require(const void* p, const char* what);

// The size of a struct's first version: the smallest `size` a caller may pass. When a struct
// grows, its entry here stays as it is.
template <typename T>
struct FirstVersion;
#define MYDOCKER_FIRST_VERSION(T, last_field)                                        \
  template <>                                                                        \
  struct FirstVersion<T> {                                                           \
    static constexpr size_t kSize = offsetof(T, last_field) + sizeof(T::last_field); \
  }
MYDOCKER_FIRST_VERSION(mydocker_runtime_options_t, helper_path);
MYDOCKER_FIRST_VERSION(mydocker_resources_t, pids_limit);
MYDOCKER_FIRST_VERSION(mydocker_create_options_t, cgroup_parent);
MYDOCKER_FIRST_VERSION(mydocker_start_options_t, console_width);
MYDOCKER_FIRST_VERSION(mydocker_exec_options_t, stderr_fd);
MYDOCKER_FIRST_VERSION(mydocker_stats_t, oom_kills);
MYDOCKER_FIRST_VERSION(mydocker_network_options_t, dns_options);
MYDOCKER_FIRST_VERSION(mydocker_network_create_options_t, labels);
MYDOCKER_FIRST_VERSION(mydocker_registry_options_t, config_path);
MYDOCKER_FIRST_VERSION(mydocker_healthcheck_t, retries);
MYDOCKER_FIRST_VERSION(mydocker_attach_options_t, output_arg);
MYDOCKER_FIRST_VERSION(mydocker_commit_options_t, no_pause);
MYDOCKER_FIRST_VERSION(mydocker_logs_options_t, cancel);
MYDOCKER_FIRST_VERSION(mydocker_bundle_options_t, stderr_fd);
MYDOCKER_FIRST_VERSION(mydocker_prune_options_t, volumes);
MYDOCKER_FIRST_VERSION(mydocker_events_options_t, cancel);
MYDOCKER_FIRST_VERSION(mydocker_bundle_exec_options_t, stderr_fd);
#undef MYDOCKER_FIRST_VERSION

// InvalidArgument unless `size` is one a caller of some version of this library could pass:
// at least the first version's. A larger size (a newer caller) is read as openat2 reads its
// struct: the fields this library knows, and the rest must be zero (`in` is checked when
// given: an input struct), since a nonzero field would ask for something not done here.
template <typename T>
absl::Status CheckSize(size_t size, const T* in, const char* type) {
  if (size < FirstVersion<T>::kSize) {
    return absl::InvalidArgumentError(absl::StrCat(type, ".size is ", size, ": set it to sizeof(",
                                                   type, ") (", sizeof(T), " in this library)"));
  }
  if (in == nullptr || size <= sizeof(T)) return absl::OkStatus();
  const unsigned char* extra = reinterpret_cast<const unsigned char*>(in) + sizeof(T);
  for (size_t i = 0; i < size - sizeof(T); ++i) {
    if (extra[i] != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          type, " has fields this library (", sizeof(T), " bytes of it) does not know: byte ",
          sizeof(T) + i, " is set; use a newer libmydocker"));
    }
  }
  return absl::OkStatus();
}

// A growable input struct as this library knows it: the caller's bytes up to sizeof(T), the
// rest zero (see CheckSize).
template <typename T>
absl::StatusOr<T> CopySized(const T* in, const char* type) {
  MYDOCKER_RETURN_IF_ERROR(CheckSize(in->size, in, type));
  T out;
  std::memset(&out, 0, sizeof out);
  std::memcpy(&out, in, std::min(in->size, sizeof(T)));
  return out;
}

// A malloc'd copy for the caller to free with mydocker_free.
inline char* CopyString(const std::string& s) {
  char* out = static_cast<char*>(std::malloc(s.size() + 1));
  if (out == nullptr) throw std::bad_alloc();
  std::memcpy(out, s.data(), s.size() + 1);
  return out;
}

inline std::string Str(const char* s) { return s != nullptr ? std::string(s) : std::string(); }

// A NULL-terminated list (NULL: empty).
inline std::vector<std::string> Strings(const char* const* list) {
  std::vector<std::string> out;
  for (; list != nullptr && *list != nullptr; ++list) out.emplace_back(*list);
  return out;
}

// Cancelled "<what> was cancelled" once `cancel` (may be NULL) is set, else OK.
absl::Status CheckCancel(const mydocker_cancel_t* cancel, const char* what);

// While it lives, `wake` runs (under the token's lock, so briefly) when `cancel` is set; a
// NULL token never calls it.
class CancelWakeup {
 public:
  CancelWakeup(mydocker_cancel_t* cancel, std::function<void()> wake);
  ~CancelWakeup();
  CancelWakeup(const CancelWakeup&) = delete;
  CancelWakeup& operator=(const CancelWakeup&) = delete;

 private:
  mydocker_cancel_t* cancel_;
  std::list<std::function<void()>>::iterator it_;
};

// A time option given as Docker's --since/--until values (ParseLogTime); NULL or "":
// `if_unset`. InvalidArgument "<what>: <why>" for a bad one.
absl::StatusOr<absl::Time> OptionTime(const char* value, const char* what, absl::Time if_unset);

// mydocker_network_options_t as the library takes it (capi/mydocker_network.cc).
absl::StatusOr<mydocker::NetworkOptions> ToNetworkOptions(const mydocker_network_options_t* in);

}  // namespace mydocker::capi

#endif  // MYDOCKER_CAPI_INTERNAL_H_
