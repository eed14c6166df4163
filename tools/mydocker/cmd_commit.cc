// mydocker commit [-m MESSAGE] CONTAINER [NAME[:TAG]]
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"

namespace mydocker::cli {
namespace {

struct CommitFlags {
  std::string message;
  std::string container;
  std::string ref;
};

int Commit(Context& ctx, const CommitFlags& flags) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  std::string warning;
  auto image = rt->CommitContainer(flags.container, flags.ref, flags.message, &warning);
  if (!image.ok()) {
    ctx.Fail(image.status(), 1);
    return ctx.exit_code;
  }
  if (!warning.empty()) std::cerr << "WARNING: " << warning << "\n";
  std::cout << image->id << "\n";
  return 0;
}

}  // namespace

void RegisterCommit(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<CommitFlags>();
  CLI::App* cmd = app.add_subcommand("commit", "Create a new image from a container's changes");
  cmd->add_option("-m,--message", flags->message, "Commit message");
  cmd->add_option("container", flags->container, "Container (name, ID or ID prefix)")->required();
  cmd->add_option("reference", flags->ref, "NAME[:TAG] for the new image");
  cmd->callback([&ctx, flags] { ctx.exit_code = Commit(ctx, *flags); });
}

}  // namespace mydocker::cli
