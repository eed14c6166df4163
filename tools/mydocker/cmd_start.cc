// mydocker start [-a] [-i] [--detach-keys KEYS] CONTAINER...
#include <unistd.h>

#include <iostream>

#include "attach.h"
#include "cli_parse.h"
#include "commands.h"
#include "mydocker/status_macros.h"

namespace mydocker::cli {
namespace {

struct StartFlags {
  bool attach = false;
  bool interactive = false;
  std::string detach_keys;
  bool restartable = false;
  std::vector<std::string> containers;
};

// Starts one container; attached (-a or -i, as Docker's -i attaches too), waits for it and
// returns its exit code, with the container's own terminal settings (run -it's behaviour).
int StartOne(Context& ctx, Container& container, const StartFlags& flags) {
  SignalForwarder signals;
  if (flags.attach || flags.interactive) {
    auto config = container.Config();
    if (!config.ok()) {
      ctx.Fail(config.status(), 1);
      return ctx.exit_code;
    }
    AttachFlags attach{flags.interactive, config->process.terminal, flags.detach_keys};
    return StartAttached(ctx, container, attach, signals);
  }
  auto attachment = container.Start(StartOptions{});
  if (!attachment.ok()) {
    ctx.Fail(attachment.status(), 1);
    return ctx.exit_code;
  }
  return 0;
}

// --restartable (the boot unit's command, there being no daemon): starts, detached, every
// container that is not running and whose restart policy says it should run, as Docker's daemon
// does when it starts. Prints the names started; a failure is reported and the rest go on.
void StartRestartable(Context& ctx, Runtime& rt) {
  auto all = rt.List(/*all=*/true);
  if (!all.ok()) {
    ctx.Fail(all.status(), 1);
    return;
  }
  for (const ContainerState& listed : *all) {
    auto container = rt.Get(listed.id);
    if (!container.ok()) continue;  // removed meanwhile
    auto state = (*container)->State();
    auto config = (*container)->Config();
    if (!state.ok() || !config.ok() || !ShouldStartAtBoot(*state, *config)) continue;
    if (StartOne(ctx, **container, StartFlags{}) == 0) std::cout << state->name << "\n";
  }
}

}  // namespace

void RegisterStart(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<StartFlags>();
  CLI::App* start = app.add_subcommand("start", "Start one or more stopped containers");
  start->add_flag("-a,--attach", flags->attach, "Attach stdout/stderr and forward signals");
  start->add_flag("-i,--interactive", flags->interactive, "Attach the container's stdin");
  start->add_option("--detach-keys", flags->detach_keys,
                    "Override the key sequence for detaching a container (default ctrl-p,ctrl-q)");
  start->add_flag("--restartable", flags->restartable,
                  "Start every stopped container whose restart policy says it should run "
                  "(for a boot unit)");
  start->add_option("containers", flags->containers, "Containers");
  SetUsage(start, "[OPTIONS] CONTAINER [CONTAINER...]");
  start->callback([&ctx, flags] {
    if (flags->restartable != flags->containers.empty()) {
      ctx.Fail(absl::InvalidArgumentError(flags->restartable
                                              ? "--restartable takes no container"
                                              : "\"start\" requires at least 1 argument."),
               1);
      return;
    }
    bool attach = flags->attach || flags->interactive;
    if (attach && flags->containers.size() > 1) {
      ctx.Fail(
          absl::InvalidArgumentError("you cannot start and attach multiple containers at once"), 1);
      return;
    }
    if (absl::Status keys = CheckDetachKeys(flags->detach_keys); !keys.ok()) {
      ctx.Fail(keys, 1);
      return;
    }
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    if (flags->restartable) return StartRestartable(ctx, *rt);
    for (const std::string& ref : flags->containers) {
      auto container = rt->Get(ref);
      if (!container.ok()) {
        ctx.Fail(container.status(), 1);
        continue;
      }
      if (attach) {
        ctx.exit_code = StartOne(ctx, **container, *flags);
      } else if (StartOne(ctx, **container, *flags) == 0) {
        std::cout << ref << "\n";
      }
    }
  });
}

}  // namespace mydocker::cli
