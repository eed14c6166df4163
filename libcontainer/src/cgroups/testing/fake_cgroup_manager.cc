#include "cgroups/testing/fake_cgroup_manager.h"

#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"

namespace mydocker::testing {

void FakeCgroupManager::Record(std::string call) const { calls_.push_back(std::move(call)); }

absl::Status FakeCgroupManager::Take(std::optional<absl::Status>& error) const {
  if (!error) return absl::OkStatus();
  return *std::exchange(error, std::nullopt);
}

void FakeCgroupManager::Add(const std::string& path, std::vector<pid_t> pids) {
  std::lock_guard<std::mutex> lock(mu_);
  cgroups_[path].pids = std::move(pids);
}

std::optional<FakeCgroupManager::Cgroup> FakeCgroupManager::Get(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cgroups_.find(path);
  if (it == cgroups_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> FakeCgroupManager::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

absl::Status FakeCgroupManager::Validate(const LinuxResources&) const {
  std::lock_guard<std::mutex> lock(mu_);
  Record("validate");
  return Take(next_validate_error);
}

absl::Status FakeCgroupManager::Create(const std::string& path, const LinuxResources& resources) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(absl::StrCat("create ", path));
  cgroups_[path].resources = resources;
  return absl::OkStatus();
}

absl::Status FakeCgroupManager::AddProcess(const std::string& path, pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(absl::StrCat("add ", path, " ", pid));
  cgroups_[path].pids.push_back(pid);
  return absl::OkStatus();
}

absl::Status FakeCgroupManager::Update(const std::string& path, const LinuxResources& resources) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(absl::StrCat("update ", path));
  MYDOCKER_RETURN_IF_ERROR(Take(next_update_error));
  auto it = cgroups_.find(path);
  if (it == cgroups_.end()) return absl::NotFoundError(absl::StrCat("no cgroup ", path));
  it->second.resources = resources;
  return absl::OkStatus();
}

absl::StatusOr<CgroupStats> FakeCgroupManager::Stats(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  Record(absl::StrCat("stats ", path));
  return stats;
}

absl::Status FakeCgroupManager::Freeze(const std::string& path, bool frozen) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(absl::StrCat("freeze ", path, " ", frozen ? 1 : 0));
  MYDOCKER_RETURN_IF_ERROR(Take(next_freeze_error));
  auto it = cgroups_.find(path);
  if (it == cgroups_.end()) return absl::NotFoundError(absl::StrCat("no cgroup ", path));
  it->second.frozen = frozen;
  return absl::OkStatus();
}

absl::StatusOr<bool> FakeCgroupManager::IsFrozen(const std::string& path) const {
  std::optional<Cgroup> c = Get(path);
  if (!c) return absl::NotFoundError(absl::StrCat("no cgroup ", path));
  return c->frozen;
}

absl::StatusOr<std::vector<pid_t>> FakeCgroupManager::Pids(const std::string& path) const {
  std::optional<Cgroup> c = Get(path);
  if (!c) return absl::NotFoundError(absl::StrCat("no cgroup ", path));
  return c->pids;
}

absl::Status FakeCgroupManager::Destroy(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(absl::StrCat("destroy ", path));
  MYDOCKER_RETURN_IF_ERROR(Take(next_destroy_error));
  cgroups_.erase(path);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> FakeCgroupManager::JoinFiles(const std::string&) const {
  return std::vector<std::string>{};
}

absl::StatusOr<std::string> FakeCgroupManager::CloneIntoDir(const std::string& path) const {
  return absl::StrCat("/fake/cgroup/", path);
}

bool FakeCgroupManager::Exists(const std::string& path) const { return Get(path).has_value(); }

}  // namespace mydocker::testing
