// mydocker exec [OPTIONS] CONTAINER COMMAND [ARG...]
#include <unistd.h>

#include <iostream>
#include <optional>

#include "attach.h"
#include "cli_parse.h"
#include "commands.h"
#include "mydocker/status_macros.h"
#include "run_options.h"
#include "terminal.h"

namespace mydocker::cli {
namespace {

struct ExecFlags {
  bool interactive = false;
  bool tty = false;
  bool detach = false;
  std::string detach_keys;  // Docker's format; empty: ctrl-p,ctrl-q (with -it)
  std::vector<std::string> env;
  std::string workdir;
  std::string user;
  std::vector<std::string> args;  // CONTAINER COMMAND [ARG...]
};

int Exec(Context& ctx, const ExecFlags& flags) {
  if (flags.args.size() < 2) {
    ctx.Fail(absl::InvalidArgumentError(
                 "\"exec\" requires at least 2 arguments: CONTAINER COMMAND [ARG...]"),
             125);
    return ctx.exit_code;
  }
  if (flags.tty && flags.interactive && !flags.detach && ::isatty(STDIN_FILENO) != 1) {
    ctx.Fail(absl::InvalidArgumentError("the input device is not a TTY"), 125);
    return ctx.exit_code;
  }
  if (absl::Status keys = CheckDetachKeys(flags.detach_keys); !keys.ok()) {
    ctx.Fail(keys, 125);
    return ctx.exit_code;
  }
  auto env = ResolveEnv(flags.env, [](const std::string& key) -> std::optional<std::string> {
    const char* v = std::getenv(key.c_str());
    return v == nullptr ? std::nullopt : std::optional<std::string>(v);
  });
  if (!env.ok()) {
    ctx.Fail(env.status(), 125);
    return ctx.exit_code;
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  auto container = rt->Get(flags.args[0]);
  if (!container.ok()) {
    ctx.Fail(container.status(), 125);
    return ctx.exit_code;
  }
  SignalForwarder signals;
  ExecOptions options;
  options.args.assign(flags.args.begin() + 1, flags.args.end());
  options.env = *env;
  options.workdir = flags.workdir;
  options.user = flags.user;
  options.tty = flags.tty;
  options.detach = flags.detach;
  options.stdio = {flags.interactive ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO};
  options.signal_fd = signals.fd();
  options.detach_keys = flags.detach_keys.empty() ? "ctrl-p,ctrl-q" : flags.detach_keys;
  if (flags.tty) options.console_size = TerminalSize(STDOUT_FILENO);
  std::optional<RawTerminal> raw;
  if (flags.tty && flags.interactive && !flags.detach) raw.emplace(STDIN_FILENO);
  auto code = (*container)->Exec(options);
  raw.reset();
  if (absl::IsCancelled(code.status())) return 0;  // detached: the command goes on
  if (!code.ok()) {
    ctx.Fail(code.status(), ExitCodeOf(code.status()));
    return ctx.exit_code;
  }
  return *code;
}

}  // namespace

void RegisterExec(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<ExecFlags>();
  CLI::App* exec = app.add_subcommand("exec", "Run a command in a running container");
  SetUsage(exec, "[OPTIONS] CONTAINER COMMAND [ARG...]");
  exec->prefix_command();  // everything after CONTAINER belongs to the command
  exec->add_flag("-i,--interactive", flags->interactive, "Keep STDIN open and relay it");
  exec->add_flag("-t,--tty", flags->tty, "Allocate a pseudo-terminal");
  exec->add_flag("-d,--detach", flags->detach, "Run the command in the background");
  exec->add_option("--detach-keys", flags->detach_keys,
                   "Override the key sequence for detaching a container (default ctrl-p,ctrl-q)");
  exec->add_option("-e,--env", flags->env, "Set environment variables")->allow_extra_args(false);
  exec->add_option("-w,--workdir", flags->workdir, "Working directory inside the container");
  exec->add_option("-u,--user", flags->user, "User (name or uid, optionally :group)");
  exec->callback([&ctx, flags, exec] {
    flags->args = exec->remaining();
    ctx.exit_code = Exec(ctx, *flags);
  });
}

}  // namespace mydocker::cli
