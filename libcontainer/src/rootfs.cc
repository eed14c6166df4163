#include "mydocker/rootfs.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"

namespace mydocker {

Rootfs::Rootfs(std::string container_dir, std::vector<std::string> lower_dirs)
    : lower_dirs_(std::move(lower_dirs)),
      upper_dir_(container_dir + "/upper"),
      work_dir_(container_dir + "/work"),
      mount_point_(container_dir + "/rootfs") {}

Rootfs Rootfs::FromSpec(const std::string& container_dir, const RootSpec& spec) {
  Rootfs r(container_dir, spec.lower_dirs);
  if (!spec.upper_dir.empty()) r.upper_dir_ = spec.upper_dir;
  if (!spec.work_dir.empty()) r.work_dir_ = spec.work_dir;
  if (!spec.path.empty()) r.mount_point_ = spec.path;
  return r;
}

RootSpec Rootfs::Spec() const {
  RootSpec spec;
  spec.path = mount_point_;
  spec.lower_dirs = lower_dirs_;
  spec.upper_dir = upper_dir_;
  spec.work_dir = work_dir_;
  return spec;
}

absl::StatusOr<std::string> Rootfs::OverlayOptions() const {
  if (lower_dirs_.empty())
    return absl::InvalidArgumentError("root file system has no image layers");
  std::vector<const std::string*> paths = {&upper_dir_, &work_dir_};
  for (const std::string& dir : lower_dirs_) paths.push_back(&dir);
  for (const std::string* path : paths) {
    if (path->find_first_of(",:\\") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("layer path \"", *path, "\" contains ',', ':' or '\\'"));
    }
  }
  // redirect_dir and metacopy off whatever the kernel's defaults: with them a rename or chmod
  // in the container leaves an upper layer that only overlayfs can read (a redirect xattr, a
  // file without its data), which `commit` would turn into a wrong image. index off: the
  // layers are shared by many mounts at once.
  std::string options =
      absl::StrCat("lowerdir=", absl::StrJoin(lower_dirs_, ":"), ",upperdir=", upper_dir_,
                   ",workdir=", work_dir_, ",redirect_dir=off,metacopy=off,index=off");
  // mount(2) copies at most one page of options: past that the kernel cuts the layer list
  // short and the mount fails with a bare EINVAL.
  const size_t max = static_cast<size_t>(::sysconf(_SC_PAGESIZE)) - 1;
  if (options.size() > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "an image of ", lower_dirs_.size(), " layers is too many for one overlay mount here: its ",
        "options take ", options.size(), " bytes, the kernel takes at most ", max));
  }
  return options;
}

absl::Status Rootfs::Prepare() const {
  // In the container's directory as it is: never its parents. A container removed while it was
  // being created (`rm -f` of a name just taken) must stay removed, not come back as a
  // directory without records that nothing lists and nothing can remove.
  for (const std::string* dir : {&upper_dir_, &work_dir_, &mount_point_}) {
    if (::mkdir(dir->c_str(), 0755) != 0 && errno != EEXIST) {
      return LastErrnoError(absl::StrCat("create ", *dir));
    }
  }
  return absl::OkStatus();
}

absl::Status Rootfs::Unmount() const {
  if (::umount2(mount_point_.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return LastErrnoError(absl::StrCat("unmount ", mount_point_));
  }
  return absl::OkStatus();
}

}  // namespace mydocker
