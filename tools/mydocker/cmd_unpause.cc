// mydocker unpause CONTAINER...
#include "cli_util.h"
#include "commands.h"

namespace mydocker::cli {

void RegisterUnpause(CLI::App& app, Context& ctx) {
  AddContainersCommand(app, ctx, "unpause", "Unpause all processes within one or more containers",
                       [](Container& c) { return c.Unpause(); });
}

}  // namespace mydocker::cli
