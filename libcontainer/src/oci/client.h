// Driving mydocker-runc from a library: the C API's mydocker_bundle_* and pymydocker's Bundles.
// The commands that start processes or run hooks (create, start, delete, exec) run the
// executable with posix_spawn and wait for it, since a library must not fork a process that may
// have other threads; it reports how it failed on a memfd (kRuncReportFdEnv). state and kill
// only read and signal: callers run them in their own process with oci::Runtime.
#ifndef MYDOCKER_OCI_CLIENT_H_
#define MYDOCKER_OCI_CLIENT_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "oci/runtime.h"

namespace mydocker::oci {

// mydocker-runc's own default state directory (--root).
inline constexpr char kDefaultRuncRoot[] = "/run/mydocker-runc";

struct RuncClient {
  std::string runc;  // the executable
  std::string root;  // its --root
};

// `root` empty: kDefaultRuncRoot; else it must be absolute (InvalidArgument naming
// `root_setting`). `runc` empty: $MYDOCKER_RUNC, else `installed`; checked to be an executable
// file (NotFound naming it and `runc_setting`, where the caller sets it).
absl::StatusOr<RuncClient> MakeRuncClient(const std::string& root, const std::string& runc,
                                          const std::string& installed,
                                          absl::string_view root_setting,
                                          absl::string_view runc_setting);

// What a command that succeeded reported.
struct RuncOutcome {
  int exit_code = 0;     // exec (with `process_exit`): the process's exit status
  std::string reported;  // a success report's text (exec --detach: the process's pid)
};

// Runs `RUNC --root ROOT ARGS...` in a new session with `stdio` (-1: /dev/null) and waits for
// it. Its failure comes back as the status it reported (code, message, the exit code payload of
// a command that could not be run), else as its exit status. With `process_exit`, a process
// that mydocker-runc ran and waited for (exec) and that exited nonzero is no failure: its
// status is the outcome's exit_code.
absl::StatusOr<RuncOutcome> RunRunc(const RuncClient& client, const std::vector<std::string>& args,
                                    const int stdio[3], bool process_exit = false);

// What a library's exec gave.
struct ClientExecResult {
  int exit_code = 0;  // the process's exit status (128+N: killed by signal N); 0 with detach
  pid_t pid = 0;      // with detach: the process's pid (in this PID namespace)
};

// `exec [--detach] [--tty --console-socket S] [--cwd D] [--env K=V]... [--user U[:G]] [-g G]...
// ID ARGS...` (args.process_file, caps, no_new_privs, pid_file and preserve_fds unused). Bad
// input (no command, an env entry without "=", a terminal without a console socket) is refused
// here, before anything is started. stdio as RunRunc's.
absl::StatusOr<ClientExecResult> ExecInBundle(const RuncClient& client, const std::string& id,
                                              const ExecArgs& args, const int stdio[3]);

}  // namespace mydocker::oci

#endif  // MYDOCKER_OCI_CLIENT_H_
