#include "cleanup.h"

#include <sys/mount.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "mydocker/rootfs.h"
#include "mydocker/status_macros.h"

namespace mydocker {

absl::Status ReleaseResources(CgroupManager& cgroups, const std::string& container_dir,
                              const ContainerState& state) {
  absl::Status result;
  // The overlay is normally mounted only inside the container's mount namespace and vanishes
  // with it; a host mount here is a leftover of an older layout or of a crash mid-setup.
  result.Update(Rootfs(container_dir, {}).Unmount());
  if (!state.cgroup_path.empty()) {
    result.Update(Annotate(cgroups.Destroy(state.cgroup_path), "remove cgroup"));
  }
  return result;
}

}  // namespace mydocker
