// Building and sending the nsenter stub's request (libcontainer/nsenter/nsenter.h): shared by
// Container::Exec and the monitor's health checks, which run a command in the container the
// same way (docs/health.md).
#ifndef MYDOCKER_CONTAINER_EXEC_REQUEST_H_
#define MYDOCKER_CONTAINER_EXEC_REQUEST_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "host/child_process.h"
#include "host/host.h"
#include "mydocker/container.h"
#include "mydocker/container_config.h"
#include "mydocker/container_state.h"

namespace mydocker {

struct ExecRequest {
  std::string payload;
  bool detach = false;
};

// What only the OCI runtime mode's exec asks for (runc's process.json: docs/oci.md).
struct ExecRequestExtras {
  // The command's whole environment; absent: the init's, with ExecOptions::env on top.
  std::optional<std::vector<std::string>> env;
  // All five capability sets (bit N = capability N); absent: ContainerConfig's list.
  struct CapabilitySets {
    uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
  };
  std::optional<CapabilitySets> capabilities;
  bool report_pid = false;  // the stub sends the command's pid (ExecReport::kPid)
  // The file executed instead of args[0] looked up along PATH (an OCI hook's path, which may
  // differ from its argv[0]); a path in the container.
  std::string executable;
  // The container's root as a path in the runtime's mount namespace, which the stub chroots
  // into after joining the namespaces: a container without a mount namespace of its own (OCI
  // mode; its init chrooted there too). Empty: the mount namespace's root is the container's.
  std::string root;
};

// Appends one KEY=VALUE token of the request.
void AddExecToken(std::string* out, absl::string_view key, absl::string_view value);

// The request for `options` in the container `state` describes (its init must run):
// `join_files` and `clone_into` place the command in the container's cgroup.
absl::StatusOr<ExecRequest> BuildExecRequest(const ContainerState& state,
                                             const ContainerConfig& config,
                                             const std::string& seccomp_cache_dir,
                                             const std::vector<std::string>& join_files,
                                             const std::string& clone_into,
                                             const ExecOptions& options,
                                             const ExecRequestExtras& extras = {});

// Starts the helper with the nsenter variable set, `sock` and `pidfd` (the container's init)
// as the stub expects them; stdio[i] < 0 is /dev/null. The command also gets our descriptors 3
// to 3 + preserve_fds - 1 as its own 3.. (runc's exec --preserve-fds), or, when `pass` is not
// empty, the descriptors it lists (preserve_fds is then unused). `seal_lower`: the empty
// directory the stub needs to protect its binary without copying it (SealLowerDir), or "" for
// an empty tmpfs of its own in that role (a copy only where neither can be made).
absl::StatusOr<ChildProcess> SpawnExecHelper(Host& host, const std::string& helper, int sock,
                                             int pidfd, const int stdio[3],
                                             const std::string& seal_lower,
                                             unsigned preserve_fds = 0,
                                             const std::vector<int>& pass = {});

// <state_root>/cache/empty, made if missing: the second layer of the read-only overlay through
// which the helper runs (process/sealed_exe.h). "" if it cannot be made.
std::string SealLowerDir(const std::string& state_root);

// Reads the stub's reports until the command has executed (end of stream after the ready byte)
// or failed (its exit code attached: process::StartFailure): a terminal master goes to
// `on_terminal`, the command's pid (ExecRequestExtras::report_pid) to `*pid`.
absl::Status AwaitExecReports(int sock, const std::function<absl::Status(UniqueFd)>& on_terminal,
                              pid_t* pid = nullptr);

// Sends the request in packets the stub reads whole, then ends the stream.
absl::Status SendExecRequest(int sock, const std::string& payload);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_EXEC_REQUEST_H_
