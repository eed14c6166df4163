#include "attach.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <iostream>

#include "terminal.h"

namespace mydocker::cli {
namespace {
constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
}  // namespace

SignalForwarder::SignalForwarder() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : kForwarded) sigaddset(&mask, sig);
  ::sigprocmask(SIG_BLOCK, &mask, &old_mask_);
  fd_.reset(::signalfd(-1, &mask, SFD_CLOEXEC));
}

SignalForwarder::~SignalForwarder() {
  fd_.reset();
  ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

int WaitAttached(Attachment& attachment, const SignalForwarder& signals, bool tty) {
  for (;;) {
    struct pollfd fds[2] = {{signals.fd(), POLLIN, 0}, {attachment.fd(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (::read(signals.fd(), &si, sizeof si) == sizeof si) {
        int sig = static_cast<int>(si.ssi_signo);
        if (sig != SIGWINCH) {
          attachment.Signal(sig).IgnoreError();
        } else if (auto size = TerminalSize(STDOUT_FILENO); size && tty) {
          attachment.Resize(*size).IgnoreError();
        }
      }
    }
    if (fds[1].revents) break;
  }
  auto code = attachment.Wait();
  if (!code.ok()) {
    std::cerr << "mydocker: " << code.status().message() << "\n";
    return 125;
  }
  return *code;
}

}  // namespace mydocker::cli
