// mydocker start [-a] [-i] CONTAINER...
#include <unistd.h>

#include <iostream>

#include "attach.h"
#include "commands.h"
#include "mydocker/status_macros.h"

namespace mydocker::cli {
namespace {

struct StartFlags {
  bool attach = false;
  bool interactive = false;
  std::vector<std::string> containers;
};

// Starts one container; attached, waits for it and returns its exit code.
int StartOne(Context& ctx, Container& container, const StartFlags& flags) {
  StartOptions options;
  options.attach = flags.attach;
  if (flags.attach) {
    options.stdio = {flags.interactive ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO};
  }
  SignalForwarder signals;
  auto attachment = container.Start(options);
  if (!attachment.ok()) {
    ctx.Fail(attachment.status(), flags.attach ? ExitCodeOf(attachment.status()) : 1);
    return ctx.exit_code;
  }
  if (!flags.attach) return 0;
  return WaitAttached(**attachment, signals, /*tty=*/false);
}

}  // namespace

void RegisterStart(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<StartFlags>();
  CLI::App* start = app.add_subcommand("start", "Start one or more stopped containers");
  start->add_flag("-a,--attach", flags->attach, "Attach stdout/stderr and forward signals");
  start->add_flag("-i,--interactive", flags->interactive, "Attach stdin");
  start->add_option("containers", flags->containers, "Containers")->required();
  start->callback([&ctx, flags] {
    if (flags->attach && flags->containers.size() > 1) {
      ctx.Fail(
          absl::InvalidArgumentError("you cannot start and attach multiple containers at once"), 1);
      return;
    }
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    for (const std::string& ref : flags->containers) {
      auto container = rt->Get(ref);
      if (!container.ok()) {
        ctx.Fail(container.status(), 1);
        continue;
      }
      if (flags->attach) {
        ctx.exit_code = StartOne(ctx, **container, *flags);
      } else if (StartOne(ctx, **container, *flags) == 0) {
        std::cout << ref << "\n";
      }
    }
  });
}

}  // namespace mydocker::cli
