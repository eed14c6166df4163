// The seam in front of the kernel for a container's lifecycle: processes we are not the parent
// of (pidfds checked against recorded start times), the helper processes we spawn, /proc reads,
// host mounts and the clock. Container and Runtime reach the host only through it, so their
// decisions (what to signal, when to wait, what to release, what to record) are unit-tested
// with the recording fake in host/testing/ without root; integration tests prove the real one.
// LevelDB's Env and youki's Syscall trait are the models.
//
// Thread-safety: implementations are safe to call from many threads at once.
#ifndef MYDOCKER_HOST_HOST_H_
#define MYDOCKER_HOST_HOST_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "host/child_process.h"
#include "host/kernel_features.h"
#include "mydocker/container.h"
#include "mydocker/container_state.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

// A helper binary to start in a new session (the container's monitor, exec's stub).
struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is the executable's path
  int stdio[3] = {-1, -1, -1};    // < 0: /dev/null
  // (descriptor here, number in the child); every other descriptor must be close-on-exec.
  std::vector<std::pair<int, int>> fds;
  // The child's environment: the caller's own (environ) unless set.
  std::vector<std::string> env;
  bool inherit_env = true;
  // Execute argv[0] through a copy no process can write to (CVE-2019-5736): a private read-only
  // overlay whose second layer is `protect_lower` (mydocker_protected_exe), else a sealed memfd
  // copy; argv[0] becomes the host file's real path. The child gets that copy as the descriptor
  // after the highest of `fds` (it executes /proc/self/fd/N) and should close it.
  bool protect_executable = false;
  std::string protect_lower;
};

class Host {
 public:
  virtual ~Host() = default;

  // A handle on the process `ref` names that stays valid if its pid is recycled. NotFound if it
  // is gone (or the pid now belongs to another process).
  virtual absl::StatusOr<UniqueFd> OpenProcess(const ProcessRef& ref) = 0;
  // True once the process behind `handle` has ended; false if `deadline` came first.
  virtual bool WaitProcess(int handle, absl::Time deadline) = 0;
  // NotFound if the process has already ended.
  virtual absl::Status SignalProcess(int handle, int signal) = 0;
  // True if this exact process (pid and start time) exists.
  virtual bool Alive(const ProcessRef& ref) = 0;
  // What `top` shows of a process (/proc/PID/stat, status, cmdline).
  virtual absl::StatusOr<ProcessInfo> ReadProcess(int pid) = 0;

  // Starts a child in a new session with default signal dispositions and an empty mask; the
  // result kills and reaps it unless it is waited for or released.
  virtual absl::StatusOr<ChildProcess> Spawn(const SpawnRequest& request) = 0;
  // Waits for our child `pid` to end and returns its wait status (ChildProcess::Wait).
  virtual absl::StatusOr<int> Reap(pid_t pid) = 0;

  // OK if `path` is a regular file this process may execute; NotFound or PermissionDenied
  // naming it otherwise (Runtime::Open checks the helper binary so).
  virtual absl::Status CheckExecutable(const std::string& path) = 0;

  // Unmounts `path` (detached) if something is mounted there; OK if nothing is.
  virtual absl::Status UnmountIfMounted(const std::string& path) = 0;

  // What the kernel offers (host/kernel_features.h); Runtime::Open asks once.
  virtual KernelFeatures ProbeKernel() = 0;
  // This process's effective capabilities (bit N = capability N): Runtime::Open refuses a
  // caller without those a container's setup uses (CheckRootPrivileges).
  virtual uint64_t EffectiveCapabilities() = 0;

  virtual absl::Time Now() = 0;
  // This process.
  virtual ProcessRef Self() = 0;
};

// The real host (Linux). Never destroyed.
Host& RealHost();

}  // namespace mydocker

#endif  // MYDOCKER_HOST_HOST_H_
