// mydocker image import FILE NAME[:TAG]
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"

namespace mydocker::cli {
namespace {

struct ImportFlags {
  std::string file;
  std::string ref;
};

}  // namespace

void RegisterImageImport(CLI::App& image, Context& ctx) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* cmd = image.add_subcommand("import", "Import a root filesystem tarball as an image");
  cmd->add_option("file", flags->file, "Tarball (plain, gzip, xz, zstd ...), - for stdin")
      ->required();
  cmd->add_option("reference", flags->ref, "NAME[:TAG] to tag the image with")->required();
  cmd->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    // "-" reads the tarball from standard input, as with docker import.
    std::string path = flags->file == "-" ? "/dev/stdin" : flags->file;
    auto imported = rt->images().Import(path, flags->ref);
    if (!imported.ok()) return ctx.Fail(imported.status(), 1);
    std::cout << imported->id << "\n";
  });
}

}  // namespace mydocker::cli
