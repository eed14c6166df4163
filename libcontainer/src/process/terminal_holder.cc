#include "process/terminal_holder.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace mydocker::process {
namespace {

// Reads and drops output until the terminal's last slave is closed (EIO) or it is gone.
void Drain(int master) {
  char buf[16384];
  for (;;) {
    struct pollfd p = {master, POLLIN, 0};
    if (::poll(&p, 1, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;
  }
}

}  // namespace

int TerminalHolderMain() {
  if (::fcntl(kHeldTerminalFd, F_GETFD) < 0) return 125;
  pid_t pid = ::fork();
  if (pid < 0) return 125;
  if (pid > 0) ::_exit(0);  // the client reaps this one at once
  Drain(kHeldTerminalFd);
  return 0;
}

}  // namespace mydocker::process
