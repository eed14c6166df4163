// mydocker export [-o FILE] CONTAINER: its root file system as a tar stream.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "cli_util.h"
#include "commands.h"
#include "mydocker/container_files.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker::cli {
namespace {

struct ExportFlags {
  std::string output;
  std::string container;
};

int Export(Context& ctx, const ExportFlags& flags) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  absl::Status status = WriteArchive(
      flags.output, "cowardly refusing to save to a terminal. Use the -o flag or redirect",
      [&](int fd) { return ExportContainer(*rt, flags.container, fd); });
  if (!status.ok()) ctx.Fail(status, 1);
  return ctx.exit_code;
}

}  // namespace

void RegisterExport(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<ExportFlags>();
  CLI::App* cmd = app.add_subcommand("export", "Export a container's filesystem as a tar archive");
  cmd->add_option("-o,--output", flags->output, "Write to a file, instead of STDOUT");
  cmd->add_option("container", flags->container, "Container (name, ID or ID prefix)")->required();
  cmd->callback([&ctx, flags] { ctx.exit_code = Export(ctx, *flags); });
}

}  // namespace mydocker::cli
