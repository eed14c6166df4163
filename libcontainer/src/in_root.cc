#include "in_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <deque>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mydocker/status_macros.h"

namespace mydocker {

namespace {

// Symlinks followed on one path at most, as the kernel's (MAXSYMLINKS).
constexpr int kMaxSymlinks = 40;

// The components of `path` ("a//b/./c" gives a, b, c), in front of `todo`.
void PushComponents(absl::string_view path, std::deque<std::string>& todo) {
  std::vector<std::string> parts;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part != ".") parts.emplace_back(part);
  }
  todo.insert(todo.begin(), parts.begin(), parts.end());
}

}  // namespace

absl::StatusOr<UniqueFd> WalkPathInRoot(int root_fd, const std::string& path, int flags) {
  auto fail = [&path](int err) { return ErrnoError(err, absl::StrCat("open ", path)); };
  // dirs[0] is the root; each later entry a directory below the one before.
  std::vector<UniqueFd> dirs;
  dirs.emplace_back(::openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dirs[0]) return fail(errno);
  std::deque<std::string> todo;
  PushComponents(path, todo);
  int links = 0;
  while (!todo.empty()) {
    const std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == "..") {  // never above the root, as RESOLVE_IN_ROOT
      if (dirs.size() > 1) dirs.pop_back();
      continue;
    }
    const bool last = todo.empty();
    UniqueFd next(::openat(dirs.back().get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return fail(errno);
    struct stat st;
    if (::fstat(next.get(), &st) != 0) return fail(errno);
    if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
      // Its target is walked in its place: from the root when absolute, else from here. A magic
      // link (/proc/self/fd/N) reads as a path or "pipe:[N]" and is walked as text too, so it
      // never jumps outside.
      if (++links > kMaxSymlinks) return fail(ELOOP);
      char target[PATH_MAX];
      ssize_t n = ::readlinkat(next.get(), "", target, sizeof target);
      if (n < 0) return fail(errno);
      if (n == static_cast<ssize_t>(sizeof target)) return fail(ENAMETOOLONG);
      absl::string_view text(target, static_cast<size_t>(n));
      if (absl::StartsWith(text, "/")) dirs.resize(1);
      PushComponents(text, todo);
      continue;
    }
    if (last) {
      // Opened again with the caller's flags, by name: O_NOFOLLOW makes a symlink that replaced
      // it meanwhile fail (ELOOP) rather than be followed.
      UniqueFd fd(::openat(dirs.back().get(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) return fail(errno);
      return fd;
    }
    if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR);
    dirs.push_back(std::move(next));
  }
  // The path names the root itself (or a directory a ".." or a link led back to).
  UniqueFd fd(::openat(dirs.back().get(), ".", flags | O_CLOEXEC));
  if (!fd) return fail(errno);
  return fd;
}

absl::StatusOr<UniqueFd> OpenPathInRoot(int root_fd, const std::string& path, int flags) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* name = path.empty() ? "." : path.c_str();
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root_fd, name, &how, sizeof how)));
  // No openat2 (Linux before 5.6, valgrind, a sandbox's filter): the same walk in user space.
  if (!fd && errno == ENOSYS) return WalkPathInRoot(root_fd, path, flags);
  if (!fd) return LastErrnoError(absl::StrCat("open ", path));
  return fd;
}

absl::StatusOr<UniqueFd> OpenInRoot(int root_fd, const std::string& path) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd,
                            OpenPathInRoot(root_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return LastErrnoError(absl::StrCat("stat ", path));
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file"));
  }
  return fd;
}

absl::StatusOr<std::string> ReadInRoot(int root_fd, const std::string& path, size_t max_size) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, OpenInRoot(root_fd, path));
  std::string out;
  char buf[16384];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError(absl::StrCat("read ", path));
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_size) {
      return absl::InvalidArgumentError(absl::StrCat(path, " is larger than ", max_size, " bytes"));
    }
  }
}

}  // namespace mydocker
