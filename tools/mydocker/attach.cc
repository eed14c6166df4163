#include "attach.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <iostream>

#include "mydocker/status_macros.h"
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
  if (absl::IsCancelled(code.status())) return 0;  // detached: the container goes on
  if (!code.ok()) {
    std::cerr << "mydocker: " << code.status().message() << "\n";
    return 125;
  }
  return *code;
}

bool CheckInputTerminal(Context& ctx, const AttachFlags& flags) {
  if (flags.tty && flags.interactive && ::isatty(STDIN_FILENO) != 1) {
    ctx.Fail(absl::InvalidArgumentError("the input device is not a TTY"), 125);
    return false;
  }
  return true;
}

StartOptions AttachedStart(const AttachFlags& flags) {
  StartOptions start;
  start.attach = true;
  start.stdio = {flags.interactive ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO};
  start.detach_keys = flags.detach_keys.empty() ? "ctrl-p,ctrl-q" : flags.detach_keys;
  if (flags.tty) start.console_size = TerminalSize(STDOUT_FILENO);
  return start;
}

namespace {

// Raw before the container starts: its first output (a shell's prompt) must not pass through
// the host's line discipline.
void RawIfInteractive(const AttachFlags& flags, std::optional<RawTerminal>& raw) {
  if (flags.tty && flags.interactive) raw.emplace(STDIN_FILENO);
}

}  // namespace

int StartAttached(Context& ctx, Container& container, const AttachFlags& flags,
                  const SignalForwarder& signals) {
  if (!CheckInputTerminal(ctx, flags)) return ctx.exit_code;
  std::optional<RawTerminal> raw;
  RawIfInteractive(flags, raw);
  auto attachment = container.Start(AttachedStart(flags));
  if (!attachment.ok()) {
    raw.reset();
    ctx.Fail(attachment.status(), ExitCodeOf(attachment.status()));
    return ctx.exit_code;
  }
  return WaitAttached(**attachment, signals, flags.tty);
}

int RunAttached(Context& ctx, Runtime& runtime, const CreateOptions& create, PendingMonitor monitor,
                const AttachFlags& flags, const SignalForwarder& signals) {
  std::optional<RawTerminal> raw;
  RawIfInteractive(flags, raw);
  Runtime::RunResult run = runtime.Run(create, std::move(monitor));
  if (!run.started.ok()) {
    raw.reset();
    ctx.Fail(run.started.status(),
             run.container == nullptr ? 125 : ExitCodeOf(run.started.status()));
    return ctx.exit_code;
  }
  return WaitAttached(**run.started, signals, flags.tty);
}

}  // namespace mydocker::cli
