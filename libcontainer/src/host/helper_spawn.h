// Starting a helper process from a library that may be called from many threads: posix_spawn
// runs no code of ours in the child, so it is safe whatever the other threads hold.
#ifndef MYDOCKER_HOST_HELPER_SPAWN_H_
#define MYDOCKER_HOST_HELPER_SPAWN_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace mydocker {

// Starts `argv` in a new session with default signal dispositions and an empty signal mask.
// stdio[i] < 0 becomes /dev/null; `fds` are (descriptor here, number in the child) pairs.
// Every other descriptor of the caller is closed in the child. `executable` is the file to
// execute when it is not argv[0] (such as /proc/self/fd/N, N one of `fds`' numbers in the child).
absl::StatusOr<pid_t> SpawnInNewSession(const std::vector<std::string>& argv, char* const envp[],
                                        const int stdio[3],
                                        const std::vector<std::pair<int, int>>& fds,
                                        const std::string& executable = "");

}  // namespace mydocker

#endif  // MYDOCKER_HOST_HELPER_SPAWN_H_
