// Runtime::CommitContainer: a container's upper layer as a new image layer.
#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "host/host.h"
#include "mydocker/container.h"
#include "mydocker/rootfs.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

// Marks the record with this process and freezes a running container (recorded paused, as
// pause does), or the reverse. The mark is written before the freeze: a commit killed at any
// point leaves a mark whose process is gone, and whoever reads the record next thaws the
// container and removes the temporary layer (UndoDeadCommit).
// REQUIRES: the caller holds the container's lock.
absl::Status BeginCommit(Runtime& runtime, ContainerState& state, bool freeze) {
  state.committing = runtime.host().Self();
  state.commit_froze = freeze;
  if (freeze) state.status = ContainerStatus::kPaused;
  MYDOCKER_RETURN_IF_ERROR(runtime.state().SaveState(state));
  if (!freeze) return absl::OkStatus();
  absl::Status frozen = runtime.cgroups().Freeze(state.cgroup_path, true);
  if (!frozen.ok()) runtime.cgroups().Freeze(state.cgroup_path, false).IgnoreError();
  return frozen;
}

absl::Status EndCommit(Runtime& runtime, ContainerState& state, bool thaw) {
  if (thaw) {
    MYDOCKER_RETURN_IF_ERROR(runtime.cgroups().Freeze(state.cgroup_path, false));
    state.status = ContainerStatus::kRunning;
  }
  state.committing = ProcessRef{};
  state.commit_froze = false;
  return runtime.state().SaveState(state);
}

absl::StatusOr<Image> CommitLocked(Runtime& runtime, const std::string& id, absl::string_view ref,
                                   absl::string_view comment, std::string* warning) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime.state().Lock(id));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime.state().LoadState(id));
  state = ReconcileState(UndoDeadCommit(runtime, std::move(state)));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, runtime.state().LoadConfig(id));
  // By id: the container's image may have lost its tags since (rmi -f keeps it while used).
  MYDOCKER_ASSIGN_OR_RETURN(Image parent, runtime.images().Resolve(state.image_id));
  Rootfs rootfs = Rootfs::FromSpec(runtime.state().ContainerDir(id), config.root);
  // Like Docker: a running container is frozen so the layer is one consistent moment. The
  // status is read under the lock, so no start, pause or unpause slips in between.
  const bool freeze = state.status == ContainerStatus::kRunning;
  if (absl::Status begun = BeginCommit(runtime, state, freeze); !begun.ok()) {
    EndCommit(runtime, state, freeze).IgnoreError();
    return begun;
  }
  absl::StatusOr<Image> image = runtime.images().Commit(parent, rootfs.upper_dir(), ref, comment);
  absl::Status thawed = EndCommit(runtime, state, freeze);
  if (thawed.ok()) return image;
  std::string stuck = absl::StrCat("container ", ShortId(id), " could not be resumed (",
                                   thawed.message(), "): `unpause` it");
  if (!image.ok()) {
    return absl::Status(image.status().code(), absl::StrCat(image.status().message(), "; ", stuck));
  }
  // The image is stored and complete: the commit succeeded, only the resume did not.
  if (warning != nullptr) *warning = stuck;
  return image;
}

}  // namespace

absl::StatusOr<Image> Runtime::CommitContainer(absl::string_view container, absl::string_view ref,
                                               absl::string_view comment, std::string* warning) {
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Container> c, Get(container));
  return CommitLocked(*this, c->id(), ref, comment, warning);
}

}  // namespace mydocker
