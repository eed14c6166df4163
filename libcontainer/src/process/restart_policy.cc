#include "process/restart_policy.h"

#include <algorithm>

namespace mydocker::process {

absl::Duration RestartBackoff::Next(absl::Duration ran_for) {
  if (ran_for >= kRestartResetAfter) last_ = absl::ZeroDuration();
  last_ = last_ == absl::ZeroDuration() ? kRestartFirstDelay : last_ * 2;
  last_ = std::min(last_, kRestartMaxDelay);
  return last_;
}

bool ShouldRestart(const RestartPolicy& policy, const ContainerState& current,
                   std::optional<int> exit_code) {
  if (policy.IsNone() || current.restart_cancelled) return false;
  if (policy.name == "always") return true;
  if (policy.name == "unless-stopped") return !current.manually_stopped;
  if (policy.name != "on-failure") return false;
  if (policy.max_retries > 0 && current.restart_count >= policy.max_retries) return false;
  return exit_code != 0;  // nullopt (unknown) counts as a failure
}

std::optional<absl::Duration> DecideRestart(const RestartPolicy& policy,
                                            const ContainerState& current,
                                            std::optional<int> exit_code, absl::Duration ran_for,
                                            RestartBackoff& backoff) {
  if (policy.IsNone() || current.restart_cancelled) return std::nullopt;
  absl::Duration delay = backoff.Next(ran_for);
  if (!ShouldRestart(policy, current, exit_code)) return std::nullopt;
  return delay;
}

bool ShouldStartAtBoot(const RestartPolicy& policy, const ContainerState& state) {
  if (state.IsActive() || state.started == absl::InfinitePast()) return false;
  ContainerState as_if_ran = state;
  as_if_ran.restart_cancelled = false;  // a user's stop cancels a run, not the next boot
  return ShouldRestart(policy, as_if_ran, state.exit_code);
}

}  // namespace mydocker::process
