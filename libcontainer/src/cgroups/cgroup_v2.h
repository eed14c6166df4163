// The cgroup v2 driver: one unified hierarchy, a container's cgroup is <root>/<path>.
#ifndef MYDOCKER_CGROUPS_CGROUP_V2_H_
#define MYDOCKER_CGROUPS_CGROUP_V2_H_

#include <string>
#include <vector>

#include "cgroups/cgroup_overrides.h"
#include "cgroups/device_filter.h"
#include "mydocker/cgroup_manager.h"

namespace mydocker::cgroups {

class CgroupV2 final : public CgroupManager {
 public:
  // `root`: the directory the unified hierarchy is mounted at (or a fake tree in tests).
  // Controllers are used only where the hierarchy offers them (cgroup.controllers): creating
  // and placing processes work without any, a limit whose controller is missing is
  // FailedPrecondition. `device_filter` enforces a device policy (an eBPF program attached to
  // the cgroup); tests pass a recorder.
  explicit CgroupV2(std::string root, DeviceFilterApplier device_filter = &ApplyDeviceFilter);

  CgroupVersion version() const override { return CgroupVersion::kV2; }
  MYDOCKER_CGROUP_MANAGER_OVERRIDES;
  bool SwapLimitSupported() const override;

 private:
  std::string Dir(const std::string& clean_path) const;
  // FailedPrecondition unless every controller `resources` needs is listed in
  // `dir`/cgroup.controllers.
  absl::Status CheckControllers(const std::string& dir, const LinuxResources& resources) const;
  absl::Status CreateDirs(const std::string& clean_path, const LinuxResources& resources) const;
  absl::Status EnableControllers(const std::string& dir, const LinuxResources& resources) const;
  absl::Status Apply(const std::string& dir, const LinuxResources& resources) const;
  absl::Status ApplyMemory(const std::string& dir, const MemoryResources& memory) const;
  absl::Status ApplyCpu(const std::string& dir, const CpuResources& cpu) const;
  absl::Status FillMemoryStats(const std::string& dir, CgroupStats* stats) const;

  // Enforces resources.devices on the cgroup directory `dir`, when there are rules.
  absl::Status ApplyDevices(const std::string& dir, const LinuxResources& resources) const;

  std::string root_;
  DeviceFilterApplier device_filter_;
};

}  // namespace mydocker::cgroups

#endif  // MYDOCKER_CGROUPS_CGROUP_V2_H_
