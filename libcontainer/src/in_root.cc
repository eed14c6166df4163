#include "in_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"

namespace mydocker {

absl::StatusOr<UniqueFd> OpenPathInRoot(int root_fd, const std::string& path, int flags) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* name = path.empty() ? "." : path.c_str();
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root_fd, name, &how, sizeof how)));
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
