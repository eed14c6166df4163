// mydocker restart [-t SECONDS] CONTAINER...
#include "cli_util.h"
#include "commands.h"

namespace mydocker::cli {

void RegisterRestart(CLI::App& app, Context& ctx) {
  AddContainersCommandWithTimeout(
      app, ctx, "restart", "Restart one or more containers",
      [](Container& c, std::optional<absl::Duration> t) { return c.Restart(t); });
}

}  // namespace mydocker::cli
