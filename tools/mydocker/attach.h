// The client side of an attached container: signals typed at or sent to `mydocker` reach the
// container, window-size changes follow the terminal, and the container's exit code comes back.
#ifndef MYDOCKER_TOOLS_ATTACH_H_
#define MYDOCKER_TOOLS_ATTACH_H_

#include <csignal>

#include "mydocker/container.h"
#include "mydocker/unique_fd.h"

namespace mydocker::cli {

// Blocks the signals that are forwarded (INT, TERM, HUP, QUIT, USR1, USR2, WINCH) and reads them
// from a signalfd instead, for the object's lifetime. Create it before starting the container
// so that no signal in between kills the client.
class SignalForwarder {
 public:
  SignalForwarder();
  ~SignalForwarder();
  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;
  int fd() const { return fd_.get(); }

 private:
  sigset_t old_mask_;
  UniqueFd fd_;
};

// Relays signals and window-size changes to the container until it ends; returns its exit code
// (125 if its monitor died without telling).
int WaitAttached(Attachment& attachment, const SignalForwarder& signals, bool tty);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_ATTACH_H_
