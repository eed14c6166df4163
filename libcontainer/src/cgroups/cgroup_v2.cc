#include "cgroups/cgroup_v2.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cgroups/cgroup_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/resources.h"
#include "mydocker/status_macros.h"

namespace mydocker::cgroups {
namespace {

constexpr absl::Duration kFreezeTimeout = absl::Seconds(5);

// The controllers mydocker enables for its cgroups when the hierarchy has them.
constexpr absl::string_view kWantedControllers[] = {"cpuset", "cpu", "memory", "pids"};

// The controllers `resources` cannot be applied without.
std::vector<absl::string_view> NeededControllers(const LinuxResources& r) {
  std::vector<absl::string_view> out;
  if (!r.cpu.cpus.empty() || !r.cpu.mems.empty()) out.push_back("cpuset");
  if ((r.cpu.shares.has_value() && *r.cpu.shares != 0) || r.cpu.quota.has_value() ||
      r.cpu.period.has_value()) {
    out.push_back("cpu");
  }
  if (!r.memory.empty()) out.push_back("memory");
  if (r.pids.limit.has_value()) out.push_back("pids");
  if (r.block_io.weight) out.push_back("io");
  if (!r.hugepage_limits.empty()) out.push_back("hugetlb");
  return out;
}

absl::StatusOr<std::vector<std::string>> ReadWords(const std::string& dir, absl::string_view name) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string text, ReadControl(dir, name));
  return std::vector<std::string>(absl::StrSplit(text, ' ', absl::SkipWhitespace()));
}

bool Contains(const std::vector<std::string>& words, absl::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// Optional list files (cpuset.cpus.effective): empty when missing.
std::vector<int> ReadListOrEmpty(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return {};
  absl::StatusOr<std::vector<int>> list = ParseCpuset(*text);
  return list.ok() ? *list : std::vector<int>{};
}

// "max" or a number, as memory.max and pids.max read.
std::optional<uint64_t> ParseMax(absl::string_view text) {
  uint64_t value = 0;
  if (text == "max" || !absl::SimpleAtoi(text, &value)) return std::nullopt;
  return value;
}

absl::Status DrainV2(const std::string& dir) {
  // cgroup.kill (Linux 5.14) kills the whole subtree atomically, frozen tasks included, and
  // cannot race with forks the way reading cgroup.procs and killing pid by pid can.
  if (PathExists(absl::StrCat(dir, "/cgroup.kill"))) {
    absl::Status s = WriteControl(dir, "cgroup.kill", "1");
    if (s.ok() || absl::IsNotFound(s)) return absl::OkStatus();
    return s;
  }
  return KillProcs(dir);
}

}  // namespace

CgroupV2::CgroupV2(std::string root, DeviceFilterApplier device_filter)
    : root_(std::move(root)), device_filter_(device_filter) {}

std::string CgroupV2::Dir(const std::string& clean_path) const {
  return absl::StrCat(root_, "/", clean_path);
}

absl::Status CgroupV2::CheckControllers(const std::string& dir,
                                        const LinuxResources& resources) const {
  std::vector<absl::string_view> needed = NeededControllers(resources);
  if (needed.empty()) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> available,
                            ReadWords(dir, "cgroup.controllers"));
  for (absl::string_view controller : needed) {
    if (!Contains(available, controller)) {
      return absl::FailedPreconditionError(
          absl::StrCat(controller, " controller not available in cgroup v2 hierarchy at ", dir,
                       " (available: ", available.empty() ? "none" : absl::StrJoin(available, " "),
                       "; on hybrid hosts the controllers are bound to cgroup v1)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CgroupV2::Validate(const LinuxResources& resources) const {
  // The machine's CPUs and memory nodes are read only for the limits that are checked
  // against them (every create validates, most with no CPU limit at all).
  MachineLimits limits;
  if (ChecksCpuCount(resources)) limits.online_cpus = OnlineCpus();
  if (!resources.cpu.cpus.empty()) {
    limits.allowed_cpus = ReadListOrEmpty(absl::StrCat(root_, "/cpuset.cpus.effective"));
    if (limits.allowed_cpus.empty()) {
      limits.allowed_cpus = ReadListOrEmpty("/sys/devices/system/cpu/online");
    }
  }
  if (!resources.cpu.mems.empty()) {
    limits.allowed_mems = ReadListOrEmpty(absl::StrCat(root_, "/cpuset.mems.effective"));
  }
  MYDOCKER_RETURN_IF_ERROR(ValidateResourceValues(resources, limits));
  // cgroup v2 has neither (Docker discards them there with a warning; refused here, before
  // anything is made, rather than ignored).
  if (resources.memory.swappiness.has_value()) {
    return absl::FailedPreconditionError(
        "memory swappiness is not supported with cgroup v2 (the kernel has no per-cgroup knob)");
  }
  if (resources.memory.disable_oom_killer.value_or(false)) {
    return absl::FailedPreconditionError(
        "disabling the OOM killer is not supported with cgroup v2 (the kernel has no per-cgroup "
        "knob)");
  }
  if (!resources.network.empty()) {
    return absl::FailedPreconditionError(
        "network class ids and priorities (linux.resources.network) are not supported with "
        "cgroup v2: they are cgroup v1's net_cls and net_prio controllers, which v2 does not have");
  }
  MYDOCKER_RETURN_IF_ERROR(CheckControllers(root_, resources));
  return CheckHugepageSizes(resources.hugepage_limits);
}

absl::Status CgroupV2::Create(const std::string& path, const LinuxResources& resources) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  MYDOCKER_RETURN_IF_ERROR(Validate(resources));
  bool existed = Exists(clean);
  absl::Status status = CreateDirs(clean, resources);
  if (status.ok()) status = CheckControllers(Dir(clean), resources);
  if (status.ok()) status = Apply(Dir(clean), resources);
  // Before the container's first process is created in the cgroup (CLONE_INTO_CGROUP).
  if (status.ok()) status = ApplyDevices(Dir(clean), resources);
  // Roll back only what this call made: an existing cgroup may hold someone's processes.
  if (!status.ok() && !existed) Destroy(clean).IgnoreError();
  return Annotate(status, absl::StrCat("create cgroup ", clean));
}

absl::Status CgroupV2::CreateDirs(const std::string& clean_path,
                                  const LinuxResources& resources) const {
  // Each level enables the controllers for the one below before that one is made, so the new
  // cgroup has its interface files from the start.
  std::string dir = root_;
  for (absl::string_view part : absl::StrSplit(clean_path, '/')) {
    MYDOCKER_RETURN_IF_ERROR(EnableControllers(dir, resources));
    absl::StrAppend(&dir, "/", part);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return LastErrnoError(absl::StrCat("mkdir ", dir));
    }
  }
  return absl::OkStatus();
}

absl::Status CgroupV2::EnableControllers(const std::string& dir,
                                         const LinuxResources& resources) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> available,
                            ReadWords(dir, "cgroup.controllers"));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> enabled,
                            ReadWords(dir, "cgroup.subtree_control"));
  std::vector<std::string> missing;
  // io only for a container that asks for it (--blkio-weight).
  std::vector<absl::string_view> wanted(std::begin(kWantedControllers),
                                        std::end(kWantedControllers));
  if (resources.block_io.weight) wanted.push_back("io");
  if (!resources.hugepage_limits.empty()) wanted.push_back("hugetlb");
  for (absl::string_view c : wanted) {
    if (Contains(available, c) && !Contains(enabled, c)) missing.push_back(absl::StrCat("+", c));
  }
  if (missing.empty()) return absl::OkStatus();
  if (WriteControl(dir, "cgroup.subtree_control", absl::StrJoin(missing, " ")).ok()) {
    return absl::OkStatus();
  }
  // One write enables all or none; retry one by one so a controller we do not need (cpu
  // refuses while realtime tasks run in the parent) cannot block the ones we do.
  std::vector<absl::string_view> needed = NeededControllers(resources);
  for (const std::string& plus : missing) {
    absl::Status s = WriteControl(dir, "cgroup.subtree_control", plus);
    absl::string_view name = absl::string_view(plus).substr(1);
    if (!s.ok() && std::find(needed.begin(), needed.end(), name) != needed.end()) return s;
  }
  return absl::OkStatus();
}

absl::Status CgroupV2::Update(const std::string& path, const LinuxResources& resources) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  MYDOCKER_RETURN_IF_ERROR(Validate(resources));
  absl::Status status = CheckControllers(Dir(clean), resources);
  if (status.ok()) status = Apply(Dir(clean), resources);
  if (status.ok()) status = ApplyDevices(Dir(clean), resources);
  return Annotate(status, absl::StrCat("update cgroup ", clean));
}

absl::Status CgroupV2::ApplyDevices(const std::string& dir, const LinuxResources& resources) const {
  if (resources.devices.empty()) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(DevicePolicy policy, ReduceDeviceRules(resources.devices));
  return device_filter_(dir, policy);
}

absl::Status CgroupV2::Apply(const std::string& dir, const LinuxResources& resources) const {
  MYDOCKER_RETURN_IF_ERROR(ApplyMemory(dir, resources.memory));
  MYDOCKER_RETURN_IF_ERROR(ApplyCpu(dir, resources.cpu));
  if (resources.pids.limit.has_value()) {
    int64_t limit = *resources.pids.limit;
    MYDOCKER_RETURN_IF_ERROR(
        WriteControl(dir, "pids.max", limit == -1 ? "max" : absl::StrCat(limit)));
  }
  if (!resources.hugepage_limits.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(auto writes, HugepageWrites(dir, resources.hugepage_limits, ".max"));
    for (const auto& [file, value] : writes) {
      MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, file, value));
    }
  }
  if (resources.block_io.weight) {
    // BFQ takes Docker's 10-1000 as it is; io.weight (blk-iocost) is 1-10000, scaled as runc
    // scales it.
    uint64_t weight = *resources.block_io.weight;
    if (PathExists(absl::StrCat(dir, "/io.bfq.weight"))) {
      return WriteControl(dir, "io.bfq.weight", absl::StrCat(weight));
    }
    if (!PathExists(absl::StrCat(dir, "/io.weight"))) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--blkio-weight is not supported on this host: no io.weight or io.bfq.weight in ", dir));
    }
    return WriteControl(dir, "io.weight", absl::StrCat("default ", 1 + (weight - 10) * 9999 / 990));
  }
  return absl::OkStatus();
}

absl::Status CgroupV2::ApplyMemory(const std::string& dir, const MemoryResources& memory) const {
  if (memory.limit.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "memory.max", absl::StrCat(*memory.limit)));
  }
  if (memory.reservation.has_value()) {
    const int64_t low = *memory.reservation;
    MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "memory.low", low == -1 ? "0" : absl::StrCat(low)));
  }
  if (!memory.swap.has_value()) return absl::OkStatus();
  if (!PathExists(absl::StrCat(dir, "/memory.swap.max"))) {
    if (*memory.swap == -1) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat("memory+swap limit ", *memory.swap,
                                                      " not supported: no memory.swap.max in ", dir,
                                                      " (kernel without swap accounting)"));
  }
  // OCI's swap is memory+swap; v2 limits swap alone. Validate ensured a limit comes with it.
  std::string swap_max = *memory.swap == -1 ? "max" : absl::StrCat(*memory.swap - *memory.limit);
  return WriteControl(dir, "memory.swap.max", swap_max);
}

absl::Status CgroupV2::ApplyCpu(const std::string& dir, const CpuResources& cpu) const {
  if (cpu.shares.has_value() && *cpu.shares != 0) {
    MYDOCKER_RETURN_IF_ERROR(
        WriteControl(dir, "cpu.weight", absl::StrCat(CpuSharesToWeight(*cpu.shares))));
  }
  if (cpu.quota.has_value() || cpu.period.has_value()) {
    // cpu.max is "<quota|max> <period>"; the kernel keeps the period when only a quota is
    // written, but a period needs the current quota written with it.
    std::string quota;
    if (cpu.quota.has_value()) {
      quota = *cpu.quota == -1 ? "max" : absl::StrCat(*cpu.quota);
    } else {
      MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> current, ReadWords(dir, "cpu.max"));
      quota = current.empty() ? "max" : current[0];
    }
    std::string value = cpu.period.has_value() ? absl::StrCat(quota, " ", *cpu.period) : quota;
    MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "cpu.max", value));
  }
  if (!cpu.cpus.empty()) MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "cpuset.cpus", cpu.cpus));
  if (!cpu.mems.empty()) MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "cpuset.mems", cpu.mems));
  return absl::OkStatus();
}

absl::Status CgroupV2::AddProcess(const std::string& path, pid_t pid) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  if (pid <= 0) return absl::InvalidArgumentError(absl::StrCat("invalid pid ", pid));
  return Annotate(WriteControl(Dir(clean), "cgroup.procs", absl::StrCat(pid)),
                  absl::StrCat("add process ", pid, " to cgroup ", clean));
}

absl::StatusOr<CgroupStats> CgroupV2::Stats(const std::string& path) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  std::string dir = Dir(clean);
  CgroupStats stats;
  // cpu.stat's usage_usec is kept by the core, with or without the cpu controller.
  MYDOCKER_ASSIGN_OR_RETURN(uint64_t usage_usec, ReadKeyedValue(dir, "cpu.stat", "usage_usec"));
  stats.cpu_usage_ns = usage_usec * 1000;
  MYDOCKER_RETURN_IF_ERROR(FillMemoryStats(dir, &stats));
  if (PathExists(absl::StrCat(dir, "/pids.current"))) {
    MYDOCKER_ASSIGN_OR_RETURN(stats.pids_current, ReadUint(dir, "pids.current"));
    MYDOCKER_ASSIGN_OR_RETURN(std::string max, ReadControl(dir, "pids.max"));
    stats.pids_limit = ParseMax(max);
  } else {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<pid_t> pids, ReadProcs(dir));
    stats.pids_current = pids.size();
  }
  if (auto io = ReadControl(dir, "io.stat"); io.ok()) {
    AddIoStat(*io, &stats.block_read_bytes, &stats.block_write_bytes);
  }
  return stats;
}

absl::Status CgroupV2::FillMemoryStats(const std::string& dir, CgroupStats* stats) const {
  if (!PathExists(absl::StrCat(dir, "/memory.current"))) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(uint64_t usage, ReadUint(dir, "memory.current"));
  // Docker reports usage without the inactive page cache, which the kernel reclaims first.
  absl::StatusOr<uint64_t> inactive = ReadKeyedValue(dir, "memory.stat", "inactive_file");
  uint64_t cache = inactive.ok() ? *inactive : 0;
  stats->memory_usage = usage > cache ? usage - cache : 0;
  MYDOCKER_ASSIGN_OR_RETURN(std::string max, ReadControl(dir, "memory.max"));
  stats->memory_limit = ParseMax(max);
  absl::StatusOr<uint64_t> ooms = ReadKeyedValue(dir, "memory.events", "oom_kill");
  stats->oom_kills = ooms.ok() ? *ooms : 0;
  return absl::OkStatus();
}

absl::Status CgroupV2::Freeze(const std::string& path, bool frozen) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  std::string dir = Dir(clean);
  MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "cgroup.freeze", frozen ? "1" : "0"));
  // The write only starts freezing; cgroup.events says when every task has stopped.
  absl::Status status = PollUntil(
      [&]() -> absl::StatusOr<bool> {
        MYDOCKER_ASSIGN_OR_RETURN(uint64_t state, ReadKeyedValue(dir, "cgroup.events", "frozen"));
        return state == (frozen ? 1u : 0u);
      },
      kFreezeTimeout, absl::StrCat(dir, "/cgroup.events to say frozen ", frozen ? 1 : 0));
  if (!status.ok() && frozen) WriteControl(dir, "cgroup.freeze", "0").IgnoreError();
  return status;
}

absl::StatusOr<bool> CgroupV2::IsFrozen(const std::string& path) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  MYDOCKER_ASSIGN_OR_RETURN(uint64_t state, ReadKeyedValue(Dir(clean), "cgroup.events", "frozen"));
  return state == 1;
}

absl::StatusOr<std::vector<pid_t>> CgroupV2::Pids(const std::string& path) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  return ReadProcs(Dir(clean));
}

absl::Status CgroupV2::Destroy(const std::string& path) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  // The shared parent ("mydocker") stays: other containers may be using it.
  return RemoveCgroupDir(Dir(clean), DrainV2);
}

absl::StatusOr<std::vector<std::string>> CgroupV2::JoinFiles(const std::string& path) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  return std::vector<std::string>{Dir(clean) + "/cgroup.procs"};
}

bool CgroupV2::SwapLimitSupported() const {
  // The root cgroup has no memory.swap.max, and a child has it only where the kernel accounts
  // swap: look in our containers' parent, then in our own cgroup. Unsure means no (swap then
  // stays unlimited rather than a start failing on a missing file).
  if (PathExists(Dir("mydocker") + "/memory.swap.max")) return true;
  absl::StatusOr<std::string> self = ReadFile("/proc/self/cgroup");
  if (!self.ok()) return false;
  for (absl::string_view line : absl::StrSplit(*self, '\n')) {
    if (!absl::StartsWith(line, "0::/")) continue;
    std::string own = absl::StrCat(root_, line.substr(3));
    return line.size() > 4 && PathExists(own + "/memory.swap.max");
  }
  return false;
}

absl::StatusOr<std::string> CgroupV2::CloneIntoDir(const std::string& path) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  return Dir(clean);
}

bool CgroupV2::Exists(const std::string& path) const {
  absl::StatusOr<std::string> clean = CleanCgroupPath(path);
  return clean.ok() && PathExists(Dir(*clean));
}

}  // namespace mydocker::cgroups
