#include "host/pidfd.h"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "mydocker/status_macros.h"

namespace mydocker {

absl::StatusOr<UniqueFd> OpenPidfd(const ProcessRef& ref) {
  if (ref.empty()) return absl::NotFoundError("no process recorded");
  UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, ref.pid, 0)));
  if (!fd) {
    if (errno == ESRCH) return absl::NotFoundError(absl::StrCat("process ", ref.pid, " is gone"));
    return LastErrnoError(absl::StrCat("pidfd_open ", ref.pid));
  }
  // Checked after opening: from here on the descriptor pins this very process.
  if (!ref.Alive()) return absl::NotFoundError(absl::StrCat("process ", ref.pid, " is gone"));
  return fd;
}

bool WaitPidfd(int pidfd, absl::Time deadline) {
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

absl::Status SignalPidfd(int pidfd, int signal) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0) != 0) {
    if (errno == ESRCH) return absl::NotFoundError("process is gone");
    return LastErrnoError("pidfd_send_signal");
  }
  return absl::OkStatus();
}

}  // namespace mydocker
