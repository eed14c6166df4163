// The commands of mydocker-runc, one function each: argv after the command's name is parsed by
// the command itself. Each returns the process's exit status.
#ifndef MYDOCKER_RUNC_COMMANDS_H_
#define MYDOCKER_RUNC_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "log.h"

namespace mydocker::runc {

struct Context {
  std::string root;
  Log log;
  std::vector<std::string> argv;  // the whole command line
  size_t next = 0;                // index of the command's first argument
  int report_fd = -1;             // oci::kRuncReportFdEnv's descriptor, -1 without one
};

using Command = absl::Status (*)(Context& ctx);

absl::Status CmdCreate(Context& ctx);
absl::Status CmdRun(Context& ctx);
absl::Status CmdStart(Context& ctx);
absl::Status CmdExec(Context& ctx);
absl::Status CmdUpdate(Context& ctx);
absl::Status CmdEvents(Context& ctx);
absl::Status CmdState(Context& ctx);
absl::Status CmdKill(Context& ctx);
absl::Status CmdDelete(Context& ctx);
absl::Status CmdPause(Context& ctx);
absl::Status CmdResume(Context& ctx);
absl::Status CmdPs(Context& ctx);
absl::Status CmdList(Context& ctx);
absl::Status CmdSpec(Context& ctx);
absl::Status CmdFeatures(Context& ctx);

// The exit status `run` ends with (its container's), carried as a payload.
absl::Status ExitWith(int code);

}  // namespace mydocker::runc

#endif  // MYDOCKER_RUNC_COMMANDS_H_
