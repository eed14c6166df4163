// Docker's restart manager as pure functions: whether a container's monitor starts the process
// again after it ended, after which back-off, and whether `start --restartable` (the boot unit)
// starts a stopped container. The monitor keeps the back-off in memory between the runs it
// makes; unit-tested in restart_policy_test.cc.
#ifndef MYDOCKER_PROCESS_RESTART_POLICY_H_
#define MYDOCKER_PROCESS_RESTART_POLICY_H_

#include <optional>

#include "absl/time/time.h"
#include "mydocker/container_config.h"
#include "mydocker/container_state.h"

namespace mydocker::process {

// Docker's numbers: the first wait is 100 ms, each next one twice the last, at most a minute;
// a run that lasted 10 s or more starts the series again.
inline constexpr absl::Duration kRestartFirstDelay = absl::Milliseconds(100);
inline constexpr absl::Duration kRestartMaxDelay = absl::Minutes(1);
inline constexpr absl::Duration kRestartResetAfter = absl::Seconds(10);

class RestartBackoff {
 public:
  // The wait before the next restart of a run that lasted `ran_for` (advances the series).
  absl::Duration Next(absl::Duration ran_for);

 private:
  absl::Duration last_ = absl::ZeroDuration();
};

// True if `policy` restarts a run that ended with `exit_code` (nullopt: unknown, counted as a
// failure), given the record `current` (its restart count, whether a user stopped it).
bool ShouldRestart(const RestartPolicy& policy, const ContainerState& current,
                   std::optional<int> exit_code);

// The wait before restarting the run that ended (nullopt: not restarted). The back-off advances
// whenever the policy is not "no", as Docker's does.
std::optional<absl::Duration> DecideRestart(const RestartPolicy& policy,
                                            const ContainerState& current,
                                            std::optional<int> exit_code, absl::Duration ran_for,
                                            RestartBackoff& backoff);

// True if `start --restartable` starts this container: it ran before, is not active and its
// policy says it should run (always; unless-stopped if no user stopped it; on-failure if it
// failed or its end is unknown, and retries are left), as Docker's daemon decides at its start.
bool ShouldStartAtBoot(const RestartPolicy& policy, const ContainerState& state);

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_RESTART_POLICY_H_
