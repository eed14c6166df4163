// The command tree of `mydocker`: the global flags and every command, in the order `mydocker
// --help` lists them (main.cc, and the fuzz target of the argv pre-parser).
#include <memory>
#include <string>

#include "cli_parse.h"
#include "commands.h"

namespace mydocker::cli {

void BuildApp(CLI::App& app, Context& ctx, const std::string& version) {
  app.formatter(std::make_shared<DockerFormatter>());  // before the subcommands
  app.require_subcommand(1);
  app.add_option("--root", ctx.root,
                 "State root directory (default $MYDOCKER_ROOT or /var/lib/mydocker)");
  app.add_option("--storage-driver", ctx.storage_driver,
                 "Storage driver: overlay or fuse-overlayfs (default $MYDOCKER_STORAGE_DRIVER, "
                 "else overlay, or fuse-overlayfs when the state root is on overlayfs)");
  app.set_version_flag("--version", version);
  ctx.version = version;
  RegisterRun(app, ctx);
  RegisterCreate(app, ctx);
  RegisterStart(app, ctx);
  RegisterAttach(app, ctx);
  RegisterRestart(app, ctx);
  RegisterExec(app, ctx);
  RegisterVolume(app, ctx);
  RegisterNetwork(app, ctx);
  RegisterPort(app, ctx);
  RegisterStop(app, ctx);
  RegisterKill(app, ctx);
  RegisterWait(app, ctx);
  RegisterLogs(app, ctx);
  RegisterRename(app, ctx);
  RegisterInspect(app, ctx);
  RegisterPs(app, ctx);
  RegisterRm(app, ctx);
  RegisterImage(app, ctx);
  RegisterCommit(app, ctx);
  RegisterStats(app, ctx);
  RegisterUpdate(app, ctx);
  RegisterPause(app, ctx);
  RegisterUnpause(app, ctx);
  RegisterTop(app, ctx);
  RegisterLogin(app, ctx);
  RegisterCp(app, ctx);
  RegisterDiff(app, ctx);
  RegisterExport(app, ctx);
  RegisterImport(app, ctx);
  RegisterEvents(app, ctx);
  RegisterContainer(app, ctx);
  RegisterSystem(app, ctx);
  RegisterInfo(app, ctx);
  RegisterVersion(app, ctx);
  RegisterComplete(app, ctx);  // hidden
}

}  // namespace mydocker::cli
