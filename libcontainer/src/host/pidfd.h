// Race-free handles on processes we are not the parent of (a container's init or monitor, seen
// from another mydocker process): a pidfd opened for a pid and checked against the recorded
// start time refers to that process and no other, even if the pid is recycled afterwards.
#ifndef MYDOCKER_HOST_PIDFD_H_
#define MYDOCKER_HOST_PIDFD_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mydocker/container_state.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

// NotFound if the process is gone (or the pid now belongs to another process).
absl::StatusOr<UniqueFd> OpenPidfd(const ProcessRef& ref);

// Waits until the process has ended or `deadline` passes; true if it ended.
bool WaitPidfd(int pidfd, absl::Time deadline);

absl::Status SignalPidfd(int pidfd, int signal);

}  // namespace mydocker

#endif  // MYDOCKER_HOST_PIDFD_H_
