// mydocker: the reference command-line tool over libcontainer.
#include <unistd.h>

#include <cstdio>
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
  mydocker::cli::BuildApp(app, ctx, std::string("mydocker ") + MYDOCKER_CLI_VERSION,
                          mydocker::cli::CommandWord(argc, argv));

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
  // The command has run and every file it wrote is closed: what is left is freeing memory
  // (the command tree, the runtime) and static destructors, which `run --rm` would otherwise
  // spend after its container has ended. Output is flushed first.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  ::_exit(ctx.exit_code);
}
