// Building and sending the nsenter stub's request (libcontainer/nsenter/nsenter.h): shared by
// Container::Exec and the monitor's health checks, which run a command in the container the
// same way (docs/health.md).
#ifndef MYDOCKER_CONTAINER_EXEC_REQUEST_H_
#define MYDOCKER_CONTAINER_EXEC_REQUEST_H_

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

// Appends one KEY=VALUE token of the request.
void AddExecToken(std::string* out, absl::string_view key, absl::string_view value);

// The request for `options` in the container `state` describes (its init must run):
// `join_files` and `clone_into` place the command in the container's cgroup.
absl::StatusOr<ExecRequest> BuildExecRequest(const ContainerState& state,
                                             const ContainerConfig& config,
                                             const std::string& seccomp_cache_dir,
                                             const std::vector<std::string>& join_files,
                                             const std::string& clone_into,
                                             const ExecOptions& options);

// Starts the helper with the nsenter variable set, `sock` and `pidfd` (the container's init)
// as the stub expects them; stdio[i] < 0 is /dev/null.
absl::StatusOr<ChildProcess> SpawnExecHelper(Host& host, const std::string& helper, int sock,
                                             int pidfd, const int stdio[3]);

// Sends the request in packets the stub reads whole, then ends the stream.
absl::Status SendExecRequest(int sock, const std::string& payload);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_EXEC_REQUEST_H_
