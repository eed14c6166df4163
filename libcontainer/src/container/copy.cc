// Container::StatPath, CopyFrom, CopyTo: `cp` as tar streams (Docker's archive API).
//
// Every path is resolved inside the container's root with openat2(RESOLVE_IN_ROOT): a symlink
// planted in the container ("/x -> /etc", "../../..", "/proc/self/root") never leads to the host.
// The tree is then walked from descriptors without following anything (LayerPacker), and a tar is
// unpacked below a descriptor refusing symlinks on the way (LayerUnpacker), so a swap during the
// copy cannot lead out either.
//
// The root: a running (or paused) container's own mount view, /proc/<pid>/root, so its volumes,
// binds and tmpfs are seen as its processes see them. A stopped one's overlay is mounted detached
// (fsopen/fsmount: in no mount namespace, gone when its descriptor closes, nothing to clean up),
// under the container's lock so that it is not started meanwhile; its volumes and binds are not
// mounted but a path under one of their destinations is taken from the volume's directory.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "container/container_internal.h"
#include "container/overlay_view.h"
#include "host/host.h"
#include "image/layer_packer.h"
#include "image/layer_unpacker.h"
#include "in_root.h"
#include "mydocker/container.h"
#include "mydocker/fs_util.h"
#include "mydocker/rootfs.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

// The container's file system as cp sees it.
struct View {
  UniqueFd root;                  // the root directory (O_PATH)
  std::optional<FileLock> lock;   // held for a stopped container
  std::vector<MountSpec> mounts;  // a stopped container's binds and volumes, not mounted
  std::string name;               // for messages
};

// "/a/./b/../c/" -> {"a", "c"}: the lexical form, only to match mount destinations.
std::vector<std::string> Lexical(const std::string& path) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.emplace_back(part);
  }
  return parts;
}

absl::StatusOr<UniqueFd> OpenRunningRoot(Runtime& runtime, const ContainerState& state) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd pidfd, OpenRunningInit(runtime.host(), state));
  std::string proc = absl::StrCat("/proc/", state.init.pid);
  UniqueFd dir(::open(proc.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return LastErrnoError(absl::StrCat("open ", proc));
  // Still the same process after the open: /proc/<pid> then names it, not a recycled pid.
  if (!runtime.host().Alive(state.init)) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(state.id), " is not running"));
  }
  UniqueFd root(::openat(dir.get(), "root", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return LastErrnoError(absl::StrCat("open the root of container ", ShortId(state.id)));
  return root;
}

absl::StatusOr<View> OpenView(Runtime& runtime, const std::string& id) {
  View view;
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime.state().LoadState(id));
  state = ReconcileState(std::move(state));
  view.name = state.name;
  if (state.IsActive()) {
    MYDOCKER_ASSIGN_OR_RETURN(view.root, OpenRunningRoot(runtime, state));
    return view;
  }
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime.state().Lock(id));
  view.lock.emplace(std::move(lock));
  MYDOCKER_ASSIGN_OR_RETURN(state, runtime.state().LoadState(id));
  state = ReconcileState(std::move(state));
  if (state.IsActive()) {  // started meanwhile
    view.lock.reset();
    MYDOCKER_ASSIGN_OR_RETURN(view.root, OpenRunningRoot(runtime, state));
    return view;
  }
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, runtime.state().LoadConfig(id));
  MYDOCKER_ASSIGN_OR_RETURN(view.root,
                            MountDetachedRoot(runtime.state().ContainerDir(id), config.root));
  for (const MountSpec& m : config.mounts) {
    if (m.type == "bind" || m.type == "volume") view.mounts.push_back(m);
  }
  return view;
}

// Where `path` is: the root to resolve it in and the path below that root. For a stopped
// container, a path under a bind's or volume's destination is taken from its source (a file
// bound alone, as /etc/hosts, only under its own name).
struct Place {
  UniqueFd owned;  // the source directory of a bind, if one holds the path
  int root = -1;
  std::string rest;
  bool readonly = false;
};

const MountSpec* Holder(const View& view, const std::vector<std::string>& parts, size_t* depth) {
  const MountSpec* found = nullptr;
  *depth = 0;
  for (const MountSpec& m : view.mounts) {
    std::vector<std::string> dest = Lexical(m.destination);
    if (dest.empty() || dest.size() < *depth || dest.size() > parts.size()) continue;
    if (!std::equal(dest.begin(), dest.end(), parts.begin())) continue;
    *depth = dest.size();
    found = &m;
  }
  return found;
}

absl::StatusOr<Place> Locate(const View& view, const std::string& path) {
  Place place{UniqueFd(), view.root.get(), path};
  std::vector<std::string> parts = Lexical(path);
  size_t depth = 0;
  const MountSpec* m = Holder(view, parts, &depth);
  if (m == nullptr) return place;
  place.readonly = std::find(m->options.begin(), m->options.end(), "ro") != m->options.end();
  place.rest = absl::StrJoin(parts.begin() + static_cast<long>(depth), parts.end(), "/");
  std::string source = m->source;
  struct stat st;
  if (::stat(source.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
    if (!place.rest.empty()) return absl::NotFoundError(absl::StrCat("no such file: ", path));
    size_t slash = source.rfind('/');
    place.rest = source.substr(slash + 1);
    source = slash == 0 ? "/" : source.substr(0, slash);
  }
  place.owned.reset(::open(source.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!place.owned) return LastErrnoError(absl::StrCat("open ", source));
  place.root = place.owned.get();
  return place;
}

bool FollowsLast(const std::string& path, bool follow_link) {
  return follow_link || absl::EndsWith(path, "/") || absl::EndsWith(path, "/.");
}

// The object `path` names, open O_PATH; Docker's message when it is missing. `*readonly` tells
// whether a stopped container's read-only bind holds it.
absl::StatusOr<UniqueFd> OpenObject(const View& view, const std::string& path, bool follow,
                                    bool* readonly = nullptr) {
  absl::StatusOr<Place> place = Locate(view, path);
  int flags = O_PATH | (follow ? 0 : O_NOFOLLOW);
  absl::StatusOr<UniqueFd> fd = place.ok() ? OpenPathInRoot(place->root, place->rest, flags)
                                           : absl::StatusOr<UniqueFd>(place.status());
  if (readonly != nullptr && place.ok()) *readonly = place->readonly;
  if (absl::IsNotFound(fd.status())) {
    return absl::NotFoundError(
        absl::StrCat("Could not find the file ", path, " in container ", view.name));
  }
  return fd;
}

std::string BaseName(const std::string& path) {
  std::vector<std::string> parts = Lexical(path);
  return parts.empty() ? "/" : parts.back();
}

}  // namespace

namespace {

// Without the new mount API (ENOSYS: Linux before 5.2, valgrind): mount(2) on a fresh private
// directory, open the mount's root, and detach it at once (MNT_DETACH): the descriptor keeps it
// alive and nothing else sees it, as with fsmount. The directory is removed again.
absl::StatusOr<UniqueFd> MountAndDetachOverlay(const std::string& options) {
  char dir[] = "/tmp/mydocker-overlay-XXXXXX";
  if (::mkdtemp(dir) == nullptr) return LastErrnoError("make a directory for an overlay mount");
  absl::Cleanup remove_dir = [&dir] { ::rmdir(dir); };
  if (::mount("overlay", dir, "overlay", MS_NODEV | MS_NOSUID, options.c_str()) != 0) {
    return LastErrnoError("mount the container's root file system");
  }
  UniqueFd root(::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
  const int open_errno = errno;
  if (::umount2(dir, MNT_DETACH) != 0) return LastErrnoError("detach the overlay mount");
  if (!root) return ErrnoError(open_errno, "open the container's root file system");
  return root;
}

}  // namespace

absl::StatusOr<UniqueFd> MountDetachedOverlay(const std::string& options) {
  UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs && errno == ENOSYS) return MountAndDetachOverlay(options);
  if (!fs) return LastErrnoError("fsopen overlay");
  for (absl::string_view option : absl::StrSplit(options, ',')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(option, absl::MaxSplits('=', 1));
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, kv.first.c_str(), kv.second.c_str(), 0) != 0) {
      return LastErrnoError(absl::StrCat("overlay option ", kv.first));
    }
  }
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return LastErrnoError("mount the container's root file system");
  }
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID));
  if (!mnt) return LastErrnoError("mount the container's root file system");
  return mnt;
}

absl::StatusOr<UniqueFd> MountDetachedFuseOverlay(const std::string& options,
                                                  const std::string& scratch) {
  if (::mkdir(scratch.c_str(), 0700) != 0 && errno != EEXIST) {
    return LastErrnoError("mkdir " + scratch);
  }
  absl::Status mounted = MountFuseOverlay(options, scratch);
  UniqueFd root;
  if (mounted.ok()) {
    root.reset(::open(scratch.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) mounted = LastErrnoError("open " + scratch);
    ::umount2(scratch.c_str(), MNT_DETACH);
  }
  ::rmdir(scratch.c_str());
  MYDOCKER_RETURN_IF_ERROR(mounted);
  return root;
}

absl::StatusOr<UniqueFd> MountDetachedRoot(const std::string& container_dir, const RootSpec& root) {
  Rootfs rootfs = Rootfs::FromSpec(container_dir, root);
  if (root.storage_driver == kFuseOverlayDriver) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string options, rootfs.FuseOverlayOptions());
    return MountDetachedFuseOverlay(options, container_dir + "/cp-view");
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::string options, rootfs.OverlayOptions());
  return MountDetachedOverlay(options);
}

absl::StatusOr<ContainerPathStat> Container::StatPath(const std::string& path,
                                                      bool follow_link) const {
  MYDOCKER_ASSIGN_OR_RETURN(View view, OpenView(*runtime_, id_));
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(view, path, FollowsLast(path, follow_link)));
  struct stat st;
  if (::fstatat(fd.get(), "", &st, AT_EMPTY_PATH) != 0) return LastErrnoError("stat " + path);
  ContainerPathStat out;
  out.name = BaseName(path);
  out.mode = st.st_mode;
  out.size = st.st_size;
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = ::readlinkat(fd.get(), "", target, sizeof target);
    if (n > 0) out.link_target.assign(target, static_cast<size_t>(n));
  }
  return out;
}

absl::Status Container::CopyFrom(const CopyFromOptions& options, int out_fd) const {
  MYDOCKER_ASSIGN_OR_RETURN(View view, OpenView(*runtime_, id_));
  bool follow = FollowsLast(options.path, options.follow_link);
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(view, options.path, follow));
  std::string name = options.name;
  if (name.empty()) name = absl::EndsWith(options.path, "/.") ? "." : BaseName(options.path);
  struct stat st;
  if (::fstatat(fd.get(), "", &st, AT_EMPTY_PATH) != 0) return LastErrnoError("stat");
  if (name == "." && !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(options.path, " is not a directory"));
  }
  PackOptions pack;
  pack.overlay_form = false;
  return LayerPacker::PackObject(fd.get(), name == "." ? "" : name, out_fd, pack);
}

absl::Status Container::CopyTo(const CopyToOptions& options, int in_fd) {
  MYDOCKER_ASSIGN_OR_RETURN(View view, OpenView(*runtime_, id_));
  bool readonly = false;
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd,
                            OpenObject(view, options.path, /*follow=*/true, &readonly));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return LastErrnoError("stat " + options.path);
  if (!S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("extraction point is not a directory: ", options.path));
  }
  struct statfs fs;
  if (readonly || (::fstatfs(fd.get(), &fs) == 0 && (fs.f_flags & ST_RDONLY) != 0)) {
    return absl::FailedPreconditionError(
        absl::StrCat("container rootfs is marked read-only: ", options.path));
  }
  std::string self = absl::StrCat("/proc/self/fd/", fd.get());
  UniqueFd dir(::open(self.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return LastErrnoError("open " + options.path);
  UniqueFd in(::fcntl(in_fd, F_DUPFD_CLOEXEC, 0));
  if (!in) return LastErrnoError("duplicate the archive's descriptor");
  UnpackOptions unpack;
  unpack.whiteouts = false;
  if (!options.keep_owner) unpack.owner = std::make_pair(uid_t{0}, gid_t{0});
  return LayerUnpacker::UnpackFdAt(std::move(in), "the archive", dir.get(), unpack).status();
}

}  // namespace mydocker
