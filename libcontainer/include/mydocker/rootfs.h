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
