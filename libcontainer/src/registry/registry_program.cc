// RunRegistryProgram: starts mydocker-registry through the host seam and waits for it.
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "host/host.h"
#include "mydocker/pull.h"
#include "program_path.h"

namespace mydocker {
namespace {

// Waits for the child, relaying the signals read from `signal_fd`.
absl::StatusOr<int> WaitRelaying(ChildProcess& child, int signal_fd) {
  for (;;) {
    struct pollfd fds[2] = {{child.pidfd(), POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (::poll(fds, signal_fd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "poll");
    }
    if (fds[0].revents & POLLIN) return child.Wait();
    if (signal_fd >= 0 && (fds[1].revents & POLLIN)) {
      struct signalfd_siginfo info;
      if (::read(signal_fd, &info, sizeof info) == sizeof info) {
        child.Signal(static_cast<int>(info.ssi_signo)).IgnoreError();
      }
    }
  }
}

}  // namespace

absl::StatusOr<int> RunRegistryProgram(const RegistryProgramRequest& request) {
  SpawnRequest spawn;
  spawn.argv = {ProgramPath("MYDOCKER_REGISTRY", "mydocker-registry", MYDOCKER_REGISTRY_PATH)};
  spawn.argv.insert(spawn.argv.end(), request.args.begin(), request.args.end());
  spawn.stdio[0] = request.stdin_fd;
  spawn.stdio[1] = request.stdout_fd;
  spawn.stdio[2] = request.stderr_fd;
  absl::StatusOr<ChildProcess> child = RealHost().Spawn(spawn);
  if (!child.ok()) {
    return absl::Status(child.status().code(),
                        absl::StrCat("start ", spawn.argv[0], ": ", child.status().message()));
  }
  absl::StatusOr<int> status = WaitRelaying(*child, request.signal_fd);
  if (!status.ok()) return status.status();
  if (WIFEXITED(*status)) return WEXITSTATUS(*status);
  return absl::InternalError(absl::StrCat(spawn.argv[0], " was killed by signal ",
                                          WIFSIGNALED(*status) ? WTERMSIG(*status) : 0));
}

}  // namespace mydocker
