// mydocker pull [--platform OS/ARCH[/VARIANT]] [-q] NAME[:TAG|@DIGEST]   (alias: image pull)
#include <memory>
#include <string>

#include "commands.h"
#include "registry_program.h"

namespace mydocker::cli {
namespace {

int Pull(Context& ctx, const PullRequest& request) {
  // Opened first: a bad state root is reported here, with 125, like every command's.
  if (ctx.OpenRuntime() == nullptr) return ctx.exit_code;
  return RunPull(ctx, request);
}

void AddPull(CLI::App& parent, Context& ctx) {
  auto request = std::make_shared<PullRequest>();
  CLI::App* cmd = parent.add_subcommand("pull", "Download an image from a registry");
  cmd->add_option("--platform", request->platform,
                  "Platform to pull from a multi-platform image (os/arch[/variant])");
  cmd->add_flag("-q,--quiet", request->quiet, "Suppress verbose output");
  cmd->add_option("name", request->ref, "NAME[:TAG|@DIGEST]")->required();
  cmd->callback([&ctx, request] { ctx.exit_code = Pull(ctx, *request); });
}

}  // namespace

void RegisterPull(CLI::App& app, CLI::App& image, Context& ctx) {
  AddPull(app, ctx);
  AddPull(image, ctx);
}

}  // namespace mydocker::cli
