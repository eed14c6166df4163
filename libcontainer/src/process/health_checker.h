// The monitor's health checks (docs/health.md): every interval a probe runs the check's command
// in the container through the exec helper (the nsenter stub, as `exec` does). Nothing here
// blocks the monitor's poll loop: the probe is a child whose output is a descriptor of the loop
// and whose end is one more SIGCHLD; timers are the loop's poll timeout.
#ifndef MYDOCKER_PROCESS_HEALTH_CHECKER_H_
#define MYDOCKER_PROCESS_HEALTH_CHECKER_H_

#include <poll.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "host/child_process.h"
#include "mydocker/health.h"
#include "mydocker/unique_fd.h"

namespace mydocker::process {

class HealthChecker {
 public:
  // What the exec helper needs to run the command: the stub's request and a pidfd of the
  // container's init.
  struct Request {
    std::string payload;
    UniqueFd init_pidfd;
    std::string seal_lower;  // for the stub (SpawnExecHelper)
  };
  // Builds it for a command, or fails (the probe then fails with that message).
  using RequestBuilder = std::function<absl::StatusOr<Request>(const std::vector<std::string>&)>;
  // True while probes are to be skipped (the container is paused).
  using PausedCheck = std::function<bool()>;

  HealthChecker() = default;
  HealthChecker(HealthConfig config, std::string record_path, RequestBuilder build,
                PausedCheck paused);

  bool enabled() const { return config_.Enabled(); }
  // A run began at `started`: status "starting", no streak, recorded; first probe an interval
  // later (Docker's).
  void Start(absl::Time started);
  // Ends the current probe (killed and reaped); no probe after it until the next Start.
  void Stop();

  // The loop's hooks: the probe's output descriptor to poll, the milliseconds until the next
  // timer (-1: none), and what to do after poll returned.
  void AddPollFds(std::vector<struct pollfd>& fds);
  int TimeoutMs(absl::Time now) const;
  void Handle(const std::vector<struct pollfd>& fds, absl::Time now);
  // The monitor reaped `pid` (its waitpid loop): true if it was the probe's helper.
  bool Reaped(int pid, int wait_status);

 private:
  void StartProbe(absl::Time now);
  absl::Status SpawnProbe();
  void ReadOutput();
  void FinishProbe(int exit_code, absl::Time now);
  void Save() const;

  HealthConfig config_;
  std::string record_path_;
  RequestBuilder build_;
  PausedCheck paused_;
  HealthState state_;
  absl::Time started_ = absl::InfinitePast();
  bool running_ = false;  // between Start and Stop
  absl::Time next_probe_ = absl::InfiniteFuture();

  // The probe in flight.
  ChildProcess helper_;
  UniqueFd socket_;  // the stub's reports
  UniqueFd output_;  // the command's stdout and stderr
  size_t poll_index_ = 0;
  std::string out_;
  absl::Time probe_start_;
  absl::Time deadline_ = absl::InfiniteFuture();  // the timeout; then the kill's grace
  bool timed_out_ = false;
};

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_HEALTH_CHECKER_H_
