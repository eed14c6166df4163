// mydocker diff CONTAINER: its changes against its image, one "A|C|D PATH" line each.
#include <signal.h>

#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "mydocker/container_files.h"

namespace mydocker::cli {

void RegisterDiff(CLI::App& app, Context& ctx) {
  auto container = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Inspect changes to files or directories on a container's filesystem");
  cmd->add_option("container", *container, "Container (name, ID or ID prefix)")->required();
  cmd->callback([&ctx, container] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    ::signal(SIGPIPE, SIG_IGN);  // the listing goes through a pipe: a failed read is an error
    auto changes = ContainerDiff(*rt, *container);
    if (!changes.ok()) return ctx.Fail(changes.status(), 1);
    for (const FileChange& change : *changes)
      std::cout << change.kind << " " << change.path << "\n";
  });
}

}  // namespace mydocker::cli
