#include "host/child_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "host/host.h"
#include "mydocker/status_macros.h"

namespace mydocker {

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (owns()) KillAndWait().IgnoreError();
    host_ = std::exchange(other.host_, nullptr);
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (owns()) KillAndWait().IgnoreError();
}

absl::StatusOr<int> ChildProcess::KillAndWait() {
  Signal(SIGKILL).IgnoreError();  // it may have ended already: Wait reaps it either way
  return Wait();
}

absl::Status ChildProcess::Signal(int signal) const {
  if (!owns()) return absl::FailedPreconditionError("no child process");
  if (pidfd_.valid()) return host_->SignalProcess(pidfd_.get(), signal);
  if (::kill(pid_, signal) != 0) return LastErrnoError(absl::StrCat("kill ", pid_));
  return absl::OkStatus();
}

bool ChildProcess::Ended() const {
  if (!owns()) return true;
  if (pidfd_.valid()) {
    struct pollfd pfd = {pidfd_.get(), POLLIN, 0};
    return ::poll(&pfd, 1, 0) > 0;
  }
  siginfo_t info;
  info.si_pid = 0;
  return ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid_;
}

absl::StatusOr<int> ChildProcess::Wait() {
  if (!owns()) return absl::FailedPreconditionError("no child process");
  absl::StatusOr<int> status = host_->Reap(pid_);
  pid_ = -1;
  pidfd_.reset();
  return status;
}

pid_t ChildProcess::Release() {
  pidfd_.reset();
  return std::exchange(pid_, -1);
}

}  // namespace mydocker
