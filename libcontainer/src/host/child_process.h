// The owner of a child process: its pid and a pidfd on it. Until it is waited for or handed
// over, destroying it kills the child (SIGKILL) and reaps it, so no error path leaves a
// process or a zombie behind. Move-only.
#ifndef MYDOCKER_HOST_CHILD_PROCESS_H_
#define MYDOCKER_HOST_CHILD_PROCESS_H_

#include <sys/types.h>

#include "absl/status/statusor.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

class Host;

class ChildProcess {
 public:
  ChildProcess() = default;
  // `host` reaps it (Host::Reap) and must outlive it; `pidfd` may be invalid where the kernel
  // has no pidfds, signals then go to the pid (safe until we reap it: it cannot be recycled).
  ChildProcess(Host* host, pid_t pid, UniqueFd pidfd)
      : host_(host), pid_(pid), pidfd_(std::move(pidfd)) {}
  ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  bool owns() const { return pid_ > 0; }

  absl::Status Signal(int signal) const;
  // True once the child has ended (it is left to Wait to reap): polls the pidfd, or without
  // one asks waitid(WNOWAIT). Never blocks.
  bool Ended() const;
  // Waits for the child to end and reaps it; returns its wait status. Afterwards owns nothing.
  absl::StatusOr<int> Wait();
  // SIGKILL, then Wait: what destruction does, for when the wait status is wanted.
  absl::StatusOr<int> KillAndWait();
  // Gives up ownership (someone else reaps the child); returns its pid.
  pid_t Release();

 private:
  Host* host_ = nullptr;
  pid_t pid_ = -1;
  UniqueFd pidfd_;
};

}  // namespace mydocker

#endif  // MYDOCKER_HOST_CHILD_PROCESS_H_
