// The command tree of `mydocker`: the global flags and every command, in the order `mydocker
// --help` lists them (main.cc, and the fuzz target of the argv pre-parser).
#include <memory>
#include <string>

#include "cli_parse.h"
#include "commands.h"

namespace mydocker::cli {

void BuildApp(CLI::App& app, Context& ctx, const std::string& version, const std::string& command) {
  app.formatter(std::make_shared<DockerFormatter>());  // before the subcommands
  app.require_subcommand(1);
  app.add_option("--root", ctx.root,
                 "State root directory (default $MYDOCKER_ROOT or /var/lib/mydocker)");
  app.add_option("--storage-driver", ctx.storage_driver,
                 "Storage driver: overlay or fuse-overlayfs (default $MYDOCKER_STORAGE_DRIVER, "
                 "else overlay, or fuse-overlayfs when the state root is on overlayfs)");
  app.set_version_flag("--version", version);
  ctx.version = version;
  // Only the command that will run is built when the command word names one: each command's
  // options cost every other command CPU time to build (about 1.5 ms for the whole tree, more
  // than a container's exec spends in the kernel). Help, the man pages, completions and an
  // unknown word (whose message suggests the near ones) see it all.
  const CommandGroup* only = nullptr;
  for (const CommandGroup& group : CommandGroups()) {
    for (const char* word : group.words) {
      if (!command.empty() && command == word && command != "__complete") only = &group;
    }
  }
  if (only != nullptr) {
    only->add(app, ctx);
    return;
  }
  for (const CommandGroup& group : CommandGroups()) group.add(app, ctx);
}

const std::vector<CommandGroup>& CommandGroups() {
  static const std::vector<CommandGroup> kGroups = {
      {RegisterRun, {"run"}},
      {RegisterCreate, {"create"}},
      {RegisterStart, {"start"}},
      {RegisterAttach, {"attach"}},
      {RegisterRestart, {"restart"}},
      {RegisterExec, {"exec"}},
      {RegisterVolume, {"volume"}},
      {RegisterNetwork, {"network"}},
      {RegisterPort, {"port"}},
      {RegisterStop, {"stop"}},
      {RegisterKill, {"kill"}},
      {RegisterWait, {"wait"}},
      {RegisterLogs, {"logs"}},
      {RegisterRename, {"rename"}},
      {RegisterInspect, {"inspect"}},
      {RegisterPs, {"ps"}},
      {RegisterRm, {"rm"}},
      {RegisterImage, {"image", "save", "load", "history", "pull", "push", "tag", "images", "rmi"}},
      {RegisterCommit, {"commit"}},
      {RegisterStats, {"stats"}},
      {RegisterUpdate, {"update"}},
      {RegisterPause, {"pause"}},
      {RegisterUnpause, {"unpause"}},
      {RegisterTop, {"top"}},
      {RegisterLogin, {"login", "logout"}},
      {RegisterCp, {"cp"}},
      {RegisterDiff, {"diff"}},
      {RegisterExport, {"export"}},
      {RegisterImport, {"import"}},
      {RegisterEvents, {"events"}},
      {RegisterContainer, {"container"}},
      {RegisterSystem, {"system"}},
      {RegisterInfo, {"info"}},
      {RegisterVersion, {"version"}},
      {RegisterComplete, {"__complete"}},  // hidden
  };
  return kGroups;
}

std::string CommandWord(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    for (const char* option : {"--root", "--storage-driver"}) {
      if (arg == option) {
        ++i;  // its value
        goto next;
      }
      if (arg.rfind(std::string(option) + "=", 0) == 0) goto next;
    }
    return arg.empty() || arg[0] == '-' ? "" : arg;
  next:;
  }
  return "";
}

}  // namespace mydocker::cli
