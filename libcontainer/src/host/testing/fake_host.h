// A recording fake of the host seam for unit tests: scripted processes (which signals end them,
// which others end with them), scripted helper spawns, simulated time, injected errors, and a
// log of every call in order. Handles are real descriptors (eventfds) mapped to fake pids, so
// nothing here can signal or reap a real process.
#ifndef MYDOCKER_HOST_TESTING_FAKE_HOST_H_
#define MYDOCKER_HOST_TESTING_FAKE_HOST_H_

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "host/host.h"

namespace mydocker::testing {

class FakeHost final : public Host {
 public:
  struct Process {
    ProcessRef ref;
    bool alive = true;
    std::set<int> fatal_signals;     // signals that end it (SIGKILL always does)
    std::vector<int> exit_with;      // pids that end when this one does (a monitor after its init)
    bool exits_when_waited = false;  // ends on its own while someone waits for it
    std::function<void()> on_end;    // what it does as it ends (a monitor deleting a --rm record)
    ProcessInfo info;
  };

  FakeHost();

  // A live process with a fresh pid; SIGTERM and SIGKILL end it unless told otherwise.
  ProcessRef AddProcess();
  Process& process(int pid) { return processes_.at(pid); }
  // Ends a process now (and what ends with it).
  void End(int pid);

  // What Spawn does: gets the request (the control socket is request.fds[0].first), returns
  // the child's wait status for Reap. Unset: spawning fails with EAGAIN.
  std::function<absl::StatusOr<int>(const SpawnRequest&)> on_spawn;
  // Runs once, at the next Alive() (before it answers): something that happens between a
  // caller's read of a record and its look at the processes.
  std::function<void()> before_next_alive;
  // Errors the next calls return, once each.
  std::optional<absl::Status> next_open_error, next_signal_error, next_unmount_error,
      next_executable_error;

  // Every call, in order: "open 101", "signal 101 15", "wait 101 -> ended|timeout",
  // "spawn ARGV0", "reap 200", "unmount PATH".
  std::vector<std::string> calls() const;
  bool Called(const std::string& call) const;
  absl::Time now() const { return now_; }

  absl::StatusOr<UniqueFd> OpenProcess(const ProcessRef& ref) override;
  bool WaitProcess(int handle, absl::Time deadline) override;
  absl::Status SignalProcess(int handle, int signal) override;
  bool Alive(const ProcessRef& ref) override;
  absl::StatusOr<ProcessInfo> ReadProcess(int pid) override;
  absl::Status CheckExecutable(const std::string& path) override;
  absl::StatusOr<ChildProcess> Spawn(const SpawnRequest& request) override;
  absl::StatusOr<int> Reap(pid_t pid) override;
  absl::Status UnmountIfMounted(const std::string& path) override;
  KernelFeatures ProbeKernel() override { return kernel; }
  uint64_t EffectiveCapabilities() override { return capabilities; }
  absl::Time Now() override { return now_; }
  ProcessRef Self() override { return self; }
  // What ProbeKernel() and EffectiveCapabilities() answer: by default a kernel with everything
  // and every capability.
  KernelFeatures kernel = {"6.18.0", {6, 18}, {}, true, true};
  uint64_t capabilities = ~uint64_t{0};
  // What Self() answers: by default no process the fake knows (so not alive).
  ProcessRef self = {1, 1};

 private:
  UniqueFd NewHandle(int pid);
  void EndLocked(int pid);
  void Record(std::string call);

  mutable std::mutex mu_;
  std::map<int, Process> processes_;
  std::vector<std::string> checked_executables_;
  std::map<int, int> handles_;      // descriptor -> pid
  std::map<int, int> wait_status_;  // spawned child -> wait status
  std::vector<std::string> calls_;
  int next_pid_ = 100;
  absl::Time now_;
};

}  // namespace mydocker::testing

#endif  // MYDOCKER_HOST_TESTING_FAKE_HOST_H_
