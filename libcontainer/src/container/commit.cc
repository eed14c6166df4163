// Runtime::CommitContainer: a container's upper layer as a new image layer.
#include "absl/strings/str_cat.h"
#include "mydocker/container.h"
#include "mydocker/rootfs.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

// Freezes or thaws the container and records it, as pause and unpause do: a commit cut short
// leaves a frozen container that the record calls paused, which `unpause` resumes.
// REQUIRES: the caller holds the container's lock.
absl::Status SetFrozen(Runtime& runtime, ContainerState& state, bool frozen) {
  MYDOCKER_RETURN_IF_ERROR(runtime.cgroups().Freeze(state.cgroup_path, frozen));
  state.status = frozen ? ContainerStatus::kPaused : ContainerStatus::kRunning;
  absl::Status saved = runtime.state().SaveState(state);
  if (!saved.ok() && frozen) runtime.cgroups().Freeze(state.cgroup_path, false).IgnoreError();
  return saved;
}

absl::StatusOr<Image> CommitLocked(Runtime& runtime, const std::string& id, absl::string_view ref,
                                   absl::string_view comment, std::string* warning) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime.state().Lock(id));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime.state().LoadState(id));
  state = ReconcileState(std::move(state));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, runtime.state().LoadConfig(id));
  // By id: the container's image may have lost its tags since (rmi -f keeps it while used).
  MYDOCKER_ASSIGN_OR_RETURN(Image parent, runtime.images().Resolve(state.image_id));
  Rootfs rootfs = Rootfs::FromSpec(runtime.state().ContainerDir(id), config.root);
  // Like Docker: a running container is frozen so the layer is one consistent moment. The
  // status is read under the lock, so no start, pause or unpause slips in between.
  if (state.status != ContainerStatus::kRunning) {
    return runtime.images().Commit(parent, rootfs.upper_dir(), ref, comment);
  }
  MYDOCKER_RETURN_IF_ERROR(SetFrozen(runtime, state, true));
  absl::StatusOr<Image> image = runtime.images().Commit(parent, rootfs.upper_dir(), ref, comment);
  absl::Status thawed = SetFrozen(runtime, state, false);
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
