// mydocker load [-i FILE] [-q]   (alias: image load)
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "commands.h"

namespace mydocker::cli {
namespace {

struct LoadFlags {
  std::string input;
  bool quiet = false;
};

int Load(Context& ctx, const LoadFlags& flags) {
  if (flags.input.empty() && ::isatty(STDIN_FILENO)) {
    ctx.Fail(absl::InvalidArgumentError(
                 "requested load from stdin, but stdin is a terminal: use -i FILE or redirect"),
             1);
    return ctx.exit_code;
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  auto images = rt->images().Load(flags.input.empty() ? "/dev/stdin" : flags.input);
  if (!images.ok()) {
    ctx.Fail(images.status(), 1);
    return ctx.exit_code;
  }
  if (flags.quiet) return 0;
  // Docker's output: one line per tag, or the id of an image that came without one.
  for (const Image& image : *images) {
    if (image.tags.empty()) std::cout << "Loaded image ID: " << image.id << "\n";
    for (const std::string& tag : image.tags) std::cout << "Loaded image: " << tag << "\n";
  }
  return 0;
}

void AddLoad(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<LoadFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "load", "Load images from a docker save archive or an OCI image layout (tar or directory)");
  cmd->add_option("-i,--input", flags->input, "Read from FILE or DIRECTORY instead of stdin");
  cmd->add_flag("-q,--quiet", flags->quiet, "Suppress the load output");
  cmd->callback([&ctx, flags] { ctx.exit_code = Load(ctx, *flags); });
}

}  // namespace

void RegisterLoad(CLI::App& app, CLI::App& image, Context& ctx) {
  AddLoad(app, ctx);
  AddLoad(image, ctx);
}

}  // namespace mydocker::cli
