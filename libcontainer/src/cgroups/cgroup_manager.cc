// CgroupManager::Detect: picks the driver from what is mounted.
#include "mydocker/cgroup_manager.h"

#include <linux/magic.h>
#include <sys/statfs.h>

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "cgroups/cgroup_util.h"
#include "cgroups/cgroup_v1.h"
#include "cgroups/cgroup_v2.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

constexpr char kUnifiedRoot[] = "/sys/fs/cgroup";

}  // namespace

absl::StatusOr<std::unique_ptr<CgroupManager>> CgroupManager::Detect(const CgroupOptions& options) {
  if (!options.v2_root_override.empty() && !options.v1_roots_override.empty()) {
    return absl::InvalidArgumentError("both v1 and v2 cgroup roots overridden; choose one");
  }
  if (!options.v2_root_override.empty()) {
    return std::make_unique<cgroups::CgroupV2>(options.v2_root_override);
  }
  if (!options.v1_roots_override.empty()) {
    std::map<std::string, std::string> roots(options.v1_roots_override.begin(),
                                             options.v1_roots_override.end());
    return std::make_unique<cgroups::CgroupV1>(std::move(roots));
  }
  // Most hosts: the unified hierarchy alone, at its usual place, told by one statfs (as runc
  // and crun tell it) rather than by reading and parsing the mount table.
  struct statfs fs;
  if (options.mountinfo_path == CgroupOptions().mountinfo_path &&
      ::statfs(kUnifiedRoot, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
    return std::make_unique<cgroups::CgroupV2>(kUnifiedRoot);
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::string mountinfo, ReadFile(options.mountinfo_path));
  absl::StatusOr<cgroups::CgroupMounts> mounts = cgroups::ParseCgroupMounts(mountinfo);
  if (!mounts.ok()) return Annotate(mounts.status(), options.mountinfo_path);
  // Resource controllers live in one hierarchy only. When any is bound to v1, the host is v1
  // or "hybrid" (cgroup2 mounted beside, without controllers), and limits work only through
  // v1; the unified hierarchy is deliberately not required to have controllers.
  if (!mounts->v1.empty()) return std::make_unique<cgroups::CgroupV1>(std::move(mounts->v1));
  if (!mounts->unified.empty()) return std::make_unique<cgroups::CgroupV2>(mounts->unified);
  return absl::FailedPreconditionError(
      absl::StrCat("no cgroup file system mounted (per ", options.mountinfo_path, ")"));
}

}  // namespace mydocker
