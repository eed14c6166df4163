// A container's record and configuration, reconciled with the kernel on every read.
#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "host/host.h"
#include "mydocker/fs_util.h"
#include "mydocker/image_store.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {

absl::StatusOr<ContainerState> Container::State() const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime_->state().LoadState(id_));
  state = UndoDeadCommitUnlocked(*runtime_, std::move(state));
  return ReconcileRecord(std::move(state), runtime_->host(), runtime_->state());
}

ContainerState UndoDeadCommit(Runtime& runtime, ContainerState state) {
  if (state.committing.empty() || runtime.host().Alive(state.committing)) return state;
  // From the record as stored (`state` may be reconciled), which may have changed since.
  absl::StatusOr<ContainerState> record = runtime.state().LoadState(state.id);
  if (!record.ok() || !(record->committing == state.committing)) return state;
  // Frozen or about to be (the mark is recorded first): thawed either way. A container the user
  // had paused stays paused.
  if (record->commit_froze && record->IsActive()) {
    if (!runtime.cgroups().Freeze(record->cgroup_path, false).ok()) return state;
    record->status = ContainerStatus::kRunning;
  }
  record->committing = ProcessRef{};
  record->commit_froze = false;
  if (!runtime.state().SaveState(*record).ok()) return state;
  runtime.images().RemoveLeftovers().IgnoreError();
  return ReconcileState(*std::move(record), runtime.host());
}

ContainerState UndoDeadCommitUnlocked(Runtime& runtime, ContainerState state) {
  if (state.committing.empty() || runtime.host().Alive(state.committing)) return state;
  absl::StatusOr<FileLock> lock = runtime.state().TryLock(state.id);
  if (!lock.ok()) return state;
  return UndoDeadCommit(runtime, std::move(state));
}

absl::StatusOr<ContainerConfig> Container::Config() const {
  return runtime_->state().LoadConfig(id_);
}

ContainerState ReconcileState(ContainerState state, Host& host) {
  if (state.IsActive() && !host.Alive(state.init) && !host.Alive(state.monitor)) {
    // Neither the container's process nor its monitor exists (killed, host restarted): it is
    // stopped, and how it ended was never seen, so the exit code stays unknown.
    state.status = ContainerStatus::kStopped;
    if (state.error.empty()) state.error = "container process ended unobserved: exit code unknown";
  }
  return state;
}

ContainerState ReconcileRecord(ContainerState state, Host& host, const StateStore& store) {
  ContainerState reconciled = ReconcileState(state, host);
  if (!state.IsActive() || reconciled.IsActive()) return reconciled;
  // Both processes were gone when looked at, but the record was read before that: a monitor
  // that recorded the end and exited in between left how it ended in a newer record.
  absl::StatusOr<ContainerState> again = store.LoadState(state.id);
  if (!again.ok()) return reconciled;
  return ReconcileState(*std::move(again), host);
}

absl::StatusOr<UniqueFd> OpenRunningInit(Host& host, const ContainerState& state) {
  absl::StatusOr<UniqueFd> init =
      state.IsActive() ? host.OpenProcess(state.init) : absl::NotFoundError("not active");
  if (!init.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(state.id), " is not running"));
  }
  return init;
}

ContainerState ReconcileState(ContainerState state) {
  return ReconcileState(std::move(state), RealHost());
}

}  // namespace mydocker
