// The clone of a container's init, shared by the monitor (Docker-like mode) and `create` (OCI
// runtime mode).
#ifndef MYDOCKER_PROCESS_CLONE_INIT_H_
#define MYDOCKER_PROCESS_CLONE_INIT_H_

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "mydocker/cgroup_manager.h"
#include "process/init_plan.h"

namespace mydocker::process {

// Clones init running RunInit(plan) with the CLONE_NEW* `flags`. The network and cgroup
// namespaces are left to init (plan.unshare_net, plan.unshare_cgroup), which creates them once
// in its cgroup `cgroup_path`: on cgroup v2 init is created there (clone3 CLONE_INTO_CGROUP, no
// migration); otherwise it joins itself first thing (plan.cgroup_join_files). A fork-like clone:
// the caller must be single-threaded. Returns init's pid (the caller's child, SIGCHLD).
absl::StatusOr<pid_t> CloneInit(const CgroupManager& cgroups, const std::string& cgroup_path,
                                unsigned long flags, InitPlan& plan);

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_CLONE_INIT_H_
