// A new container's configuration, built without side effects from the caller's options, the
// image's configuration and what the host and the store say (ContainerFacts), so that every rule
// of `run` (command from entrypoint and cmd, working directory, environment, hostname, user,
// cgroup namespace, memory+swap default, device policy, seccomp profile) is unit-tested.
// Runtime::Create (create.cc) gathers the facts and does the side effects: volumes, the seccomp
// cache, the record, the directories.
#ifndef MYDOCKER_CONTAINER_CONFIG_BUILDER_H_
#define MYDOCKER_CONTAINER_CONFIG_BUILDER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/cgroup_manager.h"
#include "mydocker/container.h"
#include "mydocker/container_config.h"
#include "mydocker/devices.h"
#include "mydocker/image_store.h"

namespace mydocker {

// A container another one names in --pid/--ipc container:NAME.
struct JoinTarget {
  std::string id;
  bool running = false;
  std::string ipc_mode;
};

struct ContainerFacts {
  std::string id;
  std::string container_dir;
  std::vector<std::string> layer_dirs;  // the image's layers, topmost first
  CgroupVersion cgroup_version = CgroupVersion::kV2;
  bool swap_limit_supported = false;
  // Reads a file of the image as the container will see it (user and group names).
  std::function<absl::StatusOr<std::string>(const std::string& path)> read_image_file;
  // Resolves a --device spec on the host (ResolveDeviceSpec).
  std::function<absl::StatusOr<DeviceGrant>(absl::string_view spec)> resolve_device;
  // The capabilities the runtime can give (HeldCapabilities: bit N = capability N), the most
  // --privileged and --cap-add ALL grant.
  uint64_t held_capabilities = 0;
  // Every device node of the host's /dev, for --privileged (HostDevices).
  std::function<absl::StatusOr<DeviceGrant>()> host_devices;
  // The runtime's own hard limit of RLIMIT_* `resource` (getrlimit): what --ulimit may reach
  // without CAP_SYS_RESOURCE.
  std::function<uint64_t(int resource)> hard_limit;
  // The runtime's own /proc/self/oom_score_adj: what --oom-score-adj may go down to without
  // CAP_SYS_RESOURCE.
  int oom_score_adj = 0;
  // Whether the host has kernel parameter `name` ("kernel.shmmax": /proc/sys/kernel/shmmax).
  std::function<bool(const std::string& name)> has_sysctl;
  // Finds a container by name, id or id prefix (NotFound otherwise).
  std::function<absl::StatusOr<JoinTarget>(const std::string& name)> find_container;
  std::string host_name;  // the host's, for --uts host's HOSTNAME
};

// InvalidArgument (one line naming the value) for options that cannot make a container.
// The result has no volume mounts yet (Runtime::Create adds them) and its seccomp profile, if
// custom, is parsed but not compiled.
absl::StatusOr<ContainerConfig> BuildContainerConfig(const CreateOptions& options,
                                                     const ImageConfig& image,
                                                     const ContainerFacts& facts);

// The docker-style default name: "adjective_scientist".
std::string GenerateContainerName();

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_CONFIG_BUILDER_H_
