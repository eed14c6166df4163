#include "mydocker/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"
#include "random_seed.h"

namespace mydocker {
namespace {

std::string DirName(const std::string& path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

// The mount a descriptor's file lies on: a bind mount from the same file system has the same
// st_dev, so only the mount ID tells that a directory is a mount point. 0 if unknown.
uint64_t MountId(int fd) {
  struct statx stx;
  if (::statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) != 0 ||
      !(stx.stx_mask & STATX_MNT_ID)) {
    return 0;
  }
  return stx.stx_mnt_id;
}

// One directory on the way down from the top: its name in its parent, its inode (checked when
// a child climbs back to it through ".."; every directory is on the top's device), and its
// subdirectories still to remove.
struct Frame {
  std::string name;
  ino_t ino;
  std::vector<std::string> subdirs;
};

std::string FramePath(const std::string& top, const std::vector<Frame>& frames,
                      absl::string_view leaf) {
  std::string path = top;
  for (size_t i = 1; i < frames.size(); ++i) absl::StrAppend(&path, "/", frames[i].name);
  if (!leaf.empty()) absl::StrAppend(&path, "/", leaf);
  return path;
}

// Reads the directory open at `fd` once: removes what is not a directory, and queues the
// subdirectories on the same mount in `frame` (a mount point is reported and left alone).
void SweepDirectory(int fd, dev_t dev, const std::string& top, std::vector<Frame>& frames,
                    absl::Status& result) {
  int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  DIR* dir = dup >= 0 ? ::fdopendir(dup) : nullptr;
  if (dir == nullptr) {
    if (dup >= 0) ::close(dup);
    result.Update(LastErrnoError(absl::StrCat("open directory ", FramePath(top, frames, ""))));
    return;
  }
  while (struct dirent* entry = ::readdir(dir)) {
    absl::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) {
        result.Update(LastErrnoError(absl::StrCat("stat ", FramePath(top, frames, name))));
      }
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != dev) {
        result.Update(absl::FailedPreconditionError(
            absl::StrCat(FramePath(top, frames, name), " is a mount point")));
      } else {
        frames.back().subdirs.emplace_back(name);
      }
    } else if (::unlinkat(fd, entry->d_name, 0) != 0 && errno != ENOENT) {
      result.Update(LastErrnoError(absl::StrCat("remove ", FramePath(top, frames, name))));
    }
  }
  ::closedir(dir);
}

// Removes the contents of the directory open at `top_fd` (taken over), staying on its mount.
// Neither the descriptors nor the stack grow with depth (a layer from a hostile image can nest
// directories many thousands deep), and each directory is read once (one with a hundred
// thousand subdirectories costs what they cost). One directory is open at a time: going down
// opens the child (checked to be the directory that was listed, on the same mount), coming
// back opens ".." (checked against the parent's identity).
absl::Status RemoveContents(int top_fd, dev_t dev, const std::string& path) {
  absl::Status result;
  UniqueFd fd(top_fd);
  const uint64_t mount_id = MountId(fd.get());
  struct stat top;
  if (::fstat(fd.get(), &top) != 0) return LastErrnoError(absl::StrCat("stat ", path));
  std::vector<Frame> frames;
  frames.push_back({"", top.st_ino, {}});
  SweepDirectory(fd.get(), dev, path, frames, result);
  while (true) {
    Frame& frame = frames.back();
    if (frame.subdirs.empty()) {
      if (frames.size() == 1) break;
      // Done with this directory: climb to its parent and remove it there.
      Frame done = std::move(frame);
      frames.pop_back();
      UniqueFd parent(::openat(fd.get(), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      struct stat st;
      if (!parent || ::fstat(parent.get(), &st) != 0 || st.st_dev != dev ||
          st.st_ino != frames.back().ino) {
        result.Update(absl::AbortedError(
            absl::StrCat(FramePath(path, frames, done.name), " was moved while being removed")));
        return result;
      }
      fd = std::move(parent);
      if (::unlinkat(fd.get(), done.name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
        result.Update(LastErrnoError(absl::StrCat("remove ", FramePath(path, frames, done.name))));
      }
      continue;
    }
    std::string name = std::move(frame.subdirs.back());
    frame.subdirs.pop_back();
    struct stat opened;
    UniqueFd child(
        ::openat(fd.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!child) {
      if (errno != ENOENT) {
        result.Update(LastErrnoError(absl::StrCat("open ", FramePath(path, frames, name))));
      }
      continue;
    }
    uint64_t child_mount = MountId(child.get());
    if (::fstat(child.get(), &opened) != 0 || opened.st_dev != dev ||
        (mount_id != 0 && child_mount != mount_id)) {
      result.Update(absl::FailedPreconditionError(
          absl::StrCat(FramePath(path, frames, name), " is a mount point")));
      continue;
    }
    frames.push_back({name, opened.st_ino, {}});
    fd = std::move(child);
    SweepDirectory(fd.get(), dev, path, frames, result);
  }
  return result;
}

}  // namespace

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return LastErrnoError(absl::StrCat("write ", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

namespace {

// A file for WriteFileAtomic's data: unnamed while it is written and synced (O_TMPFILE), so a
// writer killed then leaves nothing behind; named `tmp` only for the moment before the rename.
// Falls back to creating `tmp` on a file system without O_TMPFILE.
absl::StatusOr<UniqueFd> CreateUnnamed(const std::string& dir, const std::string& tmp, int mode,
                                       bool* named) {
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode));
  *named = !fd;
  if (!fd && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return LastErrnoError(absl::StrCat("create a file in ", dir));
  }
  if (!fd) fd.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd) return LastErrnoError(absl::StrCat("create ", tmp));
  return fd;
}

absl::Status NameUnnamed(int fd, const std::string& tmp) {
  if (::linkat(fd, "", AT_FDCWD, tmp.c_str(), AT_EMPTY_PATH) == 0) return absl::OkStatus();
  if (errno == EEXIST) return LastErrnoError(absl::StrCat("link ", tmp));
  // Without CAP_DAC_READ_SEARCH: through /proc, as linkat(2) describes.
  std::string proc = absl::StrCat("/proc/self/fd/", fd);
  if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0) {
    return absl::OkStatus();
  }
  return LastErrnoError(absl::StrCat("link ", tmp));
}

}  // namespace

bool IsDeadWritersFile(absl::string_view name, absl::string_view file) {
  if (name.size() <= file.size() || name.substr(0, file.size()) != file) return false;
  absl::string_view rest = name.substr(file.size());
  if (!absl::ConsumePrefix(&rest, ".tmp-")) return false;
  pid_t pid = 0;
  if (!absl::SimpleAtoi(rest.substr(0, rest.find('-')), &pid) || pid <= 0) return false;
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

void RemoveDeadWritersFiles(const std::string& dir, absl::string_view file) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (struct dirent* entry = ::readdir(d)) {
    if (IsDeadWritersFile(entry->d_name, file)) ::unlinkat(::dirfd(d), entry->d_name, 0);
  }
  ::closedir(d);
}

absl::Status WriteFileAtomic(const std::string& path, absl::string_view data, int mode,
                             bool sync_directory) {
  thread_local std::mt19937_64 rng{RandomSeed()};
  std::string tmp = absl::StrCat(path, ".tmp-", ::getpid(), "-", rng() % 1000000000);
  bool named = false;
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, CreateUnnamed(DirName(path), tmp, mode, &named));
  absl::Status s = WriteAll(fd.get(), data, tmp);
  if (s.ok() && ::fsync(fd.get()) != 0) s = LastErrnoError(absl::StrCat("fsync ", tmp));
  bool placed = false;  // linked straight to `path`, which did not exist
  if (s.ok() && !named) {
    // A new file takes its name at once: no temporary name for a killed writer to leave.
    placed = NameUnnamed(fd.get(), path).ok();
    if (!placed) {
      s = NameUnnamed(fd.get(), tmp);
      named = s.ok();
    }
  }
  fd.reset();
  if (s.ok() && !placed && ::rename(tmp.c_str(), path.c_str()) != 0) {
    s = LastErrnoError(absl::StrCat("rename ", tmp, " to ", path));
  }
  if (!s.ok()) {
    if (named) ::unlink(tmp.c_str());
    return s;
  }
  if (!placed) {
    const size_t slash = path.rfind('/');
    RemoveDeadWritersFiles(DirName(path),
                           slash == std::string::npos ? path : path.substr(slash + 1));
  }
  if (!sync_directory) return absl::OkStatus();
  UniqueFd dir(::open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return LastErrnoError(absl::StrCat("open ", path));
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return LastErrnoError(absl::StrCat("read ", path));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::Status WriteFile(const std::string& path, absl::string_view data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return LastErrnoError(absl::StrCat("open ", path));
  return WriteAll(fd.get(), data, path);
}

absl::Status WriteFileNoSync(const std::string& path, absl::string_view data, bool exclusive) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : O_TRUNC);
  UniqueFd fd(::open(path.c_str(), flags, exclusive ? 0600 : 0644));
  if (!fd) return LastErrnoError(absl::StrCat("create ", path));
  return WriteAll(fd.get(), data, path);
}

absl::StatusOr<UniqueFd> CreateUnnamedFile(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (fd) return fd;
  if (errno != EOPNOTSUPP && errno != EISDIR) return LastErrnoError(absl::StrCat("open ", dir));
  std::string path = dir + "/.unnamed-XXXXXX";
  fd = UniqueFd(::mkostemp(path.data(), O_CLOEXEC));
  if (!fd) return LastErrnoError(absl::StrCat("create a file in ", dir));
  ::unlink(path.c_str());
  return fd;
}

absl::Status MakeDirs(const std::string& path, int mode) {
  if (path.empty()) return absl::InvalidArgumentError("empty path");
  // From the deepest existing ancestor down: usually the directory or its parent exists (every
  // command opens the stores, every container makes one cgroup level per controller), so this
  // is one or two system calls rather than one per path component.
  struct stat existing;
  if (::stat(path.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode)) return absl::OkStatus();
  if (::mkdir(path.c_str(), mode) != 0) {
    if (errno == ENOENT) {
      std::string parent = DirName(path);
      if (parent != path) MYDOCKER_RETURN_IF_ERROR(MakeDirs(parent, mode));
      if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
        return LastErrnoError(absl::StrCat("mkdir ", path));
      }
    } else if (errno != EEXIST) {
      return LastErrnoError(absl::StrCat("mkdir ", path));
    } else {
      struct stat st;
      if (::stat(path.c_str(), &st) != 0) return LastErrnoError(absl::StrCat("stat ", path));
      if (!S_ISDIR(st.st_mode)) return absl::FailedPreconditionError(path + " is not a directory");
    }
  }
  return absl::OkStatus();
}

absl::Status RemoveAll(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return LastErrnoError(absl::StrCat("stat ", path));
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return LastErrnoError(absl::StrCat("remove ", path));
    }
    return absl::OkStatus();
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return LastErrnoError(absl::StrCat("open ", path));
  MYDOCKER_RETURN_IF_ERROR(RemoveContents(fd, st.st_dev, path));
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
    return LastErrnoError(absl::StrCat("remove ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return LastErrnoError(absl::StrCat("open directory ", path));
  std::vector<std::string> names;
  while (struct dirent* entry = ::readdir(dir)) {
    absl::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  return names;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

namespace {
absl::StatusOr<UniqueFd> OpenLockTarget(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd && errno == ENOENT) {
    fd.reset(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600));
  }
  if (!fd) return LastErrnoError(absl::StrCat("open lock ", path));
  return fd;
}
}  // namespace

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, OpenLockTarget(path));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return LastErrnoError(absl::StrCat("lock ", path));
  }
  return FileLock(std::move(fd));
}

absl::StatusOr<FileLock> FileLock::TryAcquire(const std::string& path) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, OpenLockTarget(path));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return absl::FailedPreconditionError(path + " is locked");
    return LastErrnoError(absl::StrCat("lock ", path));
  }
  return FileLock(std::move(fd));
}

int64_t DirSize(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  struct stat top;
  if (::lstat(path.c_str(), &top) != 0 || !S_ISDIR(top.st_mode)) return 0;
  int64_t total = 0;
  std::set<std::pair<dev_t, ino_t>> seen;  // hard links count once
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode) && st.st_dev != top.st_dev) {
      it.disable_recursion_pending();  // a mount point: not this tree's
    } else if (S_ISREG(st.st_mode) &&
               (st.st_nlink == 1 || seen.insert({st.st_dev, st.st_ino}).second)) {
      total += st.st_size;
    }
  }
  return total;
}

}  // namespace mydocker
