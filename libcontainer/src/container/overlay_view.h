// A container's overlay seen from outside it (cp, export), mounted nowhere.
#ifndef MYDOCKER_CONTAINER_OVERLAY_VIEW_H_
#define MYDOCKER_CONTAINER_OVERLAY_VIEW_H_

#include <string>

#include "absl/status/statusor.h"
#include "mydocker/container_config.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

// Mounts an overlay with `options` ("key=value,...", as Rootfs::OverlayOptions gives them)
// detached (fsopen/fsmount): it belongs to no mount namespace, appears in no mount table, and is
// gone when the returned descriptor (the mount's root) closes, so nothing is left to clean up.
absl::StatusOr<UniqueFd> MountDetachedOverlay(const std::string& options);

// The same for a container of the fuse-overlayfs storage driver (mydocker/rootfs.h), whose
// whiteouts on an overlayfs state root (".wh." files) the kernel's overlay cannot read:
// fuse-overlayfs mounted with `options` on `scratch` (made, then removed) and detached at once.
// The descriptor keeps it; its daemon ends when the descriptor closes.
absl::StatusOr<UniqueFd> MountDetachedFuseOverlay(const std::string& options,
                                                  const std::string& scratch);

// The root file system of the container in `container_dir` (not running) as the overlay `root`
// describes it, mounted detached with its storage driver: the descriptor of its root.
absl::StatusOr<UniqueFd> MountDetachedRoot(const std::string& container_dir, const RootSpec& root);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_OVERLAY_VIEW_H_
