// Container::Remove: stop if forced, let the monitor finish, release and delete.
#include <csignal>

#include "absl/strings/str_cat.h"
#include "cleanup.h"
#include "container/container_internal.h"
#include "container_events.h"
#include "host/host.h"
#include "mydocker/fs_util.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {

namespace {

// One attempt: stop if forced, let the monitor finish, release and delete. False when a start
// ran the container again before the lock was ours (its monitor was already on its way: a
// `start` or `restart` whose client died goes on without it).
absl::StatusOr<bool> RemoveOnce(Runtime& runtime, const Container& container, bool force,
                                bool remove_volumes) {
  const std::string& id = container.id();
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, container.State());
  if (!state.CanRemove()) {
    if (!force) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot remove ", state.status == ContainerStatus::kRestarting ? "restarting" : "running",
          " container ", ShortId(id), ": stop the container before removing or force remove"));
    }
    // Not restarted: a monitor waiting to restart it ends now rather than after its wait.
    if (auto marked = RecordUserStop(runtime, id, /*cancel=*/true); marked.ok()) {
      state = *marked;
    }
    if (auto init = runtime.host().OpenProcess(state.init); init.ok()) {
      // Docker's rm -f of a running container writes kill (signal 9) before die and destroy.
      if (runtime.host().SignalProcess(init->get(), SIGKILL).ok()) {
        RecordContainerEvent(runtime.state(), state, "kill", {{"signal", "9"}});
      }
    }
    if (state.status == ContainerStatus::kPaused) {
      runtime.cgroups().Freeze(state.cgroup_path, false).IgnoreError();
    }
  }
  // Let a live monitor finish recording and releasing (it takes the lock to do so); after a
  // bounded wait the cleanup below is done here, idempotently, whatever the monitor managed.
  if (auto monitor = runtime.host().OpenProcess(state.monitor); monitor.ok()) {
    if (!runtime.host().WaitProcess(monitor->get(), runtime.host().Now() + absl::Seconds(10))) {
      runtime.host().SignalProcess(monitor->get(), SIGKILL).IgnoreError();
      runtime.host().WaitProcess(monitor->get(), runtime.host().Now() + absl::Seconds(5));
    }
  }
  const std::string dir = runtime.state().ContainerDir(id);
  auto lock = runtime.state().Lock(id);
  if (!PathExists(dir)) return true;  // the monitor of a --rm container was first
  if (!lock.ok()) return lock.status();
  // Decide again under the lock: a concurrent `start` may have run it since we looked.
  MYDOCKER_ASSIGN_OR_RETURN(state, container.State());
  if (!state.CanRemove()) return false;
  MYDOCKER_RETURN_IF_ERROR(ReleaseResources(runtime.host(), runtime.cgroups(), dir, state));
  // Docker writes destroy once it is gone; the labels are read while they still exist.
  auto config = runtime.state().LoadConfig(id);
  MYDOCKER_RETURN_IF_ERROR(runtime.DeleteContainer(id, remove_volumes));
  RecordContainerEvent(runtime.state(), state, "destroy",
                       config.ok() ? config->labels : std::map<std::string, std::string>{});
  return true;
}

}  // namespace

absl::Status Container::Remove(bool force, bool remove_volumes) {
  // Forced, a container some start ran again meanwhile is stopped again (a few times at most:
  // a user starting it in a loop wins, and is told).
  for (int attempt = 0;; ++attempt) {
    MYDOCKER_ASSIGN_OR_RETURN(bool removed, RemoveOnce(*runtime_, *this, force, remove_volumes));
    if (removed) return absl::OkStatus();
    if (!force || attempt == 2) {
      return absl::FailedPreconditionError(
          absl::StrCat("container ", ShortId(id_), " was started while being removed"));
    }
  }
}

}  // namespace mydocker
