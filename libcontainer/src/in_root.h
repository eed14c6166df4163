// Opening files of a directory tree that is not trusted (a container's root, an unpacked image
// archive) so that nothing in it leads outside: every symlink is resolved inside `root_fd`
// (openat2 with RESOLVE_IN_ROOT), magic links are refused, and only regular files are accepted
// (a FIFO would block the reader, a device would never end).
#ifndef MYDOCKER_IN_ROOT_H_
#define MYDOCKER_IN_ROOT_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

// Opens `path` (relative or absolute, both taken inside the root) read-only.
// NotFound if missing, InvalidArgument if not a regular file.
absl::StatusOr<UniqueFd> OpenInRoot(int root_fd, const std::string& path);

// Opens `path` inside the root with `flags` (O_PATH, O_DIRECTORY, O_NOFOLLOW for the last
// component...): every symlink on the way, absolute or "..", stays inside the root; magic links
// are refused. Errors keep the errno's code (NotFound for ENOENT).
absl::StatusOr<UniqueFd> OpenPathInRoot(int root_fd, const std::string& path, int flags);

// What OpenPathInRoot does where the kernel has no openat2 (ENOSYS): the same resolution in user
// space, one component at a time with O_NOFOLLOW ("..": never above the root; a symlink's
// target walked in its place, from the root when absolute; ELOOP after 40 of them), the last
// component opened with `flags` and O_NOFOLLOW. Exposed for tests.
absl::StatusOr<UniqueFd> WalkPathInRoot(int root_fd, const std::string& path, int flags);

// Reads at most `max_size` bytes of `path`; InvalidArgument if the file is larger.
absl::StatusOr<std::string> ReadInRoot(int root_fd, const std::string& path, size_t max_size);

}  // namespace mydocker

#endif  // MYDOCKER_IN_ROOT_H_
