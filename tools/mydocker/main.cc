// mydocker: the reference command-line tool over libcontainer.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_parse.h"
#include "commands.h"
#include "mydocker/helper.h"

int main(int argc, char** argv) {
  int helper_status = mydocker::RunHelperMode(argc, argv);
  if (helper_status >= 0) return helper_status;

  mydocker::cli::Context ctx;
  ctx.root = mydocker::DefaultRoot();
  CLI::App app{"mydocker: run Linux containers", "mydocker"};
  app.formatter(std::make_shared<mydocker::cli::DockerFormatter>());  // before the subcommands
  app.require_subcommand(1);
  app.add_option("--root", ctx.root,
                 "State root directory (default $MYDOCKER_ROOT or /var/lib/mydocker)");
  app.set_version_flag("--version", std::string("mydocker ") + MYDOCKER_CLI_VERSION);
  mydocker::cli::RegisterRun(app, ctx);
  mydocker::cli::RegisterCreate(app, ctx);
  mydocker::cli::RegisterStart(app, ctx);
  mydocker::cli::RegisterAttach(app, ctx);
  mydocker::cli::RegisterRestart(app, ctx);
  mydocker::cli::RegisterExec(app, ctx);
  mydocker::cli::RegisterVolume(app, ctx);
  mydocker::cli::RegisterNetwork(app, ctx);
  mydocker::cli::RegisterPort(app, ctx);
  mydocker::cli::RegisterStop(app, ctx);
  mydocker::cli::RegisterKill(app, ctx);
  mydocker::cli::RegisterWait(app, ctx);
  mydocker::cli::RegisterLogs(app, ctx);
  mydocker::cli::RegisterRename(app, ctx);
  mydocker::cli::RegisterInspect(app, ctx);
  mydocker::cli::RegisterPs(app, ctx);
  mydocker::cli::RegisterRm(app, ctx);
  mydocker::cli::RegisterImage(app, ctx);
  mydocker::cli::RegisterCommit(app, ctx);
  mydocker::cli::RegisterStats(app, ctx);
  mydocker::cli::RegisterUpdate(app, ctx);
  mydocker::cli::RegisterPause(app, ctx);
  mydocker::cli::RegisterUnpause(app, ctx);
  mydocker::cli::RegisterTop(app, ctx);
  mydocker::cli::RegisterLogin(app, ctx);
  mydocker::cli::RegisterCp(app, ctx);
  mydocker::cli::RegisterDiff(app, ctx);
  mydocker::cli::RegisterExport(app, ctx);
  mydocker::cli::RegisterImport(app, ctx);

  // Unknown commands and flags are refused before CLI11 parses (and before anything is created).
  mydocker::cli::Preparsed pre = mydocker::cli::Preparse(app, {argv, argv + argc});
  if (!pre.error.empty()) {
    std::cerr << pre.error;
    return 125;
  }
  if (pre.no_command) {
    std::cout << app.help();
    return 0;
  }
  if (pre.group_help != nullptr) {
    std::cout << pre.group_help->help();
    return 0;
  }
  std::vector<const char*> cargs;
  for (const std::string& a : pre.args) cargs.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "mydocker: " << e.what() << "\n"
              << mydocker::cli::SeeHelp(mydocker::cli::CommandPath(app));
    return 125;
  }
  return ctx.exit_code;
}
