// Container::Remove: stop if forced, let the monitor finish, release and delete.
#include <csignal>

#include "absl/strings/str_cat.h"
#include "cleanup.h"
#include "container/container_internal.h"
#include "host/host.h"
#include "mydocker/fs_util.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {

absl::Status Container::Remove(bool force, bool remove_volumes) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (!state.CanRemove()) {
    if (!force) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot remove ", state.status == ContainerStatus::kRestarting ? "restarting" : "running",
          " container ", ShortId(id_), ": stop the container before removing or force remove"));
    }
    // Not restarted: a monitor waiting to restart it ends now rather than after its wait.
    if (auto marked = RecordUserStop(*runtime_, id_, /*cancel=*/true); marked.ok()) {
      state = *marked;
    }
    if (auto init = runtime_->host().OpenProcess(state.init); init.ok()) {
      runtime_->host().SignalProcess(init->get(), SIGKILL).IgnoreError();
    }
    if (state.status == ContainerStatus::kPaused) {
      runtime_->cgroups().Freeze(state.cgroup_path, false).IgnoreError();
    }
  }
  // Let a live monitor finish recording and releasing (it takes the lock to do so); after a
  // bounded wait the cleanup below is done here, idempotently, whatever the monitor managed.
  if (auto monitor = runtime_->host().OpenProcess(state.monitor); monitor.ok()) {
    if (!runtime_->host().WaitProcess(monitor->get(), runtime_->host().Now() + absl::Seconds(10))) {
      runtime_->host().SignalProcess(monitor->get(), SIGKILL).IgnoreError();
      runtime_->host().WaitProcess(monitor->get(), runtime_->host().Now() + absl::Seconds(5));
    }
  }
  const std::string dir = runtime_->state().ContainerDir(id_);
  auto lock = runtime_->state().Lock(id_);
  if (!PathExists(dir)) return absl::OkStatus();  // the monitor of a --rm container was first
  if (!lock.ok()) return lock.status();
  // Decide again under the lock: a concurrent `start` may have run it since we looked.
  MYDOCKER_ASSIGN_OR_RETURN(state, State());
  if (!state.CanRemove()) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " was started while being removed"));
  }
  MYDOCKER_RETURN_IF_ERROR(ReleaseResources(runtime_->host(), runtime_->cgroups(), dir, state));
  return runtime_->DeleteContainer(id_, remove_volumes);
}

}  // namespace mydocker
