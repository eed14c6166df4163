// mydocker save [-o FILE] IMAGE...   (alias: image save)
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli_util.h"
#include "commands.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker::cli {
namespace {

struct SaveFlags {
  std::string output;
  std::vector<std::string> images;
};

int Save(Context& ctx, const SaveFlags& flags) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  absl::Status status =
      WriteArchive(flags.output,
                   "refusing to write an archive to a terminal: use -o FILE or redirect the output",
                   [&](int fd) { return rt->images().Save(flags.images, fd); });
  if (!status.ok()) ctx.Fail(status, 1);
  return ctx.exit_code;
}

void AddSave(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<SaveFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "save", "Save images to a tar archive (docker save and OCI layout in one)");
  cmd->add_option("-o,--output", flags->output, "Write to FILE instead of standard output");
  cmd->add_option("images", flags->images, "Images (NAME[:TAG], ID or ID prefix)")->required();
  cmd->callback([&ctx, flags] { ctx.exit_code = Save(ctx, *flags); });
}

}  // namespace

void RegisterSave(CLI::App& app, CLI::App& image, Context& ctx) {
  AddSave(app, ctx);
  AddSave(image, ctx);
}

}  // namespace mydocker::cli
