// mydocker commit [-a AUTHOR] [-c CHANGE]... [-m MESSAGE] [-p=false] CONTAINER [NAME[:TAG]]
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"

namespace mydocker::cli {
namespace {

struct CommitFlags {
  CommitOptions options;
  std::string container;
};

int Commit(Context& ctx, const CommitFlags& flags) {
  // Changes are checked before the runtime is opened: a bad one creates nothing (125).
  CommitConfig scratch;
  for (const std::string& change : flags.options.changes) {
    absl::Status status = ApplyChange(change, &scratch);
    if (!status.ok()) {
      ctx.Fail(status, 125);
      return ctx.exit_code;
    }
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  std::string warning;
  auto image = rt->CommitContainer(flags.container, flags.options, &warning);
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
  cmd->add_option("-a,--author", flags->options.author,
                  "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")");
  cmd->add_option("-c,--change", flags->options.changes,
                  "Apply Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  cmd->add_option("-m,--message", flags->options.comment, "Commit message");
  cmd->add_flag("-p,--pause", flags->options.pause, "Pause container during commit (default true)")
      ->default_val(true);
  cmd->add_option("container", flags->container, "Container (name, ID or ID prefix)")->required();
  cmd->add_option("reference", flags->options.ref, "NAME[:TAG] for the new image");
  cmd->callback([&ctx, flags] { ctx.exit_code = Commit(ctx, *flags); });
}

}  // namespace mydocker::cli
