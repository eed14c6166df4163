// The monitor: one small process per container (see docs/architecture.md). It creates the
// container's init with clone(), is its parent for its whole life, relays or logs its output,
// reaps it, records how it ended and releases its resources. Single-threaded, one poll loop.
#ifndef MYDOCKER_PROCESS_MONITOR_H_
#define MYDOCKER_PROCESS_MONITOR_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/cgroup_manager.h"
#include "mydocker/container_config.h"
#include "mydocker/state_store.h"

namespace mydocker::process {

// How a client asks for a monitor. The monitor's descriptors on entry: 0, 1, 2 are the
// client's stdio when attached (else /dev/null), 3 is the control socket.
struct MonitorRequest {
  std::string root;
  std::string id;
  bool attach = false;       // relay output to fds 1 and 2
  bool relay_stdin = false;  // relay fd 0 to the container's stdin
  std::optional<ConsoleSize> console_size;
  // With relay_stdin: the bytes that detach the client (see detach_keys.h); empty: none.
  std::string detach_keys;
  // The runtime's cgroup roots when they are not detected (RuntimeOptions::cgroup), so the
  // monitor creates and removes the cgroup where the runtime's other calls look for it.
  CgroupOptions cgroup;
  // False when the kernel has no mount_setattr (before 5.12, Runtime::kernel()): init makes
  // volumes read-only and private with mount(2), mount by mount (docs/security.md).
  bool mount_setattr = true;
  // Started before its container exists (Runtime::Run): `id` comes as the first control
  // message (ControlType::kBegin), and the end of the stream before it ends the monitor.
  bool await_id = false;
  // The argument (kContainerIdLength characters) that the id overwrites once it comes.
  char* id_slot = nullptr;
};

inline constexpr int kMonitorControlFd = 3;

std::vector<std::string> MonitorArgv(const std::string& helper, const MonitorRequest& request);
absl::StatusOr<MonitorRequest> ParseMonitorArgv(int argc, char** argv);

// With request.await_id: waits for the client's kBegin and sets request.id from it. False when
// the client closed the socket first or sent anything else (the monitor then exits, 0).
bool AwaitContainerId(int control_fd, MonitorRequest& request);

// Runs the monitor (after the double fork). Returns the monitor's exit status.
int MonitorMain(const MonitorRequest& request);

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_MONITOR_H_
