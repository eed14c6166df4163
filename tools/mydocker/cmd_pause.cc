// mydocker pause CONTAINER...
#include "cli_util.h"
#include "commands.h"

namespace mydocker::cli {

void RegisterPause(CLI::App& app, Context& ctx) {
  AddContainersCommand(app, ctx, "pause", "Pause all processes within one or more containers",
                       [](Container& c) { return c.Pause(); });
}

}  // namespace mydocker::cli
