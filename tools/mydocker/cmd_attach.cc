// mydocker attach [--no-stdin] [--sig-proxy=false] [--detach-keys KEYS] CONTAINER
#include <unistd.h>

#include <optional>

#include "attach.h"
#include "cli_util.h"
#include "commands.h"
#include "terminal.h"

namespace mydocker::cli {
namespace {

struct AttachCliFlags {
  bool no_stdin = false;
  bool sig_proxy = true;
  std::string detach_keys;
  std::string container;
};

int Attach(Context& ctx, const AttachCliFlags& flags) {
  if (absl::Status keys = CheckDetachKeys(flags.detach_keys); !keys.ok()) {
    ctx.Fail(keys, 1);
    return ctx.exit_code;
  }
  std::unique_ptr<Container> container = GetContainerOrFail(ctx, flags.container);
  if (container == nullptr) return ctx.exit_code;
  auto config = container->Config();
  if (!config.ok()) {
    ctx.Fail(config.status(), 1);
    return ctx.exit_code;
  }
  bool tty = config->process.terminal;
  bool input = !flags.no_stdin && config->process.open_stdin;
  if (!CheckInputTerminal(ctx, AttachFlags{input, tty, ""})) return 1;
  // Signals are forwarded (and window-size changes followed) unless --sig-proxy=false, which
  // leaves them to this process: ^C then ends the client, not the container.
  std::optional<SignalForwarder> signals;
  if (flags.sig_proxy) signals.emplace();
  AttachOptions options;
  options.stdio = {input ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO};
  options.detach_keys = flags.detach_keys.empty() ? "ctrl-p,ctrl-q" : flags.detach_keys;
  options.signal_fd = signals ? signals->fd() : -1;
  std::optional<RawTerminal> raw;
  if (tty && input) raw.emplace(STDIN_FILENO);
  auto code = container->Attach(options);
  raw.reset();
  if (absl::IsCancelled(code.status())) return 0;
  if (!code.ok()) {
    ctx.Fail(code.status(), 1);
    return ctx.exit_code;
  }
  return *code;
}

}  // namespace

void RegisterAttach(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<AttachCliFlags>();
  CLI::App* attach = app.add_subcommand(
      "attach", "Attach local standard input, output, and error streams to a running container");
  attach->add_flag("--no-stdin", flags->no_stdin, "Do not attach STDIN");
  attach->add_flag("--sig-proxy,!--no-sig-proxy", flags->sig_proxy,
                   "Proxy all received signals to the process (default true)");
  attach->add_option("--detach-keys", flags->detach_keys,
                     "Override the key sequence for detaching a container (default ctrl-p,ctrl-q)");
  attach->add_option("container", flags->container, "Container")->required();
  attach->callback([&ctx, flags] { ctx.exit_code = Attach(ctx, *flags); });
}

}  // namespace mydocker::cli
