// mydocker stop [-t SECONDS] CONTAINER... / mydocker kill [-s SIGNAL] CONTAINER...
#include <iostream>

#include "cli_util.h"
#include "commands.h"
#include "mydocker/signals.h"

namespace mydocker::cli {
namespace {

struct StopFlags {
  int timeout = 10;
  std::string signal = "KILL";
  std::vector<std::string> containers;
};

}  // namespace

void RegisterStop(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<StopFlags>();
  CLI::App* stop = app.add_subcommand("stop", "Stop one or more running containers");
  stop->add_option("-t,--time", flags->timeout, "Seconds to wait before killing (default 10)")
      ->check(CLI::NonNegativeNumber);
  stop->add_option("containers", flags->containers, "Containers")->required();
  stop->callback([&ctx, flags] {
    ctx.exit_code = ForEachContainer(ctx, flags->containers, [&](Container& c) {
      return c.Stop(absl::Seconds(flags->timeout));
    });
  });

  CLI::App* kill = app.add_subcommand("kill", "Send a signal to one or more running containers");
  kill->add_option("-s,--signal", flags->signal, "Signal name or number (default KILL)");
  kill->add_option("containers", flags->containers, "Containers")->required();
  kill->callback([&ctx, flags] {
    auto signal = ParseSignal(flags->signal);
    if (!signal.ok()) {
      ctx.Fail(signal.status(), 1);
      return;
    }
    ctx.exit_code = ForEachContainer(ctx, flags->containers,
                                     [&](Container& c) { return c.Kill(*signal); });
  });
}

}  // namespace mydocker::cli
