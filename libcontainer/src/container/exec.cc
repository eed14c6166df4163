// Container::Exec: the client side of the nsenter stub (libcontainer/nsenter/nsenter.c).
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "container/container_internal.h"
#include "container/exec_request.h"
#include "container_events.h"
#include "host/host.h"
#include "in_root.h"
#include "mydocker/container.h"
#include "mydocker/fs_util.h"
#include "mydocker/helper.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "nsenter/nsenter.h"
#include "process/detach_keys.h"
#include "process/init_plan.h"
#include "process/protocol.h"
#include "process/stdio_relay.h"
#include "process/terminal_holder.h"
#include "security/seccomp.h"
#include "user_lookup.h"

namespace mydocker {
namespace {

// How often the relay asks whether a helper it has no pidfd of ended.
constexpr int kHelperPollMs = 10;

int WaitHelper(ChildProcess& helper) {
  absl::StatusOr<int> status = helper.Wait();
  return status.ok() ? process::ExitCodeFromWaitStatus(*status) : 125;
}

// How long a command that could not be run (126, 127) gets to end, with its stub, on its own.
constexpr absl::Duration kFailedExecGrace = absl::Seconds(2);

// After the stub reported a failure: the command's process has sent its report and exits, and
// the stub, its parent, reaps it and exits too. Waiting for that (rather than killing the stub
// at once, which left the command's process to the container's init, a zombie until that
// reaped it) returns with nothing left of the exec. A stub that does not end is killed.
void ReapAfterFailure(ChildProcess& helper) {
  const absl::Time deadline = absl::Now() + kFailedExecGrace;
  while (!helper.Ended() && absl::Now() < deadline) {
    if (helper.pidfd() >= 0) {
      struct pollfd pfd = {helper.pidfd(), POLLIN, 0};
      ::poll(&pfd, 1, static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())) + 1);
    } else {
      ::usleep(kHelperPollMs * 1000);
    }
  }
  helper.KillAndWait().IgnoreError();
}

// The streams between the caller and the command, relayed until the helper ends and the
// command's output is drained.
struct Relay {
  UniqueFd in_w;   // to the command's stdin (a pipe, or the terminal master)
  UniqueFd out_r;  // from its stdout (a pipe, or the terminal master)
  UniqueFd err_r;
  bool tty = false;
};

// Pipes for the command's stdio (never the caller's own descriptors: a terminal of the host
// would let it inject input with TIOCSTI); the relay keeps our ends.
absl::Status MakePipes(const ExecOptions& options, Relay& relay, UniqueFd child_stdio[3]) {
  int p[2];
  if (options.stdio.in >= 0) {
    if (::pipe2(p, O_CLOEXEC) != 0) return LastErrnoError("pipe for the command's stdin");
    child_stdio[0].reset(p[0]);
    relay.in_w.reset(p[1]);
  }
  if (::pipe2(p, O_CLOEXEC) != 0) return LastErrnoError("pipe for the command's stdout");
  relay.out_r.reset(p[0]);
  child_stdio[1].reset(p[1]);
  if (::pipe2(p, O_CLOEXEC) != 0) return LastErrnoError("pipe for the command's stderr");
  relay.err_r.reset(p[0]);
  child_stdio[2].reset(p[1]);
  return absl::OkStatus();
}

// Copies what `from` holds to `to` (-1: dropped); false at its end. A reader of ours that went
// away does not stop the draining, or the command would block on a full pipe.
bool CopyOutput(int from, int to) {
  return process::RelayOutput(from, [to](absl::string_view data) {
    if (to >= 0) process::WriteAll(to, data);
  });
}

// A signal the caller received: SIGWINCH resizes the command's terminal, any other goes to the
// helper, which forwards it to the command.
void ForwardSignal(int signal_fd, const Relay& relay, int out, const ChildProcess& helper) {
  struct signalfd_siginfo si;
  if (::read(signal_fd, &si, sizeof si) != sizeof si) return;
  if (si.ssi_signo != SIGWINCH) {
    helper.Signal(static_cast<int>(si.ssi_signo)).IgnoreError();
    return;
  }
  struct winsize ws;
  if (relay.tty && ::ioctl(out, TIOCGWINSZ, &ws) == 0) ::ioctl(relay.out_r.get(), TIOCSWINSZ, &ws);
}

// Relays until the command ended and its output is drained; returns true instead when the
// caller typed the detach keys (`keys`, bytes; empty: none).
bool RunRelay(Relay& relay, const ExecOptions& options, const std::string& keys,
              const ChildProcess& helper) {
  process::InputPump input;
  if (relay.in_w.valid() && options.stdio.in >= 0) {
    input = process::InputPump(options.stdio.in, relay.in_w.get(), keys);
  }
  bool out_open = relay.out_r.valid(), err_open = relay.err_r.valid(), helper_done = false;
  // Without a pidfd of the helper (src/host/pidfd.h), poll wakes up every few milliseconds to
  // ask whether it ended.
  const bool helper_polled = helper.pidfd() >= 0;
  while (out_open || err_open || !helper_done) {
    struct pollfd fds[5];
    int n = 0, pid_i = -1, out_i = -1, err_i = -1, in_i = -1, sig_i = -1;
    // Not once it has ended: an exited process's pidfd stays readable, and poll would never
    // sleep while a grandchild keeps the output open.
    if (!helper_done && helper_polled) fds[pid_i = n++] = {helper.pidfd(), POLLIN, 0};
    if (out_open) fds[out_i = n++] = {relay.out_r.get(), POLLIN, 0};
    if (err_open) fds[err_i = n++] = {relay.err_r.get(), POLLIN, 0};
    if (input.open() && !helper_done) fds[in_i = n++] = input.PollFd();
    if (options.signal_fd >= 0 && !helper_done) fds[sig_i = n++] = {options.signal_fd, POLLIN, 0};
    // Once the helper is gone only our own output pipes remain; a grandchild that kept them
    // open must not hold the caller forever.
    const int timeout = helper_done ? 500 : helper_polled ? -1 : kHelperPollMs;
    int ready = ::poll(fds, n, timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (!helper_done && !helper_polled && helper.Ended()) helper_done = true;
    if (ready == 0 && timeout == kHelperPollMs) continue;
    if (ready <= 0) break;
    if (pid_i >= 0 && fds[pid_i].revents) helper_done = true;
    if (out_i >= 0 && fds[out_i].revents)
      out_open = CopyOutput(relay.out_r.get(), options.stdio.out);
    if (err_i >= 0 && fds[err_i].revents)
      err_open = CopyOutput(relay.err_r.get(), options.stdio.err);
    // At the end of input the command sees end of file (a terminal stays: it is also stdout).
    if (in_i >= 0 && fds[in_i].revents && !input.Pump()) {
      if (input.detached()) return true;
      if (!relay.tty) relay.in_w.reset();
    }
    if (sig_i >= 0 && fds[sig_i].revents) {
      ForwardSignal(options.signal_fd, relay, options.stdio.out, helper);
    }
  }
  return false;
}

// The caller typed the detach keys: the command goes on, its terminal kept open by a holder
// process (process/terminal_holder.h); the helper that waited for the command is ended (the
// command, in a session of its own and with no parent-death signal, is reparented to the
// container's init, as with `exec -d`). The holder's argv names the container's directory, for
// `ps` and for leak checks; it does not read it.
absl::Status DetachFromCommand(Host& host, const std::string& helper_path,
                               const std::string& container_dir, Relay& relay,
                               ChildProcess& helper) {
  SpawnRequest spawn;
  spawn.argv = {helper_path, kTerminalHolderMode, container_dir};
  spawn.fds = {{relay.in_w.get(), process::kHeldTerminalFd}};
  spawn.inherit_env = false;
  MYDOCKER_ASSIGN_OR_RETURN(ChildProcess holder, host.Spawn(spawn));
  MYDOCKER_ASSIGN_OR_RETURN(int status, holder.Wait());  // the intermediate; the holder goes on
  helper.KillAndWait().IgnoreError();
  if (process::ExitCodeFromWaitStatus(status) != 0) {
    return absl::InternalError("detached, but the command's terminal could not be kept open");
  }
  return absl::CancelledError("detached from the command");
}

}  // namespace

absl::StatusOr<int> Container::Exec(const ExecOptions& options) {
  if (options.args.empty() || options.args[0].empty()) {
    return absl::InvalidArgumentError("exec needs a command");
  }
  // Detach keys only with a terminal and input, as Docker: a pipe's input passes as it is.
  std::string keys;
  if (!options.detach_keys.empty() && options.tty && options.stdio.in >= 0 && !options.detach) {
    MYDOCKER_ASSIGN_OR_RETURN(keys, process::ParseDetachKeys(options.detach_keys));
  } else {
    MYDOCKER_RETURN_IF_ERROR(CheckDetachKeys(options.detach_keys));
  }
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  MYDOCKER_RETURN_IF_ERROR(RefuseRestarting(state));
  if (state.status == ContainerStatus::kPaused) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " is paused, unpause the container before exec"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd pidfd, OpenRunningInit(runtime_->host(), state));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, Config());
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> join_files,
                            runtime_->cgroups().JoinFiles(state.cgroup_path));
  MYDOCKER_ASSIGN_OR_RETURN(std::string clone_into,
                            runtime_->cgroups().CloneIntoDir(state.cgroup_path));
  MYDOCKER_ASSIGN_OR_RETURN(
      ExecRequest request,
      BuildExecRequest(state, config, SeccompCacheDir(runtime_->options().root), join_files,
                       clone_into, options));
  // Docker's actions name the command: "exec_create: sh -c ls".
  const std::string command = absl::StrJoin(options.args, " ");
  RecordContainerEventWithLabels(runtime_->state(), state, config.labels,
                                 "exec_create: " + command);
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return LastErrnoError("socketpair");
  }
  UniqueFd sock(pair[0]), helper_end(pair[1]);
  Relay relay;
  relay.tty = options.tty;
  UniqueFd child_stdio[3];
  if (!options.tty && !options.detach) {
    MYDOCKER_RETURN_IF_ERROR(MakePipes(options, relay, child_stdio));
  }
  int stdio[3] = {child_stdio[0].get(), child_stdio[1].get(), child_stdio[2].get()};
  // Killed and reaped on every early return below.
  MYDOCKER_ASSIGN_OR_RETURN(
      ChildProcess helper,
      SpawnExecHelper(runtime_->host(), runtime_->options().helper_path, helper_end.get(),
                      pidfd.get(), stdio, SealLowerDir(runtime_->state().root())));
  helper_end.reset();
  for (UniqueFd& fd : child_stdio) fd.reset();
  UniqueFd terminal;
  MYDOCKER_RETURN_IF_ERROR(SendExecRequest(sock.get(), request.payload));
  absl::Status started = AwaitExecReports(sock.get(), [&terminal](UniqueFd fd) {
    terminal = std::move(fd);
    return absl::OkStatus();
  });
  if (!started.ok()) {
    ReapAfterFailure(helper);
    return started;
  }
  RecordContainerEventWithLabels(runtime_->state(), state, config.labels, "exec_start: " + command);
  if (options.detach) return WaitHelper(helper) == 0 ? 0 : 125;
  if (terminal) {
    // Close-on-exec: a caller's thread may fork and exec meanwhile (Python, a C++ server).
    relay.out_r.reset(::fcntl(terminal.get(), F_DUPFD_CLOEXEC, 0));
    if (!relay.out_r) return LastErrnoError("dup terminal");
    relay.in_w = std::move(terminal);
  }
  if (RunRelay(relay, options, keys, helper)) {
    return DetachFromCommand(runtime_->host(), runtime_->options().helper_path,
                             runtime_->state().ContainerDir(id_), relay, helper);
  }
  return WaitHelper(helper);
}

}  // namespace mydocker
