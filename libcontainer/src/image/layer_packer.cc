#include "image/layer_packer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "image/layer_unpacker.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker {
namespace {

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)>;

// One directory on the way down: its identity (checked when the walk climbs back to it through
// ".."), its entries in name order, the next one to pack, and its path prefix in the archive.
struct Frame {
  dev_t dev;
  ino_t ino;
  std::vector<std::string> names;
  size_t next = 0;
  size_t prefix_size = 0;
};

// Walks one tree and writes it into an open archive writer. The walk is iterative and holds one
// directory open at a time: neither the stack nor the descriptors grow with the depth of a tree
// the container made; its memory is the names of the directories on the current path.
class Packer {
 public:
  Packer(struct archive* tar, const PackOptions& options) : tar_(tar), options_(options) {}
  absl::Status PackTree(UniqueFd root);
  absl::Status PackObject(int object_fd, const std::string& name);

 private:
  absl::Status Descend(UniqueFd sub, const std::string& path);
  absl::Status Climb();
  absl::Status Walk();
  // Packs one entry (`dir_fd` itself when `name` is empty); a directory is returned open in
  // `*sub`, to be walked next.
  absl::Status PackEntry(int dir_fd, const std::string& name, const std::string& path,
                         UniqueFd* sub);
  absl::Status WriteHeader(struct archive_entry* entry, const std::string& path);
  absl::Status WriteContent(int dir_fd, const std::string& name, const std::string& path,
                            const struct stat& expected);
  absl::Status WriteEmptyFile(const std::string& path, const struct stat& like);
  absl::Status PackDirectory(int dir_fd, const std::string& name, const std::string& path,
                             const struct stat& st, UniqueFd* sub);

  struct archive* tar_;
  PackOptions options_;
  UniqueFd dir_;        // the directory of frames_.back()
  std::string prefix_;  // its path in the archive: "" or "a/b/"
  std::vector<Frame> frames_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;  // first path of each multi-link file
};

absl::StatusOr<std::vector<std::string>> SortedNames(int dir_fd, const std::string& path) {
  int dup = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return LastErrnoError(absl::StrCat("duplicate descriptor of ", path));
  DIR* dir = ::fdopendir(dup);
  if (dir == nullptr) {
    ::close(dup);
    return LastErrnoError(absl::StrCat("read directory ", path));
  }
  std::vector<std::string> names;
  while (struct dirent* d = ::readdir(dir)) {
    std::string name = d->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

// openat(dir_fd, name) without following a symlink; an empty `name` reopens `dir_fd` itself (an
// O_PATH descriptor) through its /proc/self/fd link, which names exactly that file.
UniqueFd OpenEntry(int dir_fd, const std::string& name, int flags) {
  if (!name.empty()) return UniqueFd(::openat(dir_fd, name.c_str(), flags | O_NOFOLLOW));
  std::string self = absl::StrCat("/proc/self/fd/", dir_fd);
  return UniqueFd(::open(self.c_str(), flags));
}

// Kernel file systems a running container's view holds (its /proc, /sys): their files are not
// the container's, and some never end.
bool OnKernelFs(int fd) {
  struct statfs fs;
  if (::fstatfs(fd, &fs) != 0) return true;
  switch (static_cast<unsigned long>(fs.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case SECURITYFS_MAGIC:
    case BPF_FS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
      return true;
    default:
      return false;
  }
}

bool IsOpaque(int dir_fd) {
  char value[2] = {};
  ssize_t n = ::fgetxattr(dir_fd, "trusted.overlay.opaque", value, sizeof value);
  return n == 1 && value[0] == 'y';
}

EntryPtr NewEntry(const std::string& path, const struct stat& st) {
  EntryPtr entry(archive_entry_new(), &archive_entry_free);
  archive_entry_set_pathname(entry.get(), path.c_str());
  archive_entry_set_uid(entry.get(), st.st_uid);
  archive_entry_set_gid(entry.get(), st.st_gid);
  archive_entry_set_perm(entry.get(), st.st_mode & 07777);
  archive_entry_set_mtime(entry.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  return entry;
}

absl::Status Packer::WriteHeader(struct archive_entry* entry, const std::string& path) {
  if (archive_write_header(tar_, entry) < ARCHIVE_WARN) {
    return absl::InternalError(
        absl::StrCat("write tar entry ", path, ": ", archive_error_string(tar_)));
  }
  return absl::OkStatus();
}

absl::Status Packer::WriteEmptyFile(const std::string& path, const struct stat& like) {
  EntryPtr entry = NewEntry(path, like);
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), 0);
  return WriteHeader(entry.get(), path);
}

absl::Status Packer::WriteContent(int dir_fd, const std::string& name, const std::string& path,
                                  const struct stat& expected) {
  UniqueFd fd = OpenEntry(dir_fd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (!fd) return LastErrnoError(absl::StrCat("open ", path));
  // The name may have been swapped since fstatat (for a FIFO that blocks, or a device that never
  // ends): only the very file whose size the header states is read, and no more than that size.
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return LastErrnoError(absl::StrCat("stat ", path));
  if (!S_ISREG(st.st_mode) || st.st_dev != expected.st_dev || st.st_ino != expected.st_ino) {
    return absl::FailedPreconditionError(absl::StrCat(path, " changed while being read"));
  }
  std::vector<char> buffer(64 * 1024);
  for (off_t left = expected.st_size; left > 0;) {
    size_t want = static_cast<size_t>(std::min<off_t>(left, static_cast<off_t>(buffer.size())));
    ssize_t n = ::read(fd.get(), buffer.data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError(absl::StrCat("read ", path));
    if (n == 0) break;  // shrunk: libarchive pads the entry to its stated size
    if (archive_write_data(tar_, buffer.data(), static_cast<size_t>(n)) < 0) {
      return absl::InternalError(absl::StrCat("write ", path, ": ", archive_error_string(tar_)));
    }
    left -= n;
  }
  return absl::OkStatus();
}

absl::Status Packer::PackEntry(int dir_fd, const std::string& name, const std::string& path,
                               UniqueFd* sub) {
  MYDOCKER_RETURN_IF_ERROR(CheckLayerPath(path));
  struct stat st;
  int at_flags = AT_SYMLINK_NOFOLLOW | (name.empty() ? AT_EMPTY_PATH : 0);
  if (::fstatat(dir_fd, name.c_str(), &st, at_flags) != 0) {
    return LastErrnoError(absl::StrCat("stat ", path));
  }
  if (options_.overlay_form && S_ISCHR(st.st_mode) && st.st_rdev == 0) {
    size_t slash = path.rfind('/');
    std::string parent = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    return WriteEmptyFile(absl::StrCat(parent, ".wh.", name), st);
  }
  if (S_ISDIR(st.st_mode)) return PackDirectory(dir_fd, name, path, st, sub);
  EntryPtr entry = NewEntry(path, st);
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
    if (n < 0) return LastErrnoError(absl::StrCat("read link ", path));
    target.resize(static_cast<size_t>(n));
    archive_entry_set_filetype(entry.get(), AE_IFLNK);
    archive_entry_set_symlink(entry.get(), target.c_str());
    return WriteHeader(entry.get(), path);
  }
  if (S_ISFIFO(st.st_mode)) {
    archive_entry_set_filetype(entry.get(), AE_IFIFO);
    return WriteHeader(entry.get(), path);
  }
  if (!S_ISREG(st.st_mode)) return absl::OkStatus();  // devices, sockets
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  if (st.st_nlink > 1) {
    auto [it, first] = links_.emplace(std::make_pair(st.st_dev, st.st_ino), path);
    if (!first) {
      archive_entry_set_hardlink(entry.get(), it->second.c_str());
      archive_entry_set_size(entry.get(), 0);
      return WriteHeader(entry.get(), path);
    }
  }
  archive_entry_set_size(entry.get(), options_.contents ? st.st_size : 0);
  MYDOCKER_RETURN_IF_ERROR(WriteHeader(entry.get(), path));
  return options_.contents ? WriteContent(dir_fd, name, path, st) : absl::OkStatus();
}

absl::Status Packer::PackDirectory(int dir_fd, const std::string& name, const std::string& path,
                                   const struct stat& st, UniqueFd* sub) {
  *sub = OpenEntry(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct stat opened;
  if (!*sub || ::fstat(sub->get(), &opened) != 0)
    return LastErrnoError(absl::StrCat("open ", path));
  if (opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
    return absl::FailedPreconditionError(absl::StrCat(path, " changed while being read"));
  }
  EntryPtr entry = NewEntry(path, st);
  archive_entry_set_filetype(entry.get(), AE_IFDIR);
  MYDOCKER_RETURN_IF_ERROR(WriteHeader(entry.get(), path));
  if (options_.overlay_form && IsOpaque(sub->get())) {
    MYDOCKER_RETURN_IF_ERROR(WriteEmptyFile(path + "/.wh..wh..opq", st));
  }
  if (!options_.overlay_form && OnKernelFs(sub->get())) sub->reset();
  return absl::OkStatus();
}

absl::Status Packer::Descend(UniqueFd sub, const std::string& path) {
  struct stat st;
  if (::fstat(sub.get(), &st) != 0) return LastErrnoError(absl::StrCat("stat ", path));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> names, SortedNames(sub.get(), path));
  frames_.push_back({st.st_dev, st.st_ino, std::move(names), 0, prefix_.size()});
  dir_ = std::move(sub);
  prefix_ = path.empty() ? "" : path + "/";
  return absl::OkStatus();
}

// Back to the parent through "..", which must be the directory the walk came from: a tree moved
// meanwhile (the container is frozen, so only by someone else) is not followed elsewhere.
absl::Status Packer::Climb() {
  frames_.pop_back();
  if (frames_.empty()) return absl::OkStatus();
  UniqueFd parent(::openat(dir_.get(), "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!parent || ::fstat(parent.get(), &st) != 0 || st.st_dev != frames_.back().dev ||
      st.st_ino != frames_.back().ino) {
    return absl::FailedPreconditionError(
        absl::StrCat(prefix_.substr(0, 256), " was moved while being read"));
  }
  dir_ = std::move(parent);
  prefix_.resize(frames_.back().prefix_size);
  return absl::OkStatus();
}

absl::Status Packer::PackTree(UniqueFd root) {
  MYDOCKER_RETURN_IF_ERROR(Descend(std::move(root), ""));
  return Walk();
}

absl::Status Packer::PackObject(int object_fd, const std::string& name) {
  if (name.empty()) {
    UniqueFd dir = OpenEntry(object_fd, "", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!dir) return LastErrnoError("open the directory to copy");
    if (!options_.overlay_form && OnKernelFs(dir.get())) return absl::OkStatus();
    return PackTree(std::move(dir));
  }
  UniqueFd sub;
  MYDOCKER_RETURN_IF_ERROR(PackEntry(object_fd, "", name, &sub));
  if (!sub) return absl::OkStatus();
  MYDOCKER_RETURN_IF_ERROR(Descend(std::move(sub), name));
  return Walk();
}

absl::Status Packer::Walk() {
  while (!frames_.empty()) {
    Frame& frame = frames_.back();
    if (frame.next == frame.names.size()) {
      MYDOCKER_RETURN_IF_ERROR(Climb());
      continue;
    }
    std::string name = std::move(frame.names[frame.next++]);
    std::string path = prefix_ + name;
    UniqueFd sub;
    MYDOCKER_RETURN_IF_ERROR(PackEntry(dir_.get(), name, path, &sub));
    if (sub) MYDOCKER_RETURN_IF_ERROR(Descend(std::move(sub), path));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// Opens a pax writer on `out_fd`, runs `pack` with it and finishes the stream.
template <typename Fn>
absl::Status WithWriter(int out_fd, const PackOptions& options, Fn pack) {
  ArchivePtr tar(archive_write_new(), &archive_write_free);
  if (tar == nullptr) return absl::ResourceExhaustedError("allocate archive writer");
  archive_write_set_format_pax_restricted(tar.get());
  // No padding to 10 KiB records past the end-of-archive marker: the stream is hashed as is.
  archive_write_set_bytes_in_last_block(tar.get(), 1);
  if (archive_write_open_fd(tar.get(), out_fd) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("open tar writer: ", archive_error_string(tar.get())));
  }
  Packer packer(tar.get(), options);
  MYDOCKER_RETURN_IF_ERROR(pack(packer));
  if (archive_write_close(tar.get()) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("finish tar: ", archive_error_string(tar.get())));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LayerPacker::Pack(const std::string& dir, int out_fd, const PackOptions& options) {
  UniqueFd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root) return LastErrnoError(absl::StrCat("open ", dir));
  return WithWriter(out_fd, options, [&](Packer& p) { return p.PackTree(std::move(root)); });
}

absl::Status LayerPacker::PackObject(int object_fd, const std::string& name, int out_fd,
                                     const PackOptions& options) {
  return WithWriter(out_fd, options, [&](Packer& p) { return p.PackObject(object_fd, name); });
}

}  // namespace mydocker
