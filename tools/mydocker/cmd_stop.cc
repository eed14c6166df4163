// mydocker stop [-t SECONDS] CONTAINER...
#include "cli_util.h"
#include "commands.h"

namespace mydocker::cli {

void RegisterStop(CLI::App& app, Context& ctx) {
  AddContainersCommandWithTimeout(
      app, ctx, "stop", "Stop one or more running containers",
      [](Container& c, std::optional<absl::Duration> t) { return c.StopAsConfigured(t); });
}

}  // namespace mydocker::cli
