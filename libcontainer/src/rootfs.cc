#include "mydocker/rootfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "host/helper_spawn.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"
#include "program_path.h"

extern char** environ;

namespace mydocker {
namespace {

std::string FuseOverlayPath() {
  return ProgramPath("MYDOCKER_FUSE_OVERLAYFS", "fuse-overlayfs", "/usr/bin/fuse-overlayfs");
}

// OK if fuse-overlayfs can run here.
absl::Status FuseOverlayUsable() {
  const std::string program = FuseOverlayPath();
  if (::access(program.c_str(), X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat("the fuse-overlayfs storage driver needs ", program,
                     " (Debian package fuse-overlayfs; MYDOCKER_FUSE_OVERLAYFS names another)"));
  }
  if (::access("/dev/fuse", R_OK | W_OK) != 0) {
    return absl::NotFoundError("the fuse-overlayfs storage driver needs /dev/fuse");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ChooseStorageDriver(const std::string& requested,
                                                const std::string& root, std::string* notice) {
  if (requested == kOverlayDriver) return requested;
  if (requested == kFuseOverlayDriver) {
    MYDOCKER_RETURN_IF_ERROR(FuseOverlayUsable());
    return requested;
  }
  if (!requested.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown storage driver \"", requested, "\" (overlay or fuse-overlayfs)"));
  }
  struct statfs fs;
  if (::statfs(root.c_str(), &fs) != 0) return LastErrnoError(absl::StrCat("statfs ", root));
  if (fs.f_type != OVERLAYFS_SUPER_MAGIC) return std::string(kOverlayDriver);
  // The kernel refuses an overlay whose upper directory is on overlayfs ("not supported as
  // upperdir"): Docker's overlay-on-overlay.
  absl::Status usable = FuseOverlayUsable();
  if (notice != nullptr) {
    *notice = absl::StrCat(
        "state root ", root, " is on overlayfs, where the kernel's overlay ", "cannot be stacked: ",
        usable.ok() ? "using the fuse-overlayfs storage driver"
                    : absl::StrCat("containers cannot start (", usable.message(), ")"));
  }
  return std::string(usable.ok() ? kFuseOverlayDriver : kOverlayDriver);
}

absl::Status MountFuseOverlay(const std::string& options, const std::string& mount_point) {
  int err[2];
  if (::pipe2(err, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  UniqueFd err_r(err[0]);
  UniqueFd err_w(err[1]);
  // The daemon keeps no descriptor of ours (a state lock held by it would outlive the
  // container): SpawnInNewSession passes only stdio.
  const int stdio[3] = {-1, -1, err_w.get()};
  MYDOCKER_ASSIGN_OR_RETURN(
      pid_t pid,
      SpawnInNewSession({FuseOverlayPath(), "-o", options, mount_point}, environ, stdio, {}));
  err_w.reset();
  // fuse-overlayfs returns once its daemon serves the mount (libfuse's daemonize, which points
  // the daemon's stdio at /dev/null); what it said is in the pipe by then.
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string message;
  char buf[4096];
  ::fcntl(err_r.get(), F_SETFL, O_NONBLOCK);
  for (ssize_t n; (n = ::read(err_r.get(), buf, sizeof buf)) > 0 && message.size() < 65536;) {
    message.append(buf, static_cast<size_t>(n));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // Its warnings ("unknown argument ignored") come first; the error is the last line.
    std::vector<absl::string_view> lines = absl::StrSplit(message, '\n', absl::SkipWhitespace());
    return absl::InternalError(absl::StrCat("mount fuse-overlayfs on ", mount_point, ": ",
                                            lines.empty() ? "failed" : lines.back()));
  }
  return absl::OkStatus();
}

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

absl::StatusOr<std::string> Rootfs::FuseOverlayOptions() const {
  MYDOCKER_RETURN_IF_ERROR(OverlayOptions().status());  // the same checks
  // allow_other: a container's processes run as any user; suid and dev as the kernel's overlay
  // mount has them (FUSE mounts are nosuid,nodev unless told).
  return absl::StrCat("lowerdir=", absl::StrJoin(lower_dirs_, ":"), ",upperdir=", upper_dir_,
                      ",workdir=", work_dir_, ",allow_other,suid,dev");
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
