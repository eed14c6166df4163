// File-system helpers shared by the stores: atomic replacement, locks, careful removal.
#ifndef MYDOCKER_FS_UTIL_H_
#define MYDOCKER_FS_UTIL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

// Replaces `path` with `data` so that readers see the old or the new content, never a torn one:
// write a temporary file beside it, fsync it, rename over `path`, fsync the directory. Without
// `sync_directory` the last step is left out: after a crash `path` then holds the old or the new
// content, each complete (the rename is one journal transaction), but not necessarily the new.
// The file is written unnamed (O_TMPFILE) where the file system allows: a new `path` is linked
// in place at once; a replacement is linked under `<path>.tmp-<pid>-<n>` and renamed, and such
// names of writers killed between the two are deleted by the next replacement of `path`.
// True if `name` is `<file>.tmp-<pid>-<n>` (WriteFileAtomic's temporary name for `file`) of a
// process that no longer exists.
bool IsDeadWritersFile(absl::string_view name, absl::string_view file);
// Deletes the temporary files of `file` (a name in `dir`) that dead writers left.
void RemoveDeadWritersFiles(const std::string& dir, absl::string_view file);

absl::Status WriteFileAtomic(const std::string& path, absl::string_view data, int mode = 0644,
                             bool sync_directory = true);

absl::StatusOr<std::string> ReadFile(const std::string& path);
// Writes `path` whole without fsync, never through a symlink: a new file (mode 0600) that must
// not exist yet when `exclusive`, else created or truncated and written in place (0644; a
// bind mount of it sees the new content). For files that need not survive a crash, or whose
// existence is the record (O_EXCL claims).
absl::Status WriteFileNoSync(const std::string& path, absl::string_view data, bool exclusive);
absl::Status WriteFile(const std::string& path,
                       absl::string_view data);  // existing file, no trunc race
// Writes all of `data` to `fd` (short writes and EINTR retried); `path` names it in errors.
absl::Status WriteAll(int fd, absl::string_view data, const std::string& path);

// A new file in `dir` opened read-write that has no name (O_TMPFILE; where the file system has no
// O_TMPFILE, created and unlinked at once): nothing stays behind, even if the process is killed.
absl::StatusOr<UniqueFd> CreateUnnamedFile(const std::string& dir);

// mkdir -p. Existing directories are fine.
absl::Status MakeDirs(const std::string& path, int mode = 0755);

// rm -rf that never follows symlinks and crosses no mount point (a path mounted over is left
// and reported as an error). A missing path is success.
absl::Status RemoveAll(const std::string& path);

// The bytes of the regular files under `path` (apparent sizes, each inode once; symlinks not
// followed, no mount point crossed), as `system df` and `ps -s` show a container's or a
// volume's size. Best effort: what cannot be read (a tree deeper than the descriptors allow,
// paths past PATH_MAX in a hostile layer) is left out; 0 for a missing path.
int64_t DirSize(const std::string& path);

// Entry names of a directory, without "." and "..". NotFound if it does not exist.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path);

bool PathExists(const std::string& path);

// An exclusive flock(2) held for the object's lifetime. Opens `path` (a directory or a file,
// created if missing) close-on-exec.
class FileLock {
 public:
  static absl::StatusOr<FileLock> Acquire(const std::string& path);
  // Non-blocking: FailedPrecondition if another holder has it.
  static absl::StatusOr<FileLock> TryAcquire(const std::string& path);
  FileLock(FileLock&&) = default;
  FileLock& operator=(FileLock&&) = default;
  // The descriptor that holds the lock (a child forked while holding it shares the lock).
  int fd() const { return fd_.get(); }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace mydocker

#endif  // MYDOCKER_FS_UTIL_H_
