// The mutable state record of one container, as kept by StateStore in state.json.
#ifndef MYDOCKER_CONTAINER_STATE_H_
#define MYDOCKER_CONTAINER_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mydocker/health.h"

namespace mydocker {

enum class ContainerStatus {
  kCreated,  // record exists, no process yet (or its process failed to start)
  kRunning,
  kPaused,
  kStopped,  // the process ended; resources released or being released
  // The process ended and its monitor waits out the restart policy's back-off before starting
  // it again (Docker's "restarting"); the monitor is alive, init is not.
  kRestarting,
};

absl::string_view ContainerStatusName(ContainerStatus status);  // "created", "running", ...
absl::StatusOr<ContainerStatus> ParseContainerStatus(absl::string_view name);

// A process identified beyond its pid: the start time (field 22 of /proc/<pid>/stat, in clock
// ticks since boot) tells a recycled pid apart from the process we started.
struct ProcessRef {
  int pid = 0;
  uint64_t start_time = 0;
  // Its pidfs inode number (Linux 6.9 and later; 0 where unknown), unique for the host's uptime:
  // where recorded, Alive() checks it through a pidfd, without reading /proc/<pid>/stat.
  uint64_t pidfs_ino = 0;

  bool empty() const { return pid <= 0; }
  // The same process: same pid and same start time (a recycled pid differs in the latter).
  bool operator==(const ProcessRef& other) const {
    return pid == other.pid && start_time == other.start_time;
  }
  // True if this exact process still exists (not a zombie-reaped, not a recycled pid).
  bool Alive() const;
};

// Reads field 22 of /proc/<pid>/stat. NotFound if the process is gone.
absl::StatusOr<uint64_t> ProcessStartTime(int pid);

// The reference to record for a living process: its start time and, where the kernel has pidfs,
// its pidfs inode number. Start time 0 if the process is gone.
ProcessRef DescribeProcess(int pid);

struct ContainerState {
  std::string id;  // 64 lowercase hex digits
  std::string name;
  std::string image;                 // the reference the user gave, e.g. "busybox:latest"
  std::string image_id;              // "sha256:..."
  std::vector<std::string> command;  // the process args, for listing

  ContainerStatus status = ContainerStatus::kCreated;
  absl::Time created = absl::InfinitePast();
  absl::Time started = absl::InfinitePast();
  absl::Time finished = absl::InfinitePast();

  ProcessRef init;     // the container's PID 1 as seen from the host
  ProcessRef monitor;  // its monitor process

  // Set once the process has ended. Absent with status kStopped means the end was not seen
  // (monitor killed, host restarted): the code is unknown and is never invented.
  std::optional<int> exit_code;
  bool oom_killed = false;
  std::string error;  // why the process failed to start, if it did

  bool auto_remove = false;  // --rm
  // Restarts its monitor made under the restart policy since the last start by a user
  // (Docker's RestartCount; a user's start resets it).
  int restart_count = 0;
  // Set when a user stopped or killed the container (Docker's HasBeenManuallyStopped): an
  // unless-stopped policy then no longer restarts it, nor does `start --restartable`. Cleared by
  // the next start by a user.
  bool manually_stopped = false;
  // Set by a user's stop, kill (with the stop signal or SIGKILL) or rm -f: the current run is
  // not restarted whatever the policy (Docker's ExitOnNext). Cleared by the next user start.
  bool restart_cancelled = false;
  // Set by Container::Restart to the init it is about to stop, so that the monitor of that run
  // keeps an auto_remove container instead of removing it (and a failed start during the
  // restart keeps it too); cleared by the next start. Empty: no restart.
  ProcessRef restarting;
  // Set by a commit to its own process for as long as it runs (a running container is frozen
  // meanwhile). A commit that died (killed) is undone by whoever reads the record next: the
  // container thawed, the temporary layer removed. Empty: no commit.
  ProcessRef committing;
  bool commit_froze = false;  // that commit froze the container (else it was paused or stopped)
  std::string log_path;
  // The health check's status and last results, kept by the monitor in health.json beside the
  // record (not in it: the monitor writes it without the container's lock; see docs/health.md).
  // Absent: the container has no health check or has not started since it got one.
  std::optional<HealthState> health;
  std::string cgroup_path;  // relative cgroup path, e.g. "mydocker/<id>"

  bool IsActive() const {
    return status == ContainerStatus::kRunning || status == ContainerStatus::kPaused ||
           status == ContainerStatus::kRestarting;
  }
  // Its process exists (running or paused), unlike during kRestarting's wait.
  bool HasProcess() const {
    return status == ContainerStatus::kRunning || status == ContainerStatus::kPaused;
  }
  bool CanStart() const { return !IsActive(); }
  bool CanRemove() const { return !IsActive(); }
};

std::string StateToJson(const ContainerState& state);
absl::StatusOr<ContainerState> StateFromJson(absl::string_view json);

// RFC 3339 with nanoseconds in UTC, as Docker prints times; InfinitePast is "0001-01-01T00:00:00Z".
std::string FormatRfc3339(absl::Time t);
absl::StatusOr<absl::Time> ParseTime(absl::string_view s);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_STATE_H_
