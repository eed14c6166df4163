// mydocker push [-q] NAME[:TAG]   (alias: image push)
#include <memory>
#include <string>

#include "commands.h"
#include "registry_program.h"

namespace mydocker::cli {
namespace {

struct PushFlags {
  std::string ref;
  bool quiet = false;
};

int Push(Context& ctx, const PushFlags& flags) {
  // Opened first: a bad state root is reported here, with 125, like every command's.
  if (ctx.OpenRuntime() == nullptr) return ctx.exit_code;
  return RunPush(ctx, flags.ref, flags.quiet);
}

void AddPush(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<PushFlags>();
  CLI::App* cmd = parent.add_subcommand("push", "Upload an image to a registry");
  cmd->add_flag("-q,--quiet", flags->quiet, "Suppress verbose output");
  cmd->add_option("name", flags->ref, "NAME[:TAG]")->required();
  cmd->callback([&ctx, flags] { ctx.exit_code = Push(ctx, *flags); });
}

}  // namespace

void RegisterPush(CLI::App& app, CLI::App& image, Context& ctx) {
  AddPush(app, ctx);
  AddPush(image, ctx);
}

}  // namespace mydocker::cli
