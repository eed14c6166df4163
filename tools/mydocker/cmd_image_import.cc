// mydocker import [-c CHANGE]... [-m MESSAGE] FILE|- [NAME[:TAG]]   (also: image import)
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "mydocker/status_macros.h"

namespace mydocker::cli {
namespace {

struct ImportFlags {
  std::vector<std::string> changes;
  std::string message;
  std::string file;
  std::string ref;
};

// The changes, refused (125) before anything is read or stored.
absl::StatusOr<CommitConfig> Changes(const ImportFlags& flags) {
  CommitConfig config;
  config.comment = flags.message;
  for (const std::string& change : flags.changes) {
    MYDOCKER_RETURN_IF_ERROR(ApplyChange(change, &config));
  }
  return config;
}

void AddImport(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<ImportFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "import", "Import the contents from a tarball to create a filesystem image");
  cmd->add_option("-c,--change", flags->changes,
                  "Apply Dockerfile instruction to the created image")
      ->allow_extra_args(false);
  cmd->add_option("-m,--message", flags->message, "Set commit message for imported image");
  cmd->add_option("file", flags->file, "Tarball (plain, gzip, xz, zstd ...), - for stdin")
      ->required();
  cmd->add_option("reference", flags->ref, "NAME[:TAG] to tag the image with");
  cmd->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto config = Changes(*flags);
    if (!config.ok()) return ctx.Fail(config.status(), 125);
    // "-" reads the tarball from standard input, as with docker import.
    std::string path = flags->file == "-" ? "/dev/stdin" : flags->file;
    auto imported = rt->images().Import(path, flags->ref, *config);
    if (!imported.ok()) return ctx.Fail(imported.status(), 1);
    std::cout << imported->id << "\n";
  });
}

}  // namespace

void RegisterImageImport(CLI::App& image, Context& ctx) { AddImport(image, ctx); }

void RegisterImport(CLI::App& app, Context& ctx) { AddImport(app, ctx); }

}  // namespace mydocker::cli
