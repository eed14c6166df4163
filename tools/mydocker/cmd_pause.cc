// mydocker pause CONTAINER... / mydocker unpause CONTAINER...
#include "cli_util.h"
#include "commands.h"

namespace mydocker::cli {

void RegisterPause(CLI::App& app, Context& ctx) {
  auto containers = std::make_shared<std::vector<std::string>>();
  CLI::App* pause =
      app.add_subcommand("pause", "Pause all processes within one or more containers");
  pause->add_option("containers", *containers, "Containers")->required();
  pause->callback([&ctx, containers] {
    ctx.exit_code = ForEachContainer(ctx, *containers, [](Container& c) { return c.Pause(); });
  });

  CLI::App* unpause =
      app.add_subcommand("unpause", "Unpause all processes within one or more containers");
  unpause->add_option("containers", *containers, "Containers")->required();
  unpause->callback([&ctx, containers] {
    ctx.exit_code = ForEachContainer(ctx, *containers, [](Container& c) { return c.Unpause(); });
  });
}

}  // namespace mydocker::cli
