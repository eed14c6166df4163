// mydocker update [OPTIONS] CONTAINER...  (resource limits, live and for later starts)
#include "cli_util.h"
#include "commands.h"
#include "run_options.h"

namespace mydocker::cli {

void RegisterUpdate(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<ResourceFlags>();
  auto containers = std::make_shared<std::vector<std::string>>();
  CLI::App* update = app.add_subcommand("update", "Update configuration of one or more containers");
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
  update->add_option("containers", *containers, "Containers")->required();
  update->callback([&ctx, flags, containers] {
    auto resources = ParseResourceUpdate(*flags);
    if (!resources.ok()) {
      ctx.Fail(resources.status(), 1);
      return;
    }
    if (IsEmpty(*resources)) {
      ctx.Fail(
          absl::InvalidArgumentError("you must provide one or more flags when using this command"),
          1);
      return;
    }
    ctx.exit_code =
        ForEachContainer(ctx, *containers, [&](Container& c) { return c.Update(*resources); });
  });
}

}  // namespace mydocker::cli
