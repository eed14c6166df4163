// Runtime::CommitContainer: a container's upper layer as a new image layer.
#include "mydocker/rootfs.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

absl::StatusOr<Image> CommitLocked(Runtime& runtime, const std::string& id, absl::string_view ref,
                                   absl::string_view comment) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime.state().Lock(id));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime.state().LoadState(id));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, runtime.state().LoadConfig(id));
  // By id: the container's image may have lost its tags since (rmi -f keeps it while used).
  MYDOCKER_ASSIGN_OR_RETURN(Image parent, runtime.images().Resolve(state.image_id));
  Rootfs rootfs = Rootfs::FromSpec(runtime.state().ContainerDir(id), config.root);
  return runtime.images().Commit(parent, rootfs.upper_dir(), ref, comment);
}

}  // namespace

absl::StatusOr<Image> Runtime::CommitContainer(absl::string_view container, absl::string_view ref,
                                               absl::string_view comment) {
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Container> c, Get(container));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, c->State());
  // Like Docker: a running container is frozen so the layer is one consistent moment.
  bool pause = state.status == ContainerStatus::kRunning;
  if (pause) MYDOCKER_RETURN_IF_ERROR(c->Pause());
  absl::StatusOr<Image> image = CommitLocked(*this, c->id(), ref, comment);
  if (pause) {
    absl::Status resumed = c->Unpause();
    if (!resumed.ok() && image.ok()) return resumed;
  }
  return image;
}

}  // namespace mydocker
