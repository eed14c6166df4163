// The client side of an attached container: signals typed at or sent to `mydocker` reach the
// container, window-size changes follow the terminal, and the container's exit code comes back.
#ifndef MYDOCKER_TOOLS_ATTACH_H_
#define MYDOCKER_TOOLS_ATTACH_H_

#include <csignal>

#include "context.h"
#include "mydocker/container.h"
#include "mydocker/runtime.h"
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
// (125 if its monitor died without telling), 0 when the client detached (detach keys).
int WaitAttached(Attachment& attachment, const SignalForwarder& signals, bool tty);

// How `run` and `start` attach to the container they start.
struct AttachFlags {
  bool interactive = false;  // relay this process's stdin
  bool tty = false;          // the container has a terminal
  std::string detach_keys;   // Docker's format; empty: ctrl-p,ctrl-q
};

// Docker's refusal of a terminal container attached to an input that is not a terminal
// ("the input device is not a TTY", 125). Returns false (and fails `ctx`) if so.
bool CheckInputTerminal(Context& ctx, const AttachFlags& flags);

// Starts `container` attached to this process's stdio, the local terminal raw for an
// interactive terminal container and its window size followed; returns its exit code (0 when
// the client detached). `signals` must exist before the call.
int StartAttached(Context& ctx, Container& container, const AttachFlags& flags,
                  const SignalForwarder& signals);

// The StartOptions of a start attached to this process's stdio (StartAttached's).
StartOptions AttachedStart(const AttachFlags& flags);

// `run` without -d: StartAttached for a container made from `create` by Runtime::Run with
// `monitor`, started ahead with AttachedStart(flags) (a failed create is 125, as a failed start
// is its own code). REQUIRES: CheckInputTerminal(flags) passed.
int RunAttached(Context& ctx, Runtime& runtime, const CreateOptions& create, PendingMonitor monitor,
                const AttachFlags& flags, const SignalForwarder& signals);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_ATTACH_H_
