#include "registry_program.h"

#include <unistd.h>

#include "attach.h"
#include "mydocker/pull.h"

namespace mydocker::cli {

int RunPull(Context& ctx, const PullRequest& request) {
  SignalForwarder signals;
  RegistryProgramRequest program;
  program.args = {"pull", "--root", ctx.root.empty() ? DefaultRoot() : ctx.root};
  if (!request.platform.empty()) {
    program.args.insert(program.args.end(), {"--platform", request.platform});
  }
  if (request.quiet) program.args.push_back("--quiet");
  program.args.push_back(request.ref);
  program.stdout_fd = request.out_fd;
  program.stderr_fd = STDERR_FILENO;
  program.signal_fd = signals.fd();
  absl::StatusOr<int> status = RunRegistryProgram(program);
  if (status.ok()) return *status;
  ctx.Fail(status.status(), 125);
  return ctx.exit_code;
}

}  // namespace mydocker::cli
