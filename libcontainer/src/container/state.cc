// A container's record and configuration, reconciled with the kernel on every read.
#include "container/container_internal.h"
#include "host/host.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {

absl::StatusOr<ContainerState> Container::State() const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime_->state().LoadState(id_));
  return ReconcileState(std::move(state), runtime_->host());
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

ContainerState ReconcileState(ContainerState state) {
  return ReconcileState(std::move(state), RealHost());
}

}  // namespace mydocker
