#include "host/pidfd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "host/proc_stat.h"
#include "mydocker/status_macros.h"

namespace mydocker {

namespace {

constexpr absl::Duration kProcDirPollInterval = absl::Milliseconds(10);

absl::Status Gone(int pid) {
  return absl::NotFoundError(absl::StrCat("process ", pid, " is gone"));
}

bool IsProcDirHandle(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

// The pid of the process behind a /proc/PID handle, or NotFound once it has ended (its stat
// cannot be read any more, or it is a zombie).
absl::StatusOr<int> LivePidOf(int dir_fd) {
  UniqueFd stat_fd(::openat(dir_fd, "stat", O_RDONLY | O_CLOEXEC));
  char buf[512];
  ssize_t n = stat_fd ? ::read(stat_fd.get(), buf, sizeof buf - 1) : -1;
  if (n <= 0) return absl::NotFoundError("process is gone");
  absl::string_view data(buf, static_cast<size_t>(n));
  int pid = 0;
  size_t space = data.find(' ');
  absl::StatusOr<ProcStat> stat = ParseProcStat(data, "/proc/PID/stat");
  if (space == absl::string_view::npos || !absl::SimpleAtoi(data.substr(0, space), &pid) ||
      !stat.ok() || stat->state == 'Z' || stat->state == 'X') {
    return absl::NotFoundError("process is gone");
  }
  return pid;
}

}  // namespace

absl::StatusOr<UniqueFd> OpenProcDirHandle(const ProcessRef& ref) {
  UniqueFd dir(::open(absl::StrCat("/proc/", ref.pid).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Gone(ref.pid);
  // Checked after opening: from here on the directory refers to this very process.
  if (!ref.Alive()) return Gone(ref.pid);
  return dir;
}

absl::StatusOr<UniqueFd> OpenPidfd(const ProcessRef& ref) {
  if (ref.empty()) return absl::NotFoundError("no process recorded");
  UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, ref.pid, 0)));
  if (!fd) {
    if (errno == ESRCH) return Gone(ref.pid);
    return OpenProcDirHandle(ref);
  }
  // Checked after opening: from here on the descriptor pins this very process.
  if (!ref.Alive()) return Gone(ref.pid);
  return fd;
}

bool WaitPidfd(int handle, absl::Time deadline) {
  if (IsProcDirHandle(handle)) {
    while (LivePidOf(handle).ok()) {
      if (absl::Now() >= deadline) return false;
      absl::SleepFor(std::min(kProcDirPollInterval, deadline - absl::Now()));
    }
    return true;
  }
  int pidfd = handle;
  for (;;) {
    absl::Duration left = deadline - absl::Now();
    int timeout = deadline == absl::InfiniteFuture()
                      ? -1
                      : static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(left) + 1));
    struct pollfd p = {pidfd, POLLIN, 0};
    int n = ::poll(&p, 1, timeout);
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

absl::Status SignalPidfd(int handle, int signal) {
  if (IsProcDirHandle(handle)) {
    MYDOCKER_ASSIGN_OR_RETURN(int pid, LivePidOf(handle));
    if (::kill(pid, signal) != 0) {
      if (errno == ESRCH) return absl::NotFoundError("process is gone");
      return LastErrnoError(absl::StrCat("kill ", pid));
    }
    return absl::OkStatus();
  }
  if (::syscall(SYS_pidfd_send_signal, handle, signal, nullptr, 0) != 0) {
    if (errno == ESRCH) return absl::NotFoundError("process is gone");
    return LastErrnoError("pidfd_send_signal");
  }
  return absl::OkStatus();
}

}  // namespace mydocker
