// A recording CgroupManager for unit tests: keeps which cgroups exist, their frozen state, their
// processes and last limits in memory, logs every call in order, and returns injected errors.
#ifndef MYDOCKER_CGROUPS_TESTING_FAKE_CGROUP_MANAGER_H_
#define MYDOCKER_CGROUPS_TESTING_FAKE_CGROUP_MANAGER_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cgroups/cgroup_overrides.h"
#include "mydocker/cgroup_manager.h"

namespace mydocker::testing {

class FakeCgroupManager final : public CgroupManager {
 public:
  struct Cgroup {
    LinuxResources resources;  // what Create/Update last applied
    bool frozen = false;
    std::vector<pid_t> pids;
  };

  explicit FakeCgroupManager(CgroupVersion version = CgroupVersion::kV2) : version_(version) {}

  // Errors returned once by the next call of that kind.
  mutable std::optional<absl::Status> next_validate_error;  // Validate is const
  std::optional<absl::Status> next_freeze_error, next_update_error, next_destroy_error;
  CgroupStats stats;

  void Add(const std::string& path, std::vector<pid_t> pids = {});
  std::optional<Cgroup> Get(const std::string& path) const;
  // "create P", "update P", "freeze P 1", "destroy P", ...
  std::vector<std::string> calls() const;

  CgroupVersion version() const override { return version_; }
  MYDOCKER_CGROUP_MANAGER_OVERRIDES;
  bool SwapLimitSupported() const override { return true; }

 private:
  absl::Status Take(std::optional<absl::Status>& error) const;
  void Record(std::string call) const;

  CgroupVersion version_;
  mutable std::mutex mu_;
  mutable std::vector<std::string> calls_;
  std::map<std::string, Cgroup> cgroups_;
};

}  // namespace mydocker::testing

#endif  // MYDOCKER_CGROUPS_TESTING_FAKE_CGROUP_MANAGER_H_
