// mydocker update [OPTIONS] CONTAINER...  (resource limits, live and for later starts)
#include "cli_util.h"
#include "commands.h"
#include "run_options.h"

namespace mydocker::cli {

void RegisterUpdate(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<ResourceFlags>();
  auto resources = std::make_shared<LinuxResources>();
  CLI::App* update = AddContainersCommand(
      app, ctx, "update", "Update configuration of one or more containers",
      [resources](Container& c) { return c.Update(*resources); },
      [flags, resources]() -> absl::Status {
        absl::StatusOr<LinuxResources> parsed = ParseResourceUpdate(*flags);
        if (!parsed.ok()) return parsed.status();
        if (IsEmpty(*parsed)) {
          return absl::InvalidArgumentError(
              "you must provide one or more flags when using this command");
        }
        *resources = *std::move(parsed);
        return absl::OkStatus();
      });
  update->add_option("-m,--memory", flags->memory, "Memory limit (e.g. 512m, 1g)");
  update->add_option("--memory-swap", flags->memory_swap,
                     "Memory plus swap limit; -1 for unlimited swap");
  update->add_option("--cpus", flags->cpus, "Number of CPUs (e.g. 1.5)");
  update->add_option("--cpu-shares", flags->cpu_shares, "CPU shares (relative weight)");
  update->add_option("--cpuset-cpus", flags->cpuset_cpus,
                     "CPUs in which to allow execution (0-3, 0,1)");
  update->add_option("--cpuset-mems", flags->cpuset_mems,
                     "Memory nodes in which to allow execution");
  update->add_option("--pids-limit", flags->pids_limit, "Process limit (-1 for unlimited)");
}

}  // namespace mydocker::cli
