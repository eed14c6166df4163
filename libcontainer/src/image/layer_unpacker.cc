#include "image/layer_unpacker.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "image/hashing_source.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker {
namespace {

using Parts = std::vector<std::string>;

constexpr absl::string_view kWhiteoutPrefix = ".wh.";
constexpr absl::string_view kOpaqueMarker = ".wh..opq";

// Owner, mode and mtime an entry asks for, applied after its content.
struct Meta {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;
  struct timespec mtime = {};
};

absl::Status Refuse(absl::string_view entry, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("refusing tar entry \"", absl::CHexEscape(entry), "\": ", why));
}

// Splits an entry name into components. Absolute names and ".." are refused rather than
// rewritten: an archive that contains them was made by mistake or to attack the host.
absl::StatusOr<Parts> SplitEntryPath(absl::string_view name, absl::string_view entry) {
  if (name.empty()) return Refuse(entry, "empty name");
  if (name.front() == '/') return Refuse(entry, "absolute path");
  Parts parts;
  for (absl::string_view part : absl::StrSplit(name, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") return Refuse(entry, "path escapes the image");
    parts.emplace_back(part);
  }
  return parts;
}

Meta MetaOf(struct archive_entry* entry) {
  Meta meta;
  meta.uid = static_cast<uid_t>(archive_entry_uid(entry));
  meta.gid = static_cast<gid_t>(archive_entry_gid(entry));
  meta.mode = archive_entry_perm(entry) & 07777;
  meta.mtime.tv_sec = archive_entry_mtime(entry);
  meta.mtime.tv_nsec = archive_entry_mtime_nsec(entry);
  return meta;
}

// Sets owner, mode and times on an open file or directory. Owner first: chown clears the
// setuid/setgid bits, so the mode must come after it. A file whose owner we cannot set keeps
// the caller's ownership, and must then not keep setuid/setgid bits meant for someone else.
absl::Status ApplyMetaFd(int fd, const Meta& meta, absl::string_view path) {
  mode_t mode = meta.mode;
  if (::fchown(fd, meta.uid, meta.gid) != 0) {
    if (errno != EPERM && errno != EINVAL) return LastErrnoError(absl::StrCat("chown ", path));
    mode &= ~(S_ISUID | S_ISGID);
  }
  if (::fchmod(fd, mode) != 0) return LastErrnoError(absl::StrCat("chmod ", path));
  struct timespec times[2] = {meta.mtime, meta.mtime};
  if (::futimens(fd, times) != 0) return LastErrnoError(absl::StrCat("set times of ", path));
  return absl::OkStatus();
}

// The same for entries that cannot be opened safely (symlinks, fifos), by name in `parent`.
absl::Status ApplyMetaAt(int parent, const std::string& leaf, const Meta& meta, bool symlink,
                         absl::string_view path) {
  bool owner_set = ::fchownat(parent, leaf.c_str(), meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW) == 0;
  if (!owner_set && errno != EPERM && errno != EINVAL) {
    return LastErrnoError(absl::StrCat("chown ", path));
  }
  // Symlinks have no mode of their own on Linux.
  if (!symlink) {
    mode_t mode = owner_set ? meta.mode : meta.mode & ~(S_ISUID | S_ISGID);
    if (::fchmodat(parent, leaf.c_str(), mode, 0) != 0) {
      return LastErrnoError(absl::StrCat("chmod ", path));
    }
  }
  struct timespec times[2] = {meta.mtime, meta.mtime};
  if (::utimensat(parent, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    return LastErrnoError(absl::StrCat("set times of ", path));
  }
  return absl::OkStatus();
}

absl::Status WriteAllAt(int fd, const char* data, size_t size, off_t offset,
                        absl::string_view path) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return LastErrnoError(absl::StrCat("write ", path));
    }
    data += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  return absl::OkStatus();
}

// Creates the entries of one archive below the directory open at `root_fd`.
class Extractor {
 public:
  Extractor(int root_fd, struct archive* tar, const UnpackOptions& options)
      : root_fd_(root_fd),
        tar_(tar),
        whiteouts_(options.whiteouts),
        owner_(options.owner),
        layer_fd_(options.split != nullptr ? options.layer_fd : -1) {}

  absl::Status Extract(struct archive_entry* entry);
  // Applies the directories' owners, modes and times, deferred so that a read-only directory
  // can still be filled and its mtime is not changed by the entries created in it.
  absl::Status Finish();
  int64_t bytes() const { return bytes_; }
  // The regular files written, in order, for the record (only with UnpackOptions::split).
  const std::vector<UnpackedFile>& files() const { return files_; }

 private:
  absl::StatusOr<UniqueFd> OpenDir(const Parts& parts, size_t count, bool create,
                                   absl::string_view entry);
  absl::Status ClearLeaf(int parent, const Parts& parts, bool is_dir, bool* exists,
                         absl::string_view entry);
  absl::Status WriteRegular(int parent, const std::string& leaf, const Meta& meta, int64_t size,
                            absl::string_view entry);
  absl::Status MakeHardLink(int parent, const std::string& leaf, const char* target,
                            absl::string_view entry);

  absl::Status ExtractWhiteout(const Parts& parts, absl::string_view entry);
  // Moves the regular file `leaf` written for files_[index] out of diff/ into replaced/.
  absl::Status KeepReplaced(int parent, const char* leaf, size_t index, absl::string_view entry);

  int root_fd_;
  struct archive* tar_;
  bool whiteouts_;
  std::optional<std::pair<uid_t, gid_t>> owner_;
  int64_t bytes_ = 0;
  int layer_fd_;  // set when recording
  std::vector<UnpackedFile> files_;
  // Paths (parts joined by '/') of files_ still in place, to their index.
  std::map<std::string, size_t> live_;
  // Deferred metadata by path (split again when applied: a deep tree's components are not kept
  // once per directory).
  std::map<std::string, Meta> dirs_;
};

// Opens the directory named by the first `count` parts, never following a symlink: a symlink
// planted by an earlier entry ("a -> /etc") must not carry a later one ("a/passwd") out of the
// layer, so any symlink on the way is refused.
absl::StatusOr<UniqueFd> Extractor::OpenDir(const Parts& parts, size_t count, bool create,
                                            absl::string_view entry) {
  UniqueFd dir(::fcntl(root_fd_, F_DUPFD_CLOEXEC, 0));
  if (!dir) return LastErrnoError("duplicate layer directory fd");
  for (size_t i = 0; i < count; ++i) {
    const char* name = parts[i].c_str();
    constexpr int kFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(dir.get(), name, kFlags);
    // Archives may omit parent directories; like tar, create them, 0755 whatever the umask.
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(dir.get(), name, 0755) != 0 && errno != EEXIST) {
        return LastErrnoError(absl::StrCat("create directory for ", entry));
      }
      fd = ::openat(dir.get(), name, kFlags);
      if (fd >= 0 && ::fchmod(fd, 0755) != 0) {
        int err = errno;
        ::close(fd);
        return ErrnoError(err, absl::StrCat("chmod directory for ", entry));
      }
    }
    if (fd < 0) {
      int err = errno;
      std::string prefix = absl::StrJoin(parts.begin(), parts.begin() + i + 1, "/");
      struct stat st;
      if (::fstatat(dir.get(), name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode))
          return Refuse(entry, absl::StrCat("\"", prefix, "\" is a symlink"));
        if (!S_ISDIR(st.st_mode))
          return Refuse(entry, absl::StrCat("\"", prefix, "\" is not a directory"));
      }
      return ErrnoError(err, absl::StrCat("open ", prefix, " for tar entry ", entry));
    }
    dir.reset(fd);
  }
  return dir;
}

// Makes room for an entry, as tar does: a later entry replaces an earlier one of the same name.
// An existing directory stays when the entry is a directory too (`*exists` tells).
absl::Status Extractor::ClearLeaf(int parent, const Parts& parts, bool is_dir, bool* exists,
                                  absl::string_view entry) {
  *exists = false;
  const char* leaf = parts.back().c_str();
  struct stat st;
  if (::fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return LastErrnoError(absl::StrCat("stat tar entry ", entry));
  }
  if (S_ISDIR(st.st_mode)) {
    if (is_dir) {
      *exists = true;
      return absl::OkStatus();
    }
    if (::unlinkat(parent, leaf, AT_REMOVEDIR) != 0) {
      if (errno == ENOTEMPTY || errno == EEXIST) {
        return Refuse(entry, "replaces a directory that is not empty");
      }
      return LastErrnoError(absl::StrCat("remove directory for tar entry ", entry));
    }
    dirs_.erase(absl::StrJoin(parts, "/"));
    return absl::OkStatus();
  }
  if (layer_fd_ >= 0 && S_ISREG(st.st_mode)) {
    auto live = live_.find(absl::StrJoin(parts, "/"));
    if (live != live_.end()) {
      size_t index = live->second;
      live_.erase(live);
      return KeepReplaced(parent, leaf, index, entry);
    }
  }
  if (::unlinkat(parent, leaf, 0) != 0) {
    return LastErrnoError(absl::StrCat("remove file for tar entry ", entry));
  }
  return absl::OkStatus();
}

// A tar may hold one name twice; the stream (and so the diff id) has both contents.
absl::Status Extractor::KeepReplaced(int parent, const char* leaf, size_t index,
                                     absl::string_view entry) {
  if (::mkdirat(layer_fd_, "replaced", 0700) != 0 && errno != EEXIST) {
    return LastErrnoError(absl::StrCat("create directory for files replaced by ", entry));
  }
  std::string name = absl::StrCat("replaced/", index);
  if (::renameat(parent, leaf, layer_fd_, name.c_str()) != 0) {
    return LastErrnoError(absl::StrCat("keep file replaced by tar entry ", entry));
  }
  files_[index].location = std::move(name);
  return absl::OkStatus();
}

absl::Status Extractor::WriteRegular(int parent, const std::string& leaf, const Meta& meta,
                                     int64_t size, absl::string_view entry) {
  // O_EXCL with O_NOFOLLOW: the name was just cleared, so anything there now is not ours.
  UniqueFd fd(
      ::openat(parent, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return LastErrnoError(absl::StrCat("create ", entry));
  while (true) {
    const void* data = nullptr;
    size_t length = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(tar_, &data, &length, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      return absl::InvalidArgumentError(
          absl::StrCat("read tar entry ", entry, ": ", archive_error_string(tar_)));
    }
    MYDOCKER_RETURN_IF_ERROR(
        WriteAllAt(fd.get(), static_cast<const char*>(data), length, offset, entry));
  }
  // Sparse files may end in a hole that no data block covers.
  if (::ftruncate(fd.get(), size) != 0) return LastErrnoError(absl::StrCat("truncate ", entry));
  bytes_ += size;
  return ApplyMetaFd(fd.get(), meta, entry);
}

// A hard link may only join a regular file this layer already holds: a link to a host file
// ("../../etc/passwd") would let the container write to it.
absl::Status Extractor::MakeHardLink(int parent, const std::string& leaf, const char* target,
                                     absl::string_view entry) {
  MYDOCKER_RETURN_IF_ERROR(CheckLayerPath(target));
  MYDOCKER_ASSIGN_OR_RETURN(Parts parts, SplitEntryPath(target, entry));
  if (parts.empty()) return Refuse(entry, "hard link to the image root");
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd dir, OpenDir(parts, parts.size() - 1, false, entry));
  struct stat st;
  if (::fstatat(dir.get(), parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
      !S_ISREG(st.st_mode)) {
    return Refuse(entry, absl::StrCat("hard link target \"", absl::CHexEscape(target),
                                      "\" is not a regular file of the image"));
  }
  if (::linkat(dir.get(), parts.back().c_str(), parent, leaf.c_str(), 0) != 0) {
    return LastErrnoError(absl::StrCat("link ", entry));
  }
  return absl::OkStatus();
}

absl::Status Extractor::Extract(struct archive_entry* entry) {
  const char* raw_name = archive_entry_pathname(entry);
  if (raw_name == nullptr) return Refuse("", "entry without a name");
  std::string name = raw_name;
  // Without the slash tar puts after a directory's name, as the packer checks it.
  MYDOCKER_RETURN_IF_ERROR(CheckLayerPath(absl::string_view(name).substr(
      0, name.find_last_not_of('/') == std::string::npos ? 0 : name.find_last_not_of('/') + 1)));
  MYDOCKER_ASSIGN_OR_RETURN(Parts parts, SplitEntryPath(name, name));
  mode_t type = archive_entry_filetype(entry);
  const char* hardlink = archive_entry_hardlink(entry);
  Meta meta = MetaOf(entry);
  if (owner_) std::tie(meta.uid, meta.gid) = *owner_;
  if (parts.empty()) {
    // "./": the layer root itself.
    if (type != AE_IFDIR || hardlink != nullptr) return Refuse(name, "replaces the image root");
    dirs_[""] = meta;
    return absl::OkStatus();
  }
  if (whiteouts_ && absl::StartsWith(parts.back(), kWhiteoutPrefix)) {
    return ExtractWhiteout(parts, name);
  }
  // Device nodes are skipped: the runtime builds /dev, and a node from an image would open
  // host devices to the container.
  if (hardlink == nullptr && (type == AE_IFCHR || type == AE_IFBLK)) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd parent, OpenDir(parts, parts.size() - 1, true, name));
  const std::string& leaf = parts.back();
  bool is_dir = hardlink == nullptr && type == AE_IFDIR;
  bool exists = false;
  MYDOCKER_RETURN_IF_ERROR(ClearLeaf(parent.get(), parts, is_dir, &exists, name));
  if (hardlink != nullptr) return MakeHardLink(parent.get(), leaf, hardlink, name);
  switch (type) {
    case AE_IFDIR:
      // Owner-only until Finish applies the real mode, whatever the archive asks for.
      if (!exists && ::mkdirat(parent.get(), leaf.c_str(), 0700) != 0) {
        return LastErrnoError(absl::StrCat("create directory ", name));
      }
      dirs_[absl::StrJoin(parts, "/")] = meta;
      return absl::OkStatus();
    case AE_IFREG: {
      int64_t size = archive_entry_size(entry);
      MYDOCKER_RETURN_IF_ERROR(WriteRegular(parent.get(), leaf, meta, size, name));
      // Empty files have no content to refer to, as the record sees it too.
      if (layer_fd_ >= 0 && size > 0) {
        std::string path = absl::StrJoin(parts, "/");
        live_[path] = files_.size();
        files_.push_back({size, absl::StrCat("diff/", path)});
      }
      return absl::OkStatus();
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(entry);
      if (target == nullptr || *target == '\0') return Refuse(name, "symlink without a target");
      if (::symlinkat(target, parent.get(), leaf.c_str()) != 0) {
        return LastErrnoError(absl::StrCat("create symlink ", name));
      }
      return ApplyMetaAt(parent.get(), leaf, meta, /*symlink=*/true, name);
    }
    case AE_IFIFO:
      if (::mkfifoat(parent.get(), leaf.c_str(), 0600) != 0) {
        return LastErrnoError(absl::StrCat("create fifo ", name));
      }
      return ApplyMetaAt(parent.get(), leaf, meta, /*symlink=*/false, name);
    default:
      return Refuse(name, absl::StrCat("unsupported file type 0", absl::Hex(type)));
  }
}

// Where the layers are stored on overlayfs (a state root inside a container), which refuses to
// create its own whiteouts (a 0:0 device: EPERM) and may refuse its xattrs: the tar's own form,
// an empty file `name` (".wh.NAME", ".wh..wh..opq"), which fuse-overlayfs, the storage driver
// there, reads as the whiteout (docs/images.md, "Storage drivers").
bool MakeAufsWhiteout(int parent, const std::string& name) {
  int fd =
      ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

// ".wh.NAME" hides NAME of the layers below: overlayfs's form of that is a 0:0 character device
// named NAME. ".wh..wh..opq" hides everything below its directory: an opaque directory.
absl::Status Extractor::ExtractWhiteout(const Parts& parts, absl::string_view entry) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd parent, OpenDir(parts, parts.size() - 1, true, entry));
  absl::string_view hidden = absl::string_view(parts.back()).substr(kWhiteoutPrefix.size());
  if (hidden == kOpaqueMarker) {
    if (::fsetxattr(parent.get(), "trusted.overlay.opaque", "y", 1, 0) != 0 &&
        ((errno != EPERM && errno != EOPNOTSUPP) ||
         !MakeAufsWhiteout(parent.get(), std::string(parts.back())))) {
      return LastErrnoError(absl::StrCat("mark directory of ", entry, " opaque"));
    }
    return absl::OkStatus();
  }
  // Other ".wh..wh." names are aufs's own bookkeeping, meaningless here.
  if (absl::StartsWith(hidden, kWhiteoutPrefix)) return absl::OkStatus();
  if (hidden.empty() || hidden == "." || hidden == "..") return Refuse(entry, "bad whiteout");
  Parts target = parts;
  target.back() = std::string(hidden);
  bool exists = false;
  MYDOCKER_RETURN_IF_ERROR(ClearLeaf(parent.get(), target, false, &exists, entry));
  if (::mknodat(parent.get(), target.back().c_str(), S_IFCHR, makedev(0, 0)) != 0 &&
      (errno != EPERM || !MakeAufsWhiteout(parent.get(), std::string(parts.back())))) {
    return LastErrnoError(absl::StrCat("create whiteout for ", entry));
  }
  return absl::OkStatus();
}

absl::Status Extractor::Finish() {
  // Deepest first: a child's metadata never depends on its parent's being writable.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    const Meta& meta = it->second;
    const Parts parts = absl::StrSplit(it->first, '/', absl::SkipEmpty());
    std::string path = it->first.empty() ? "." : it->first;
    MYDOCKER_ASSIGN_OR_RETURN(UniqueFd dir, OpenDir(parts, parts.size(), false, path));
    MYDOCKER_RETURN_IF_ERROR(ApplyMetaFd(dir.get(), meta, path));
  }
  return absl::OkStatus();
}

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;

absl::Status ExtractAll(struct archive* tar, HashingSource& source, Extractor& extractor,
                        const std::string& archive_path) {
  while (true) {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(tar, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      if (!source.error().ok()) return source.error();
      return absl::InvalidArgumentError(
          absl::StrCat("read ", archive_path, ": ", archive_error_string(tar)));
    }
    MYDOCKER_RETURN_IF_ERROR(extractor.Extract(entry));
  }
  return extractor.Finish();
}

}  // namespace

absl::Status CheckLayerPath(absl::string_view path) {
  if (path.size() <= kMaxLayerPath) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("path \"", absl::CHexEscape(path.substr(0, 64)), "...\" (", path.size(),
                   " bytes) is longer than ", kMaxLayerPath, " bytes, the most a layer can hold"));
}

absl::StatusOr<UnpackResult> LayerUnpacker::Unpack(const std::string& archive_path,
                                                   const std::string& target_dir,
                                                   const UnpackOptions& options) {
  UniqueFd fd(::open(archive_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return LastErrnoError(absl::StrCat("open ", archive_path));
  return UnpackFd(std::move(fd), archive_path, target_dir, options);
}

absl::StatusOr<UnpackResult> LayerUnpacker::UnpackFd(UniqueFd archive, const std::string& name,
                                                     const std::string& target_dir,
                                                     const UnpackOptions& options) {
  UniqueFd root(::open(target_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root) return LastErrnoError(absl::StrCat("open ", target_dir));
  return UnpackFdAt(std::move(archive), name, root.get(), options);
}

absl::StatusOr<UnpackResult> LayerUnpacker::UnpackFdAt(UniqueFd archive, const std::string& name,
                                                       int root, const UnpackOptions& options) {
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<HashingSource> source,
                            HashingSource::OpenFd(std::move(archive), name));
  if (options.split != nullptr) source->SplitTo(options.split);
  // A bomb (gigabytes of zeros in a few kilobytes of gzip) is refused before it fills the disk:
  // 1/20 of the file system stays free for everything else (the record of the stream's headers
  // is small beside its files).
  struct statvfs fs;
  if (::fstatvfs(root, &fs) != 0) return LastErrnoError(absl::StrCat("statvfs for ", name));
  int64_t room = static_cast<int64_t>(fs.f_bavail) - static_cast<int64_t>(fs.f_blocks / 20);
  room = std::max<int64_t>(room, 0) * static_cast<int64_t>(fs.f_frsize);
  source->LimitTo(room);
  ArchivePtr tar(archive_read_new(), &archive_read_free);
  if (tar == nullptr) return absl::ResourceExhaustedError("allocate archive reader");
  // The stream is already decompressed; only tar formats (ustar, pax, GNU) make a layer.
  archive_read_support_format_tar(tar.get());
  archive_read_support_format_gnutar(tar.get());
  MYDOCKER_RETURN_IF_ERROR(source->Attach(tar.get()));
  Extractor extractor(root, tar.get(), options);
  MYDOCKER_RETURN_IF_ERROR(ExtractAll(tar.get(), *source, extractor, name));
  UnpackResult result;
  MYDOCKER_ASSIGN_OR_RETURN(result.diff_id, source->Finish());
  result.size = extractor.bytes();
  if (options.split != nullptr) MYDOCKER_RETURN_IF_ERROR(options.split->Finish(extractor.files()));
  return result;
}

}  // namespace mydocker
