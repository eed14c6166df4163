// The CLI's commands: cmd_<name>.cc holds `mydocker <name>`, its Register<Name> beside its
// handler; main.cc calls each in the order `mydocker --help` lists them. A callback stores the
// process exit status in the context. The CLI is thin: parse, call libcontainer, format.
// Helpers that several commands use are in cli_util.h, output formatting in format.h.
#ifndef MYDOCKER_TOOLS_COMMANDS_H_
#define MYDOCKER_TOOLS_COMMANDS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "context.h"
#include "run_options.h"

namespace mydocker::cli {

class OptionBatch;  // cli_util.h

// Sets up `app` as the `mydocker` command: its global flags (--root into ctx.root, --version
// printing `version`) and every command below, registered in the order --help lists them.
// `command`: the command word of the arguments (CommandWord), when only it will run; "" builds
// the whole tree.
void BuildApp(CLI::App& app, Context& ctx, const std::string& version,
              const std::string& command = "");

// The commands in the order --help lists them: each Register function and the top-level words
// it adds (commands and their aliases; app_test.cc checks them against what it adds).
struct CommandGroup {
  void (*add)(CLI::App& app, Context& ctx);
  std::vector<const char*> words;
};
const std::vector<CommandGroup>& CommandGroups();

// The first argument that is not a global option ("" if a flag comes first or there is none).
std::string CommandWord(int argc, char** argv);

void RegisterRun(CLI::App& app, Context& ctx);
// The command `name` (create, run) with the flags both share (all of run's but -d and
// --detach-keys) and Docker's usage line.
CLI::App* AddCreateCommand(CLI::App& app, const std::string& name, const std::string& description,
                           RunFlags& flags);
// --cpu-period, --cpu-quota, --cpu-rt-period, --cpu-rt-runtime and --blkio-weight, which `run`,
// `create` and `update` share.
void AddCfsAndBlkioFlags(OptionBatch* cmd, ResourceFlags& flags);
// Creates the container `flags` describe (nothing when one is refused); nullptr after a failure
// reported through `ctx` (125).
std::unique_ptr<Container> CreateFromFlags(Context& ctx, const RunFlags& flags);
void RegisterCreate(CLI::App& app, Context& ctx);
void RegisterAttach(CLI::App& app, Context& ctx);
// --network, -p, --dns and the other networking flags of `run`.
void AddNetworkOptions(OptionBatch& run, NetworkOptions& network);
void RegisterNetwork(CLI::App& app, Context& ctx);  // network create|ls|inspect|rm|prune
void RegisterPort(CLI::App& app, Context& ctx);
void RegisterStart(CLI::App& app, Context& ctx);
void RegisterRestart(CLI::App& app, Context& ctx);
void RegisterExec(CLI::App& app, Context& ctx);
void RegisterVolume(CLI::App& app, Context& ctx);  // volume create|ls|inspect|rm
void RegisterStop(CLI::App& app, Context& ctx);
void RegisterKill(CLI::App& app, Context& ctx);
void RegisterWait(CLI::App& app, Context& ctx);
void RegisterLogs(CLI::App& app, Context& ctx);
void RegisterRename(CLI::App& app, Context& ctx);
void RegisterInspect(CLI::App& app, Context& ctx);
void RegisterPs(CLI::App& app, Context& ctx);
void RegisterRm(CLI::App& app, Context& ctx);
// `image` and its subcommands, and Docker's top-level save, load, history, images and rmi:
// RegisterImage calls the functions below in the order `--help` lists the commands.
void RegisterImage(CLI::App& app, Context& ctx);
void RegisterImageImport(CLI::App& image, Context& ctx);
// `name` is "ls" (under `image`, alias "list") or "images" (top level).
void RegisterImageLs(CLI::App& parent, const std::string& name, Context& ctx);
// `name` is "rm" (under `image`, alias "remove") or "rmi" (top level).
void RegisterImageRm(CLI::App& parent, const std::string& name, Context& ctx);
void RegisterImageInspect(CLI::App& image, Context& ctx);
// Each registers the top-level command and its `image` twin (save and image save ...).
void RegisterSave(CLI::App& app, CLI::App& image, Context& ctx);
void RegisterLoad(CLI::App& app, CLI::App& image, Context& ctx);
void RegisterHistory(CLI::App& app, CLI::App& image, Context& ctx);
void RegisterPull(CLI::App& app, CLI::App& image, Context& ctx);
void RegisterPush(CLI::App& app, CLI::App& image, Context& ctx);
// login and logout.
void RegisterLogin(CLI::App& app, Context& ctx);
void RegisterTag(CLI::App& app, CLI::App& image, Context& ctx);
void RegisterCommit(CLI::App& app, Context& ctx);
void RegisterStats(CLI::App& app, Context& ctx);
void RegisterUpdate(CLI::App& app, Context& ctx);
void RegisterPause(CLI::App& app, Context& ctx);
void RegisterUnpause(CLI::App& app, Context& ctx);
void RegisterTop(CLI::App& app, Context& ctx);
void RegisterCp(CLI::App& app, Context& ctx);
void RegisterDiff(CLI::App& app, Context& ctx);
void RegisterExport(CLI::App& app, Context& ctx);
void RegisterImport(CLI::App& app, Context& ctx);  // top-level twin of image import
void RegisterEvents(CLI::App& app, Context& ctx);
// `container` and its subcommands: the top-level container commands again, and prune.
void RegisterContainer(CLI::App& app, Context& ctx);
void RegisterContainerPrune(CLI::App& container, Context& ctx);
void RegisterImagePrune(CLI::App& image, Context& ctx);
// system df|prune|info|events.
void RegisterSystem(CLI::App& app, Context& ctx);
void RegisterInfo(CLI::App& app, Context& ctx);
void RegisterVersion(CLI::App& app, Context& ctx);
// The hidden `__complete KIND` the shell completions call for names (cmd_complete.cc).
inline constexpr char kCompleteCommand[] = "__complete";
void RegisterComplete(CLI::App& app, Context& ctx);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_COMMANDS_H_
