// Restart policies on the client's side: what a user's stop does to the policy, `update
// --restart`, and which containers the boot unit starts. The monitor carries the policy out
// (process/monitor.cc, process/restart_policy.h).
#include <csignal>

#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "host/host.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "process/restart_policy.h"

namespace mydocker {

absl::StatusOr<ContainerState> RecordUserStop(Runtime& runtime, const std::string& id,
                                              bool cancel) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime.state().Lock(id));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState stored, runtime.state().LoadState(id));
  ContainerState state = ReconcileState(stored, runtime.host());
  if (!state.IsActive()) return state;
  if (!stored.manually_stopped || (cancel && !stored.restart_cancelled)) {
    stored.manually_stopped = true;
    stored.restart_cancelled = stored.restart_cancelled || cancel;
    // Best effort: a user's stop or kill goes on when the record cannot be written (a full
    // state root); the monitor, which reads the mark, then applies the policy as it stands.
    runtime.state().SaveState(stored).IgnoreError();
  }
  if (cancel && stored.status == ContainerStatus::kRestarting) {
    // No process to signal: the monitor ends its wait and records the container stopped.
    if (auto monitor = runtime.host().OpenProcess(stored.monitor); monitor.ok()) {
      runtime.host().SignalProcess(monitor->get(), SIGTERM).IgnoreError();
    }
  }
  return stored;
}

absl::Status RefuseRestarting(const ContainerState& state) {
  if (state.status != ContainerStatus::kRestarting) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "Container ", ShortId(state.id), " is restarting, wait until the container is running"));
}

absl::Status Container::UpdateRestartPolicy(const RestartPolicy& policy) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (state.auto_remove && !policy.IsNone()) {
    return absl::InvalidArgumentError(
        "Restart policy cannot be updated because AutoRemove is enabled for the container");
  }
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, Config());
  config.restart_policy = policy;
  return runtime_->state().SaveConfig(id_, config);
}

bool ShouldStartAtBoot(const ContainerState& state, const ContainerConfig& config) {
  return process::ShouldStartAtBoot(config.restart_policy, state);
}

}  // namespace mydocker
