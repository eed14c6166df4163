// mydocker rm [-f] CONTAINER...
#include <iostream>

#include "commands.h"

namespace mydocker::cli {
namespace {

struct RmFlags {
  bool force = false;
  bool volumes = false;  // also remove the container's anonymous volumes
  std::vector<std::string> containers;
};

int Rm(Context& ctx, const RmFlags& flags) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  // An error for one container does not stop the others; the exit status says one failed.
  for (const std::string& ref : flags.containers) {
    auto container = rt->Get(ref);
    absl::Status s =
        container.ok() ? (*container)->Remove(flags.force, flags.volumes) : container.status();
    if (s.ok()) {
      std::cout << ref << "\n";
    } else if (!(flags.force && absl::IsNotFound(s))) {
      // As Docker's: with -f, a container that is not there is no error, and not printed.
      ctx.Fail(s, 1);
    }
  }
  return ctx.exit_code;
}

}  // namespace

void RegisterRm(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<RmFlags>();
  CLI::App* rm = app.add_subcommand("rm", "Remove one or more containers");
  rm->add_flag("-f,--force", flags->force, "Force the removal of a running container (SIGKILL)");
  rm->add_flag("-v,--volumes", flags->volumes, "Remove anonymous volumes of the container");
  rm->add_option("containers", flags->containers, "Containers (name, ID or ID prefix)")->required();
  rm->callback([&ctx, flags] { ctx.exit_code = Rm(ctx, *flags); });
}

}  // namespace mydocker::cli
