// A container's root file system: an overlay of the image's read-only layers with the
// container's own upper layer (as in the tutorial's chapter on rootfs isolation: every container
// writes only into its own upper directory, never into the image or another container).
//
//   <container dir>/upper/    the container's changes (kept across restarts, until rm)
//   <container dir>/work/     overlayfs's work directory
//   <container dir>/rootfs/   the mount point; the overlay is mounted there only inside the
//                             container's own mount namespace, so it never outlives it
#ifndef MYDOCKER_ROOTFS_H_
#define MYDOCKER_ROOTFS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/container_config.h"

namespace mydocker {

// Storage drivers: how a container's layers become its root file system.
//   "overlay"         the kernel's overlayfs, mounted by the container's init in its own mount
//                     namespace (the default).
//   "fuse-overlayfs"  the FUSE implementation (Debian's fuse-overlayfs), for a state root on
//                     overlayfs (mydocker inside a container), where the kernel refuses an
//                     overlay whose upper directory is on overlayfs. The container's monitor
//                     mounts it at the mount point before init starts; the daemon ends when the
//                     container stops and the mount point is unmounted.
inline constexpr char kOverlayDriver[] = "overlay";
inline constexpr char kFuseOverlayDriver[] = "fuse-overlayfs";

// The driver for a runtime on `root` (an existing directory). `requested`: "overlay",
// "fuse-overlayfs", or empty (automatic: overlay unless `root` is on overlayfs). *notice gets
// one line when the automatic choice falls back. InvalidArgument for another name; when
// fuse-overlayfs is chosen, NotFound (with the package to install) if it cannot run here.
absl::StatusOr<std::string> ChooseStorageDriver(const std::string& requested,
                                                const std::string& root, std::string* notice);

// Mounts fuse-overlayfs with `options` (FuseOverlayOptions) at `mount_point` in the caller's
// mount namespace; returns once the mount is there. Its daemon runs until it is unmounted.
absl::Status MountFuseOverlay(const std::string& options, const std::string& mount_point);

class Rootfs {
 public:
  // `lower_dirs`: the image's layer directories, topmost first.
  Rootfs(std::string container_dir, std::vector<std::string> lower_dirs);
  // The root file system a configuration describes.
  static Rootfs FromSpec(const std::string& container_dir, const RootSpec& spec);

  // The OCI-shaped description (root.path plus mydocker's layer fields).
  RootSpec Spec() const;

  // overlayfs mount options. InvalidArgument if a path holds a character overlayfs treats as
  // a separator (',', ':', '\\'), there are no layers, or the options outgrow the one page
  // mount(2) takes (some 37 layers under a root of 20 characters).
  absl::StatusOr<std::string> OverlayOptions() const;
  // fuse-overlayfs's options for the same layers (mounted by root for processes of any user).
  absl::StatusOr<std::string> FuseOverlayOptions() const;

  // Creates the upper, work and mount point directories (existing ones are kept) in their
  // directory, which must exist: NotFound if it does not (a container removed meanwhile).
  absl::Status Prepare() const;

  // Unmounts the mount point if something is mounted there on the host (a leftover of a crash
  // mid-setup); "not mounted" is success.
  absl::Status Unmount() const;

  const std::string& mount_point() const { return mount_point_; }
  const std::string& upper_dir() const { return upper_dir_; }
  const std::string& work_dir() const { return work_dir_; }

 private:
  std::vector<std::string> lower_dirs_;
  std::string upper_dir_;
  std::string work_dir_;
  std::string mount_point_;
};

}  // namespace mydocker

#endif  // MYDOCKER_ROOTFS_H_
