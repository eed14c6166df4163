// mydocker container COMMAND: Docker's management form of the container commands (container
// ls|ps|list, rm|remove, run, create, start, stop, inspect, logs, ...), the same commands as the
// top-level ones, and container prune.
#include "commands.h"
#include "inspect_print.h"

namespace mydocker::cli {

namespace {

// `container inspect`: containers only, as Docker's.
void RegisterContainerInspect(CLI::App& container, Context& ctx) {
  auto refs = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>();
  CLI::App* cmd = container.add_subcommand("inspect", "Display detailed information on containers");
  AddInspectFormat(*cmd, *format);
  cmd->add_option("containers", *refs, "Containers")->required();
  cmd->callback([&ctx, refs, format] {
    PrintInspect(ctx, *refs, *format, InspectLookupFor(ctx, "container"));
  });
}

}  // namespace

void RegisterContainer(CLI::App& app, Context& ctx) {
  CLI::App* c = app.add_subcommand("container", "Manage containers");
  c->require_subcommand(1);
  RegisterAttach(*c, ctx);
  RegisterCommit(*c, ctx);
  RegisterCp(*c, ctx);
  RegisterCreate(*c, ctx);
  RegisterDiff(*c, ctx);
  RegisterExec(*c, ctx);
  RegisterExport(*c, ctx);
  RegisterContainerInspect(*c, ctx);
  RegisterKill(*c, ctx);
  RegisterLogs(*c, ctx);
  RegisterPs(*c, ctx);
  c->get_subcommand("ps")->alias("ls")->alias("list");
  RegisterPause(*c, ctx);
  RegisterPort(*c, ctx);
  RegisterContainerPrune(*c, ctx);
  RegisterRename(*c, ctx);
  RegisterRestart(*c, ctx);
  RegisterRm(*c, ctx);
  c->get_subcommand("rm")->alias("remove");
  RegisterRun(*c, ctx);
  RegisterStart(*c, ctx);
  RegisterStats(*c, ctx);
  RegisterStop(*c, ctx);
  RegisterTop(*c, ctx);
  RegisterUnpause(*c, ctx);
  RegisterUpdate(*c, ctx);
  RegisterWait(*c, ctx);
}

}  // namespace mydocker::cli
