#include "registry_program.h"

#include <fcntl.h>
#include <unistd.h>

#include "attach.h"
#include "mydocker/fs_util.h"
#include "mydocker/pull.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker::cli {
namespace {

// Runs the program with `args`, relaying signals to it; its exit status, or 125 after printing
// why it could not run.
int RunProgram(Context& ctx, std::vector<std::string> args, int stdin_fd, int out_fd) {
  SignalForwarder signals;
  RegistryProgramRequest program;
  program.args = std::move(args);
  program.stdin_fd = stdin_fd;
  program.stdout_fd = out_fd;
  program.stderr_fd = STDERR_FILENO;
  program.signal_fd = signals.fd();
  absl::StatusOr<int> status = RunRegistryProgram(program);
  if (status.ok()) return *status;
  ctx.Fail(status.status(), 125);
  return ctx.exit_code;
}

std::string Root(const Context& ctx) { return ctx.root.empty() ? DefaultRoot() : ctx.root; }

}  // namespace

int RunPull(Context& ctx, const PullRequest& request) {
  std::vector<std::string> args = {"pull", "--root", Root(ctx)};
  if (!request.platform.empty()) args.insert(args.end(), {"--platform", request.platform});
  if (request.quiet) args.push_back("--quiet");
  args.push_back(request.ref);
  return RunProgram(ctx, std::move(args), -1, request.out_fd);
}

int RunPush(Context& ctx, const std::string& ref, bool quiet) {
  std::vector<std::string> args = {"push", "--root", Root(ctx)};
  if (quiet) args.push_back("--quiet");
  args.push_back(ref);
  return RunProgram(ctx, std::move(args), -1, STDOUT_FILENO);
}

int RunLogin(Context& ctx, const std::string& registry, const std::string& username,
             const std::string& password) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) {
    ctx.Fail(LastErrnoError("pipe"), 1);
    return ctx.exit_code;
  }
  UniqueFd read_end(ends[0]), write_end(ends[1]);
  // A pipe holds 64 KiB; the program reads at most 4 KiB of password.
  if (password.size() > 4000) {
    ctx.Fail(absl::InvalidArgumentError("the password is longer than 4000 bytes"), 1);
    return ctx.exit_code;
  }
  if (absl::Status s = WriteAll(write_end.get(), password, "password pipe"); !s.ok()) {
    ctx.Fail(s, 1);
    return ctx.exit_code;
  }
  write_end.reset();
  std::vector<std::string> args = {"login", "--username", username};
  if (!registry.empty()) args.push_back(registry);
  return RunProgram(ctx, std::move(args), read_end.get(), STDOUT_FILENO);
}

}  // namespace mydocker::cli
