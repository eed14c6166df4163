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

// NotFound if the process is gone (or the pid now belongs to another process). Where the
// kernel gives no pidfd for a living process (ENOSYS under valgrind or on old kernels, EPERM
// in a seccomp sandbox), the handle is the process's /proc/PID directory instead, opened and
// then checked against the start time: it too refers to that process only (its files answer
// ESRCH once the process is gone, even if the pid is reused), but it cannot be polled, so
// WaitPidfd polls it every few milliseconds, and SignalPidfd checks it right before kill().
// Only ESRCH from pidfd_open means the process is gone.
absl::StatusOr<UniqueFd> OpenPidfd(const ProcessRef& ref);

// The /proc/PID handle OpenPidfd falls back to (exposed for tests).
absl::StatusOr<UniqueFd> OpenProcDirHandle(const ProcessRef& ref);

// Waits until the process has ended (a zombie counts as ended) or `deadline` passes; true if it
// ended.
bool WaitPidfd(int handle, absl::Time deadline);

// NotFound if the process has already ended.
absl::Status SignalPidfd(int handle, int signal);

}  // namespace mydocker

#endif  // MYDOCKER_HOST_PIDFD_H_
