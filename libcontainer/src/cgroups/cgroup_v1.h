// The cgroup v1 driver: one hierarchy per controller (or per group of co-mounted controllers),
// a container's cgroup is the directory <controller root>/<path> in each of them.
#ifndef MYDOCKER_CGROUPS_CGROUP_V1_H_
#define MYDOCKER_CGROUPS_CGROUP_V1_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "cgroups/cgroup_overrides.h"
#include "mydocker/cgroup_manager.h"

namespace mydocker::cgroups {

class CgroupV1 final : public CgroupManager {
 public:
  // `roots`: controller name ("memory", "cpu", ...) -> directory of its hierarchy's root.
  // Co-mounted controllers ("cpu,cpuacct") map to the same directory. Controllers missing from
  // the map are skipped; setting a limit that needs one is FailedPrecondition.
  explicit CgroupV1(std::map<std::string, std::string> roots);

  CgroupVersion version() const override { return CgroupVersion::kV1; }
  MYDOCKER_CGROUP_MANAGER_OVERRIDES;
  bool SwapLimitSupported() const override;

 private:
  // <root of `controller`>/<path>, or "" when the controller is not mounted.
  std::string Dir(absl::string_view controller, const std::string& clean_path) const;
  // Writes the device policy `rules` to devices.allow/devices.deny. A `fresh` cgroup (made by
  // this Create, no process yet) gets the rules in order; an existing one only the difference
  // from its current policy (devices.list), where both are allow lists.
  absl::Status ApplyDevices(const std::string& clean_path, const std::vector<DeviceRule>& rules,
                            bool fresh) const;
  // The distinct directories of the cgroup over all mounted controllers we use.
  std::vector<std::string> Dirs(const std::string& clean_path) const;
  // Dir() of a controller a limit needs; FailedPrecondition when it is not mounted.
  absl::StatusOr<std::string> RequireDir(absl::string_view controller,
                                         const std::string& clean_path) const;

  // Sets *existed when the cgroup's own cpuset directory was there already.
  absl::Status CreateCpusetDirs(const std::string& clean_path, bool* existed) const;
  // The weight file of the cgroup (clean_path "" : of the root), or FailedPrecondition.
  absl::StatusOr<std::string> BlkioWeightFile(const std::string& clean_path) const;
  absl::Status Apply(const std::string& clean_path, const LinuxResources& resources) const;
  absl::Status ApplyMemory(const std::string& dir, const MemoryResources& memory) const;
  // The soft limit, swappiness and OOM killer switch (memory.soft_limit_in_bytes, .swappiness,
  // .oom_control).
  absl::Status ApplyMemoryPolicy(const std::string& dir, const MemoryResources& memory) const;
  absl::Status ApplyCpu(const std::string& clean_path, const CpuResources& cpu) const;
  absl::Status ApplyPids(const std::string& dir, const PidsResources& pids) const;
  absl::Status ApplyNetwork(const std::string& clean_path, const NetworkResources& network) const;
  absl::Status FillCpuStats(const std::string& clean_path, CgroupStats* stats) const;
  absl::Status FillMemoryStats(const std::string& clean_path, CgroupStats* stats) const;

  std::map<std::string, std::string> roots_;
};

}  // namespace mydocker::cgroups

#endif  // MYDOCKER_CGROUPS_CGROUP_V1_H_
