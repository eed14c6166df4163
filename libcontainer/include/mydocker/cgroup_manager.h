// Per-container cgroups. One interface, two drivers: cgroup v1 (one hierarchy per controller)
// and cgroup v2 (unified). Detect() chooses from /proc/self/mountinfo and /proc/self/cgroup.
//
// Paths given to the methods are relative to the hierarchy roots, e.g. "mydocker/<id>".
// All methods are idempotent where that makes sense (Destroy of a missing cgroup is OK) and
// thread-safe.
#ifndef MYDOCKER_CGROUP_MANAGER_H_
#define MYDOCKER_CGROUP_MANAGER_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/container_config.h"

namespace mydocker {

enum class CgroupVersion { kV1, kV2 };

struct CgroupStats {
  uint64_t cpu_usage_ns = 0;             // cumulative CPU time of the cgroup
  uint64_t memory_usage = 0;             // bytes (v1: usage minus inactive file cache, like Docker)
  std::optional<uint64_t> memory_limit;  // absent = unlimited
  uint64_t pids_current = 0;
  std::optional<uint64_t> pids_limit;
  uint64_t oom_kills = 0;
  // Not the cgroup's: filled by Container::Stats from the container's network namespace
  // (/proc/<init>/net/dev, every interface but lo); 0 with --network host or none.
  uint64_t net_rx_bytes = 0;
  uint64_t net_tx_bytes = 0;
  // Bytes read from and written to block devices by the cgroup's processes (v1
  // blkio.throttle.io_service_bytes_recursive, v2 io.stat); 0 where the controller is absent.
  uint64_t block_read_bytes = 0;
  uint64_t block_write_bytes = 0;
};

struct CgroupOptions {
  // Where cgroup file systems are found; tests point this at a sample file.
  std::string mountinfo_path = "/proc/self/mountinfo";
  // Reserved: container cgroups are placed relative to the hierarchy roots, not to our own
  // cgroup, so detection does not need to read it today.
  std::string self_cgroup_path = "/proc/self/cgroup";
  // Overrides detection: use this directory as the v2 unified root (seam for tests).
  std::string v2_root_override;
  // Overrides detection: controller name -> directory, for v1 (seam for tests).
  std::vector<std::pair<std::string, std::string>> v1_roots_override;
};

class CgroupManager {
 public:
  virtual ~CgroupManager() = default;

  static absl::StatusOr<std::unique_ptr<CgroupManager>> Detect(const CgroupOptions& options = {});

  virtual CgroupVersion version() const = 0;

  // Checks resource values before anything is created: negative values, cpus beyond the
  // machine, memory below what the kernel accepts, cpusets outside the parent's
  // (InvalidArgument). On v2 also FailedPrecondition when a limit's controller is not
  // available in the hierarchy (e.g. the unified hierarchy of a hybrid host).
  virtual absl::Status Validate(const LinuxResources& resources) const = 0;

  // Validates, creates the cgroup (in every controller it needs) and applies `resources`.
  // An existing cgroup is reused; one this call created is removed again if applying fails.
  virtual absl::Status Create(const std::string& path, const LinuxResources& resources) = 0;

  // Moves process `pid` into the cgroup.
  virtual absl::Status AddProcess(const std::string& path, pid_t pid) = 0;

  // Changes limits of an existing cgroup; absent fields are left as they are.
  virtual absl::Status Update(const std::string& path, const LinuxResources& resources) = 0;

  virtual absl::StatusOr<CgroupStats> Stats(const std::string& path) const = 0;

  // Freezes or thaws every process in the cgroup; returns once the kernel reports the state.
  virtual absl::Status Freeze(const std::string& path, bool frozen) = 0;
  virtual absl::StatusOr<bool> IsFrozen(const std::string& path) const = 0;

  // The processes in the cgroup (pids in the host's namespace).
  virtual absl::StatusOr<std::vector<pid_t>> Pids(const std::string& path) const = 0;

  // Removes the cgroup everywhere. A cgroup that still holds processes is drained (SIGKILL,
  // wait, retry); a missing one is success.
  virtual absl::Status Destroy(const std::string& path) = 0;

  // The files a single-threaded process writes "0" (itself) to in order to join the cgroup, one
  // per hierarchy: `tasks` on v1, `cgroup.procs` on v2. Used by a container's init and by exec's
  // stub, which move themselves. On v1 moving the calling thread takes no system-wide lock,
  // where writing a pid to cgroup.procs waits for an RCU grace period (3-6 ms here, measured).
  virtual absl::StatusOr<std::vector<std::string>> JoinFiles(const std::string& path) const = 0;

  // The cgroup's directory, for clone3(CLONE_INTO_CGROUP), which creates a process directly in
  // the cgroup: no migration and no lock (v2, where moving even a single thread through
  // cgroup.procs waits for an RCU grace period, 10-13 ms measured here). Empty when the driver
  // has no single directory (v1: one hierarchy per controller; JoinFiles it is).
  virtual absl::StatusOr<std::string> CloneIntoDir(const std::string& path) const = 0;

  // True if the kernel limits memory+swap in this hierarchy (v1 memory.memsw.*, v2
  // memory.swap.max), which Runtime::Create's Docker-like default (swap = memory) needs.
  virtual bool SwapLimitSupported() const = 0;

  // True if the path exists in any controller (used by tests and cleanup checks).
  virtual bool Exists(const std::string& path) const = 0;
};

}  // namespace mydocker

#endif  // MYDOCKER_CGROUP_MANAGER_H_
