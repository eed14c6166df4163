#include "host/helper_spawn.h"

#include <fcntl.h>
#include <spawn.h>

#include <algorithm>
#include <csignal>

#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

absl::StatusOr<pid_t> SpawnInNewSession(const std::vector<std::string>& argv, char* const envp[],
                                        const int stdio[3],
                                        const std::vector<std::pair<int, int>>& fds,
                                        const std::string& executable) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (int fd = 0; fd < 3; ++fd) {
    if (stdio[fd] >= 0) {
      posix_spawn_file_actions_adddup2(&actions, stdio[fd], fd);
    } else {
      posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    }
  }
  // The child's dup2 calls run in order: a source that is also another's target (a descriptor
  // numbered 3 or 4 in a caller that closed its own, as a detached monitor does) would be
  // overwritten before it is copied. So every source is first copied above all the targets.
  int above = 3;
  for (const auto& [from, to] : fds) above = std::max(above, to + 1);
  std::vector<UniqueFd> staged;
  for (const auto& [from, to] : fds) {
    staged.emplace_back(::fcntl(from, F_DUPFD_CLOEXEC, above));
    if (!staged.back()) {
      posix_spawn_file_actions_destroy(&actions);
      posix_spawnattr_destroy(&attr);
      return LastErrnoError("copy a descriptor for a helper");
    }
    posix_spawn_file_actions_adddup2(&actions, staged.back().get(), to);
  }
  // Nothing else of ours reaches the helper, even a descriptor someone left inheritable: a
  // daemon (fuse-overlayfs) holding a container's pipe or lock would outlive it.
  posix_spawn_file_actions_addclosefrom_np(&actions, above);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  const std::string& file = executable.empty() ? argv[0] : executable;
  int rc = posix_spawn(&pid, file.c_str(), &actions, &attr, args.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return ErrnoError(rc, absl::StrCat("start ", argv[0]));
  return pid;
}

}  // namespace mydocker
