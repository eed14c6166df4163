// The CLI's commands. Each cmd_<name>.cc registers its subcommands on the app; a callback stores
// the process exit status in the context. The CLI is thin: parse, call libcontainer, format.
#ifndef MYDOCKER_TOOLS_COMMANDS_H_
#define MYDOCKER_TOOLS_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "context.h"

namespace mydocker::cli {

void RegisterRun(CLI::App& app, Context& ctx);
void RegisterStart(CLI::App& app, Context& ctx);    // start, restart
void RegisterExec(CLI::App& app, Context& ctx);
void RegisterVolume(CLI::App& app, Context& ctx);  // volume create|ls|inspect|rm
void RegisterStop(CLI::App& app, Context& ctx);     // stop, kill
void RegisterWait(CLI::App& app, Context& ctx);
void RegisterLogs(CLI::App& app, Context& ctx);
void RegisterRename(CLI::App& app, Context& ctx);
void RegisterInspect(CLI::App& app, Context& ctx);
void RegisterPs(CLI::App& app, Context& ctx);
void RegisterRm(CLI::App& app, Context& ctx);
void RegisterImageCommands(CLI::App& app, Context& ctx);  // image import|ls|rm|..., images, rmi
void RegisterImageInspect(CLI::App& image, Context& ctx);  // image inspect
// Each registers the top-level command and its `image` twin (save and image save ...).
void RegisterSave(CLI::App& app, CLI::App& image, Context& ctx);
void RegisterLoad(CLI::App& app, CLI::App& image, Context& ctx);
void RegisterHistory(CLI::App& app, CLI::App& image, Context& ctx);
void RegisterCommit(CLI::App& app, Context& ctx);
void RegisterStats(CLI::App& app, Context& ctx);
void RegisterUpdate(CLI::App& app, Context& ctx);
void RegisterPause(CLI::App& app, Context& ctx);    // pause, unpause
void RegisterTop(CLI::App& app, Context& ctx);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_COMMANDS_H_
