// Runtime.images.pull() and push(), Runtime.login() and logout(): the transfer runs with the
// GIL released; it is taken again only to call the progress callable (and to see Ctrl-C). An
// exception from the callable (or KeyboardInterrupt) cancels the transfer and is raised.
#include <csignal>
#include <optional>

#include "bindings.h"
#include "mydocker/image_store.h"
#include "mydocker/pull.h"
#include "mydocker/registry_credentials.h"
#include "mydocker/status_macros.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

// One transfer's options, cancel flag and relay to the Python callable. Lives on the stack of
// the call that holds `callable` (borrowed: no reference counting without the GIL).
class Relay {
 public:
  explicit Relay(py::handle callable) : callable_(callable) {
    options_ = TransferOptionsFromEnvironment();
    options_.cancel = &cancel_;
  }
  PullOptions& options() { return options_; }

  // Called without the GIL, on the transferring thread.
  void Event(const char* status, const std::string& id, int64_t current, int64_t total,
             bool bytes) {
    if (cancel_ != 0 || !throttle_.Allow(id, current, total, bytes)) return;
    py::gil_scoped_acquire gil;
    try {
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (callable_.is_none()) return;
      py::dict detail;
      if (bytes) {
        detail["current"] = current;
        detail["total"] = total;
      }
      py::dict event;
      event["status"] = status;
      event["id"] = id;
      event["progressDetail"] = detail;
      callable_(event);
    } catch (py::error_already_set& e) {
      error_.emplace(std::move(e));
      cancel_ = 1;
    }
  }

  // With the GIL again: raises what the callable raised, else the transfer's error.
  template <typename T>
  T Finish(absl::StatusOr<T> result) {
    if (error_.has_value()) throw std::move(*error_);
    return ValueOrThrow(std::move(result));
  }

 private:
  py::handle callable_;
  PullOptions options_;
  volatile std::sig_atomic_t cancel_ = 0;
  std::optional<py::error_already_set> error_;
  ProgressThrottle throttle_;  // byte counts at most every 100 ms per layer
};

absl::Status AddCredentials(const std::string& ref, PullOptions* options) {
  return AddStoredCredentials(ref, registry::DefaultCredentialsPath(), options);
}

}  // namespace

Image PullImage(Runtime& runtime, const std::string& ref,
                const std::optional<std::string>& platform, const py::object& progress) {
  Relay relay(progress);
  relay.options().platform = platform.value_or("");
  absl::StatusOr<PullResult> result;
  {
    py::gil_scoped_release release;
    absl::Status s = AddCredentials(ref, &relay.options());
    result = s.ok()
                 ? runtime.images().Pull(ref, relay.options(),
                                         [&](const PullEvent& e) {
                                           relay.Event(PullEventStatus(e.kind), e.layer, e.current,
                                                       e.total, e.kind == PullEvent::kDownloading);
                                         })
                 : absl::StatusOr<PullResult>(s);
  }
  return relay.Finish(std::move(result)).image;
}

std::string PushImage(Runtime& runtime, const std::string& ref, const py::object& progress) {
  Relay relay(progress);
  absl::StatusOr<PushResult> result;
  {
    py::gil_scoped_release release;
    absl::Status s = AddCredentials(ref, &relay.options());
    result = s.ok() ? runtime.images().Push(ref, relay.options(),
                                            [&](const PushEvent& e) {
                                              std::string status = PushEventStatus(e.kind);
                                              if (e.kind == PushEvent::kMounted)
                                                status += " " + e.from;
                                              relay.Event(status.c_str(), e.layer, e.current,
                                                          e.total, e.kind == PushEvent::kPushing);
                                            })
                    : absl::StatusOr<PushResult>(s);
  }
  return relay.Finish(std::move(result)).digest;
}

void LoginToServer(const std::string& server, const std::string& username,
                   const std::string& password) {
  PullOptions options = TransferOptionsFromEnvironment();
  options.username = username;
  options.password = password;
  WithoutGil([&] { return LoginToRegistry(server, options, registry::DefaultCredentialsPath()); });
}

bool LogoutFromServer(const std::string& server) {
  return WithoutGil([&]() -> absl::StatusOr<bool> {
    MYDOCKER_ASSIGN_OR_RETURN(std::string domain, registry::RegistryDomain(server));
    return registry::EraseCredentials(registry::DefaultCredentialsPath(), domain);
  });
}

}  // namespace mydocker::python
