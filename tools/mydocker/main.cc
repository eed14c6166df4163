// mydocker: the reference command-line tool over libcontainer.
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "mydocker/helper.h"

namespace {

// The tutorial's single-dash long flags (-name, -mem, -cpu, -cpuset, -it is fine) keep working:
// they are rewritten to their double-dash forms before parsing.
std::vector<std::string> RewriteTutorialFlags(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  static const std::pair<const char*, const char*> kAliases[] = {{"-name", "--name"},
                                                                 {"-mem", "--memory"},
                                                                 {"-cpu", "--cpu-shares"},
                                                                 {"-cpuset", "--cpuset-cpus"}};
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    for (const auto& [from, to] : kAliases) {
      if (args[i] == from) args[i] = to;
    }
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  int helper_status = mydocker::RunHelperMode(argc, argv);
  if (helper_status >= 0) return helper_status;

  mydocker::cli::Context ctx;
  ctx.root = mydocker::DefaultRoot();
  CLI::App app{"mydocker: run Linux containers", "mydocker"};
  app.require_subcommand(1);
  app.add_option("--root", ctx.root,
                 "State root directory (default $MYDOCKER_ROOT or /var/lib/mydocker)");
  app.set_version_flag("--version", std::string("mydocker ") + MYDOCKER_CLI_VERSION);
  mydocker::cli::RegisterRun(app, ctx);
  mydocker::cli::RegisterStart(app, ctx);
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

  std::vector<std::string> args = RewriteTutorialFlags(argc, argv);
  std::vector<const char*> cargs;
  for (const std::string& a : args) cargs.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(cargs.size()), cargs.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "mydocker: " << e.what() << "\nSee 'mydocker --help'.\n";
    return 125;
  }
  return ctx.exit_code;
}
