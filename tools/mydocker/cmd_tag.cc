// mydocker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]   (alias: image tag)
#include <memory>
#include <string>

#include "commands.h"

namespace mydocker::cli {
namespace {

struct TagFlags {
  std::string source, target;
};

int Tag(Context& ctx, const TagFlags& flags) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  if (absl::Status s = rt->images().Tag(flags.source, flags.target); !s.ok()) ctx.Fail(s, 1);
  return ctx.exit_code;
}

void AddTag(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<TagFlags>();
  CLI::App* cmd =
      parent.add_subcommand("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
  cmd->add_option("source", flags->source, "SOURCE_IMAGE[:TAG], NAME@DIGEST or ID")->required();
  cmd->add_option("target", flags->target, "TARGET_IMAGE[:TAG]")->required();
  cmd->callback([&ctx, flags] { ctx.exit_code = Tag(ctx, *flags); });
}

}  // namespace

void RegisterTag(CLI::App& app, CLI::App& image, Context& ctx) {
  AddTag(app, ctx);
  AddTag(image, ctx);
}

}  // namespace mydocker::cli
