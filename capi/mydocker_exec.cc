// exec through the C ABI: the blocking mydocker_container_exec, and the exec process handle
// (mydocker_exec_t) that runs the core's blocking Container::Exec on a thread of its own.
// Signals reach the command through a pipe given to Exec as its signal descriptor: the core
// reads whole signalfd_siginfo records from it, and a pipe write of one record is atomic.
#include <fcntl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <thread>

#include "internal.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

struct mydocker_exec_t {
  std::unique_ptr<mydocker::Container> container;  // its own, so the caller's may go first
  mydocker::UniqueFd signal_r;
  mydocker::UniqueFd signal_w;
  mydocker_cancel_t* cancel = nullptr;  // the caller's, from the options (1.6)
  std::thread thread;
  std::mutex mu;
  std::condition_variable ended;
  bool done = false;                                                      // guarded by mu
  absl::StatusOr<int> result = absl::UnknownError("exec has not ended");  // guarded by mu
};

namespace mydocker::capi {
namespace {

// How long mydocker_exec_destroy lets a command end after SIGTERM.
constexpr int64_t kDestroyGraceMs = 2000;

// The end of stdio_set: a caller whose struct reaches it was built against 1.6 or later.
constexpr size_t kStdioSetEnd =
    offsetof(mydocker_exec_options_t, stdio_set) + sizeof(mydocker_exec_options_t::stdio_set);

absl::StatusOr<ExecOptions> ToExecOptions(const mydocker_exec_options_t* in,
                                          mydocker_cancel_t** cancel = nullptr) {
  MYDOCKER_RETURN_IF_ERROR(Require(in, "exec options"));
  MYDOCKER_ASSIGN_OR_RETURN(mydocker_exec_options_t o, CopySized(in, "mydocker_exec_options_t"));
  if (in->size >= kStdioSetEnd && o.stdio_set == 0) {
    // Zeroed by hand (docs/c-api.md, "Descriptors"): 0 is not connected, not standard input.
    for (int* fd : {&o.stdin_fd, &o.stdout_fd, &o.stderr_fd}) {
      if (*fd == 0) *fd = -1;
    }
  }
  if (cancel != nullptr) *cancel = o.cancel;
  ExecOptions out;
  out.args = Strings(o.args);
  if (out.args.empty()) return absl::InvalidArgumentError("exec options: args is empty");
  out.env = Strings(o.env);
  out.workdir = Str(o.workdir);
  out.user = Str(o.user);
  out.detach = o.detach != 0;
  out.stdio = {o.stdin_fd, o.stdout_fd, o.stderr_fd};
  out.tty = o.tty != 0;
  out.detach_keys = Str(o.detach_keys);
  MYDOCKER_RETURN_IF_ERROR(CheckDetachKeys(out.detach_keys));
  return out;
}

absl::Status StartExec(mydocker_container_t* c, const mydocker_exec_options_t* options,
                       mydocker_exec_t** out) {
  mydocker_cancel_t* cancel = nullptr;
  MYDOCKER_ASSIGN_OR_RETURN(ExecOptions exec, ToExecOptions(options, &cancel));
  MYDOCKER_RETURN_IF_ERROR(CheckCancel(cancel, "exec"));
  if (exec.detach) return absl::InvalidArgumentError("exec options: detach with an exec handle");
  // Refuse now what Exec would refuse on the thread, so the caller hears it from start.
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, c->container->State());
  if (state.status != ContainerStatus::kRunning) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(state.id), " is ", ContainerStatusName(state.status)));
  }
  auto handle = std::make_unique<mydocker_exec_t>();
  handle->cancel = cancel;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return LastErrnoError("pipe for exec signals");
  handle->signal_r.reset(fds[0]);
  handle->signal_w.reset(fds[1]);
  handle->container = std::make_unique<Container>(c->runtime->runtime.get(), c->container->id());
  exec.signal_fd = handle->signal_r.get();
  mydocker_exec_t* h = handle.get();
  h->thread = std::thread([h, exec = std::move(exec)] {
    absl::StatusOr<int> result;
    try {
      result = h->container->Exec(exec);
    } catch (...) {
      result = absl::InternalError("unexpected exception in exec");
    }
    std::lock_guard<std::mutex> lock(h->mu);
    h->result = std::move(result);
    h->done = true;
    h->ended.notify_all();
  });
  *out = handle.release();
  return absl::OkStatus();
}

absl::Status SignalExec(mydocker_exec_t* e, int signal) {
  if (signal <= 0 || signal >= 65) {
    return absl::InvalidArgumentError(absl::StrCat("invalid signal ", signal));
  }
  std::lock_guard<std::mutex> lock(e->mu);
  if (e->done) return absl::FailedPreconditionError("the exec'd command has ended");
  struct signalfd_siginfo si = {};
  si.ssi_signo = static_cast<uint32_t>(signal);
  if (::write(e->signal_w.get(), &si, sizeof si) != sizeof si) {
    return LastErrnoError("forward signal to exec");
  }
  return absl::OkStatus();
}

// True once the command has ended, false if `timeout_ms` (negative: none) passed first or, with
// `cancellable`, the handle's token was cancelled.
bool WaitEnded(mydocker_exec_t* e, int64_t timeout_ms, bool cancellable) {
  // Declared before the lock: its wake-up takes e->mu under the token's lock.
  CancelWakeup wakeup(cancellable ? e->cancel : nullptr, [e] {
    std::lock_guard<std::mutex> lock(e->mu);
    e->ended.notify_all();
  });
  auto stop = [e, cancellable] {
    return e->done || (cancellable && e->cancel != nullptr && e->cancel->cancelled.load());
  };
  std::unique_lock<std::mutex> lock(e->mu);
  if (timeout_ms < 0) {
    e->ended.wait(lock, stop);
  } else {
    e->ended.wait_for(lock, std::chrono::milliseconds(timeout_ms), stop);
  }
  return e->done;
}

// Ends a command still running: SIGTERM reaches the command; SIGKILL can only end the helper
// (the stub forwards the catchable signals), which stops the relay. Both fail harmlessly once
// it has ended.
void StopExec(mydocker_exec_t* e) {
  if (WaitEnded(e, 0, false)) return;
  SignalExec(e, SIGTERM).IgnoreError();
  if (!WaitEnded(e, kDestroyGraceMs, false)) SignalExec(e, SIGKILL).IgnoreError();
}

absl::Status WaitExec(mydocker_exec_t* e, int64_t timeout_ms, int* exit_code) {
  MYDOCKER_RETURN_IF_ERROR(CheckCancel(e->cancel, "exec"));
  if (!WaitEnded(e, timeout_ms, true)) {
    if (CheckCancel(e->cancel, "exec").ok()) {
      return absl::DeadlineExceededError("the exec'd command is still running");
    }
    StopExec(e);
    return CheckCancel(e->cancel, "exec");
  }
  std::lock_guard<std::mutex> lock(e->mu);
  MYDOCKER_RETURN_IF_ERROR(e->result.status());
  if (exit_code != nullptr) *exit_code = *e->result;
  return absl::OkStatus();
}

}  // namespace
}  // namespace mydocker::capi

using namespace mydocker::capi;  // NOLINT(build/namespaces)

extern "C" {

int mydocker_container_exec(mydocker_container_t* container, const mydocker_exec_options_t* options,
                            int* exit_code, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    mydocker_cancel_t* cancel = nullptr;
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::ExecOptions exec, ToExecOptions(options, &cancel));
    if (cancel != nullptr && !exec.detach) {
      // Cancellable: on a thread of its own, as an exec handle, waited for here.
      mydocker_exec_t* handle = nullptr;
      MYDOCKER_RETURN_IF_ERROR(StartExec(container, options, &handle));
      absl::Status status = WaitExec(handle, -1, exit_code);
      mydocker_exec_destroy(handle);
      return status;
    }
    MYDOCKER_ASSIGN_OR_RETURN(int code, container->container->Exec(exec));
    if (exit_code != nullptr) *exit_code = code;
    return absl::OkStatus();
  });
}

int mydocker_exec_start(mydocker_container_t* container, const mydocker_exec_options_t* options,
                        mydocker_exec_t** exec, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(exec, "exec out-parameter"));
    return StartExec(container, options, exec);
  });
}

int mydocker_exec_signal(mydocker_exec_t* exec, int signal, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(exec, "exec"));
    return SignalExec(exec, signal);
  });
}

int mydocker_exec_wait(mydocker_exec_t* exec, int64_t timeout_ms, int* exit_code,
                       mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(exec, "exec"));
    return WaitExec(exec, timeout_ms, exit_code);
  });
}

void mydocker_exec_destroy(mydocker_exec_t* exec) {
  if (exec == nullptr) return;
  Guard(nullptr, [&]() -> absl::Status {
    StopExec(exec);
    if (exec->thread.joinable()) exec->thread.join();
    return absl::OkStatus();
  });
  delete exec;
}

}  // extern "C"
