// Whether a container's monitor is alive, in one system call and without allocating a file:
// what `ps` asks of every active container (issue #14: listing 200 containers must cost little
// more than listing one).
//
// Each monitor holds a POSIX record lock on one byte of <root>/monitors/<pid mod 16>, at an
// offset made of its pid and its start time (pid << 40 | start time in clock ticks), from the
// moment it records the container running until it exits. (A lock query walks the file's list
// of locks: sixteen files keep that list short with thousands of containers.) The kernel drops the
// lock when the process dies, however it dies, and a recycled pid has another start time, so a lock
// found at a monitor's offset is that very monitor, alive. Not finding it proves nothing (a monitor
// of an older version, or one that could not take its lock): callers then ask the kernel about the
// processes as before.
#ifndef MYDOCKER_MONITOR_LIVENESS_H_
#define MYDOCKER_MONITOR_LIVENESS_H_

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "mydocker/container_state.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

class MonitorLiveness {
 public:
  static constexpr int kShards = 16;  // lock files

  // The monitor's side: takes the lock for `self` (this process, as DescribeProcess gives it).
  // The lock lasts while the returned descriptor is open and this process lives; the process
  // must not open and close its lock file otherwise (POSIX locks go with any close).
  static absl::StatusOr<UniqueFd> Hold(const std::string& root, const ProcessRef& self);

  // The reader's side, for one listing: the file is opened once, when first asked.
  explicit MonitorLiveness(std::string root) : root_(std::move(root)) {}
  // True if the monitor `ref` holds its lock, so it is alive.
  bool Held(const ProcessRef& ref);

 private:
  std::string root_;
  std::array<UniqueFd, kShards> fds_;
  std::array<bool, kShards> opened_ = {};
};

}  // namespace mydocker

#endif  // MYDOCKER_MONITOR_LIVENESS_H_
