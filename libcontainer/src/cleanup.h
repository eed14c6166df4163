// Releasing a container's kernel resources. Every step tolerates "already gone", so the monitor,
// `rm` and a later `rm -f` after a crash can all run it and end in the same state: nothing left.
#ifndef MYDOCKER_CLEANUP_H_
#define MYDOCKER_CLEANUP_H_

#include "absl/status/status.h"
#include "mydocker/cgroup_manager.h"
#include "mydocker/container_state.h"

namespace mydocker {

// Unmounts the root file system if it is mounted on the host and removes the cgroup.
absl::Status ReleaseResources(CgroupManager& cgroups, const std::string& container_dir,
                              const ContainerState& state);

}  // namespace mydocker

#endif  // MYDOCKER_CLEANUP_H_
