// mydocker update [OPTIONS] CONTAINER...  (resource limits, live and for later starts; the
// restart policy, from the process's next end on)
#include "cli_util.h"
#include "commands.h"
#include "mydocker/status_macros.h"
#include "run_options.h"

namespace mydocker::cli {
namespace {

struct UpdateRequest {
  LinuxResources resources;
  std::optional<RestartPolicy> restart;
};

absl::Status ApplyUpdate(Container& c, const UpdateRequest& request) {
  if (!IsEmpty(request.resources)) MYDOCKER_RETURN_IF_ERROR(c.Update(request.resources));
  if (request.restart) return c.UpdateRestartPolicy(*request.restart);
  return absl::OkStatus();
}

}  // namespace

void RegisterUpdate(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<ResourceFlags>();
  auto restart = std::make_shared<std::string>();
  auto request = std::make_shared<UpdateRequest>();
  CLI::App* update = AddContainersCommand(
      app, ctx, "update", "Update configuration of one or more containers",
      [request](Container& c) { return ApplyUpdate(c, *request); },
      [flags, restart, request]() -> absl::Status {
        absl::StatusOr<LinuxResources> parsed = ParseResourceUpdate(*flags);
        if (!parsed.ok()) return parsed.status();
        request->resources = *std::move(parsed);
        if (!restart->empty()) {
          MYDOCKER_ASSIGN_OR_RETURN(request->restart, ParseRestartPolicy(*restart));
        }
        if (IsEmpty(request->resources) && !request->restart) {
          return absl::InvalidArgumentError(
              "you must provide one or more flags when using this command");
        }
        return absl::OkStatus();
      });
  update->add_option("-m,--memory", flags->memory, "Memory limit (e.g. 512m, 1g)");
  update->add_option("--memory-swap", flags->memory_swap,
                     "Memory plus swap limit; -1 for unlimited swap");
  update->add_option("--memory-reservation", flags->memory_reservation,
                     "Memory soft limit (e.g. 256m)");
  update->add_option("--cpus", flags->cpus, "Number of CPUs (e.g. 1.5)");
  update->add_option("--cpu-shares", flags->cpu_shares, "CPU shares (relative weight)");
  update->add_option("--cpuset-cpus", flags->cpuset_cpus,
                     "CPUs in which to allow execution (0-3, 0,1)");
  update->add_option("--cpuset-mems", flags->cpuset_mems,
                     "Memory nodes in which to allow execution");
  update->add_option("--pids-limit", flags->pids_limit, "Process limit (-1 for unlimited)");
  {
    OptionBatch batch(update);
    AddCfsAndBlkioFlags(&batch, *flags);
  }
  update->add_option("--restart", *restart,
                     "Restart policy: no, always, unless-stopped, on-failure[:max-retries]");
}

}  // namespace mydocker::cli
