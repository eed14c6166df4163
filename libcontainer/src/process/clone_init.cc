#include "process/clone_init.h"

#include <fcntl.h>
#include <linux/sched.h>  // struct clone_args, CLONE_INTO_CGROUP
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker::process {

absl::StatusOr<pid_t> CloneInit(const CgroupManager& cgroups, const std::string& cgroup_path,
                                unsigned long flags, InitPlan& plan) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clone_into, cgroups.CloneIntoDir(cgroup_path));
  UniqueFd cgroup_dir;
  if (!clone_into.empty()) {
    cgroup_dir.reset(::open(clone_into.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!cgroup_dir.valid()) return LastErrnoError(absl::StrCat("open cgroup ", clone_into));
  }
  // Init is created in its cgroup or joins it itself, then creates these (see InitPlan).
  plan.unshare_net = (flags & CLONE_NEWNET) != 0;
  plan.unshare_cgroup = (flags & CLONE_NEWCGROUP) != 0;
  flags &= ~static_cast<unsigned long>(CLONE_NEWNET | CLONE_NEWCGROUP);
  // A fork-like clone (no new stack): the child runs RunInit on the plan made above. The
  // caller is single-threaded, and RunInit only makes system calls.
  long pid = -1;
  if (cgroup_dir.valid()) {
    // cgroup v2: created in its cgroup (CLONE_INTO_CGROUP), so there is nothing to join and no
    // migration, which on v2 takes the system-wide lock even for a single thread.
    plan.cgroup_join_files.clear();
    struct clone_args args = {};
    args.flags = flags | CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = static_cast<uint64_t>(cgroup_dir.get());
    pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) RunInit(plan);
    // Before Linux 5.7 there is no clone3 or no CLONE_INTO_CGROUP: init joins, as on v1.
    if (pid < 0 && errno != ENOSYS && errno != E2BIG && errno != EINVAL) {
      return LastErrnoError("clone container init");
    }
  }
  if (pid < 0) {
    MYDOCKER_ASSIGN_OR_RETURN(plan.cgroup_join_files, cgroups.JoinFiles(cgroup_path));
    pid = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (pid < 0) return LastErrnoError("clone container init");
    if (pid == 0) RunInit(plan);
  }
  return static_cast<pid_t>(pid);
}

}  // namespace mydocker::process
