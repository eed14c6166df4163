// The operations every CgroupManager implementation declares as overrides (the v1 and v2
// drivers, the unit tests' fake): one list, so that an operation added to the interface in
// mydocker/cgroup_manager.h is declared for all of them by one edit here. version() and
// SwapLimitSupported(), often written inline, are declared by each class.
#ifndef MYDOCKER_CGROUPS_CGROUP_OVERRIDES_H_
#define MYDOCKER_CGROUPS_CGROUP_OVERRIDES_H_

#include "mydocker/cgroup_manager.h"

// clang-format off
#define MYDOCKER_CGROUP_MANAGER_OVERRIDES                                                      \
  absl::Status Validate(const LinuxResources& resources) const override;                       \
  absl::Status Create(const std::string& path, const LinuxResources& resources) override;      \
  absl::Status AddProcess(const std::string& path, pid_t pid) override;                        \
  absl::Status Update(const std::string& path, const LinuxResources& resources) override;      \
  absl::StatusOr<CgroupStats> Stats(const std::string& path) const override;                   \
  absl::Status Freeze(const std::string& path, bool frozen) override;                          \
  absl::StatusOr<bool> IsFrozen(const std::string& path) const override;                       \
  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& path) const override;             \
  absl::Status Destroy(const std::string& path) override;                                      \
  bool Exists(const std::string& path) const override;                                         \
  absl::StatusOr<std::vector<std::string>> JoinFiles(const std::string& path) const override;  \
  absl::StatusOr<std::string> CloneIntoDir(const std::string& path) const override
// clang-format on

#endif  // MYDOCKER_CGROUPS_CGROUP_OVERRIDES_H_
