#include "cgroups/cgroup_v1.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cgroups/cgroup_util.h"
#include "cgroups/device_policy.h"
#include "mydocker/devices.h"
#include "mydocker/fs_util.h"
#include "mydocker/resources.h"
#include "mydocker/status_macros.h"

namespace mydocker::cgroups {
namespace {

// memory.limit_in_bytes reads PAGE_COUNTER_MAX pages (~2^63 bytes) when unlimited; anything
// this large is no real limit.
constexpr uint64_t kUnlimitedMemory = uint64_t{1} << 62;

constexpr absl::Duration kFreezeTimeout = absl::Seconds(5);
// Destroy freezes only to stop forks racing its kill; a task stuck in the kernel must not hold
// it up for long.
constexpr absl::Duration kDrainFreezeTimeout = absl::Milliseconds(500);

absl::StatusOr<std::vector<int>> ReadList(const std::string& dir, absl::string_view name) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string text, ReadControl(dir, name));
  if (text.empty()) return std::vector<int>{};
  return ParseCpuset(text);
}

// Returns the value of an optional counter, 0 when the kernel does not have it.
absl::StatusOr<uint64_t> KeyedOrZero(const std::string& dir, absl::string_view name,
                                     absl::string_view key) {
  absl::StatusOr<uint64_t> v = ReadKeyedValue(dir, name, key);
  if (absl::IsNotFound(v.status()) && PathExists(absl::StrCat(dir, "/", name))) return 0;
  return v;
}

// Sets freezer.state in `dir` and waits until it reads back. The state passes through FREEZING
// while tasks are stopped; writing again retries tasks that were busy in the kernel, so write
// on every poll.
absl::Status FreezeDir(const std::string& dir, bool frozen, absl::Duration timeout) {
  const std::string want = frozen ? "FROZEN" : "THAWED";
  absl::Status status = PollUntil(
      [&]() -> absl::StatusOr<bool> {
        MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "freezer.state", want));
        MYDOCKER_ASSIGN_OR_RETURN(std::string state, ReadControl(dir, "freezer.state"));
        return state == want;
      },
      timeout, absl::StrCat(dir, "/freezer.state to read ", want));
  // Leave no cgroup half-frozen behind a failed pause.
  if (!status.ok() && frozen) WriteControl(dir, "freezer.state", "THAWED").IgnoreError();
  return status;
}

// The writes that take an allow list from `current` to `target`: the exceptions `target` adds
// or widens first, then the access `current` has and `target` lacks taken away.
std::vector<DeviceRule> DeviceTransition(const DevicePolicy& current, const DevicePolicy& target) {
  auto access_in = [](const DevicePolicy& policy, const DeviceException& ex) -> uint8_t {
    for (const DeviceException& e : policy.exceptions) {
      if (e.SameDevices(ex)) return e.access;
    }
    return 0;
  };
  std::vector<DeviceRule> writes;
  for (const DeviceException& ex : target.exceptions) {
    uint8_t added = ex.access & static_cast<uint8_t>(~access_in(current, ex));
    if (added != 0) writes.push_back(ExceptionRule(true, ex, added));
  }
  for (const DeviceException& ex : current.exceptions) {
    uint8_t removed = ex.access & static_cast<uint8_t>(~access_in(target, ex));
    if (removed != 0) writes.push_back(ExceptionRule(false, ex, removed));
  }
  return writes;
}

}  // namespace

CgroupV1::CgroupV1(std::map<std::string, std::string> roots) : roots_(std::move(roots)) {}

std::string CgroupV1::Dir(absl::string_view controller, const std::string& clean_path) const {
  auto it = roots_.find(std::string(controller));
  if (it == roots_.end()) return "";
  return absl::StrCat(it->second, "/", clean_path);
}

std::vector<std::string> CgroupV1::Dirs(const std::string& clean_path) const {
  std::vector<std::string> dirs;
  for (absl::string_view controller : kV1Controllers) {
    std::string dir = Dir(controller, clean_path);
    if (!dir.empty() && std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) {
      dirs.push_back(dir);
    }
  }
  return dirs;
}

absl::StatusOr<std::vector<std::string>> CgroupV1::JoinFiles(const std::string& path) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  std::vector<std::string> files;
  // `tasks`, not cgroup.procs: a single-threaded process writing "0" moves its only thread
  // without taking cgroup_threadgroup_rwsem for writing (kernel 6.0+, "cgroup: Optimize single
  // thread migration"); older kernels take it either way.
  for (const std::string& dir : Dirs(clean)) files.push_back(dir + "/tasks");
  return files;
}

bool CgroupV1::SwapLimitSupported() const {
  auto memory = roots_.find("memory");
  return memory != roots_.end() && PathExists(memory->second + "/memory.memsw.limit_in_bytes");
}

absl::StatusOr<std::string> CgroupV1::CloneIntoDir(const std::string& path) const {
  MYDOCKER_RETURN_IF_ERROR(CleanCgroupPath(path).status());
  return std::string();
}

absl::StatusOr<std::string> CgroupV1::RequireDir(absl::string_view controller,
                                                 const std::string& clean_path) const {
  std::string dir = Dir(controller, clean_path);
  if (dir.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(controller, " controller not mounted (cgroup v1)"));
  }
  return dir;
}

absl::Status CgroupV1::Validate(const LinuxResources& resources) const {
  // The machine's CPUs and memory nodes are read only for the limits that are checked
  // against them (every create validates, most with no CPU limit at all).
  MachineLimits limits;
  if (ChecksCpuCount(resources)) limits.online_cpus = OnlineCpus();
  auto cpuset = roots_.find("cpuset");
  if (cpuset != roots_.end()) {
    // A container's cpuset must lie within its parent's; the hierarchy root stands for the
    // parent because Validate runs before any path is chosen.
    if (!resources.cpu.cpus.empty()) {
      MYDOCKER_ASSIGN_OR_RETURN(limits.allowed_cpus, ReadList(cpuset->second, "cpuset.cpus"));
    }
    if (!resources.cpu.mems.empty()) {
      MYDOCKER_ASSIGN_OR_RETURN(limits.allowed_mems, ReadList(cpuset->second, "cpuset.mems"));
    }
  }
  MYDOCKER_RETURN_IF_ERROR(ValidateResourceValues(resources, limits));
  if (resources.block_io.weight) MYDOCKER_RETURN_IF_ERROR(BlkioWeightFile("").status());
  // The hierarchy roots show which controllers and page sizes the host has.
  if (!resources.hugepage_limits.empty()) {
    MYDOCKER_RETURN_IF_ERROR(RequireDir("hugetlb", "").status());
    MYDOCKER_RETURN_IF_ERROR(CheckHugepageSizes(resources.hugepage_limits));
  }
  if (resources.network.class_id) MYDOCKER_RETURN_IF_ERROR(RequireDir("net_cls", "").status());
  if (!resources.network.priorities.empty()) {
    MYDOCKER_RETURN_IF_ERROR(RequireDir("net_prio", "").status());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> CgroupV1::BlkioWeightFile(const std::string& clean_path) const {
  // CFQ (before 5.0) had blkio.weight, BFQ has blkio.bfq.weight; mq-deadline, kyber and none
  // have no weight at all. The hierarchy's root shows which the kernel has.
  auto root = roots_.find("blkio");
  for (const char* file : {"blkio.weight", "blkio.bfq.weight"}) {
    if (root != roots_.end() && PathExists(absl::StrCat(root->second, "/", file))) {
      return absl::StrCat(root->second, "/", clean_path, clean_path.empty() ? "" : "/", file);
    }
  }
  return absl::FailedPreconditionError(
      "--blkio-weight is not supported on this host: its cgroup v1 blkio controller has no "
      "weight (blkio.weight or blkio.bfq.weight; the block I/O scheduler needs to be BFQ)");
}

absl::Status CgroupV1::Create(const std::string& path, const LinuxResources& resources) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  MYDOCKER_RETURN_IF_ERROR(Validate(resources));
  // Whether the cgroup existed already, told by mkdir itself: EEXIST in any hierarchy.
  bool existed = false;
  absl::Status status;
  std::string cpuset_dir;  // made above, with its parents
  if (roots_.count("cpuset") != 0) {
    status = CreateCpusetDirs(clean, &existed);
    cpuset_dir = Dir("cpuset", clean);
  }
  for (const std::string& dir : Dirs(clean)) {
    if (!status.ok()) break;
    if (dir == cpuset_dir) continue;
    if (::mkdir(dir.c_str(), 0755) == 0) continue;
    if (errno == EEXIST) {
      existed = true;
      status = MakeDirs(dir);  // says so if it is not a directory
    } else if (errno == ENOENT) {
      status = MakeDirs(dir);  // a --cgroup-parent not made yet
    } else {
      status = LastErrnoError(absl::StrCat("mkdir ", dir));
    }
  }
  if (status.ok()) status = Apply(clean, resources);
  if (status.ok()) status = ApplyDevices(clean, resources.devices, /*fresh=*/!existed);
  // Roll back only what this call made: an existing cgroup may hold someone's processes.
  if (!status.ok() && !existed) Destroy(clean).IgnoreError();
  return Annotate(status, absl::StrCat("create cgroup ", clean));
}

absl::Status CgroupV1::ApplyDevices(const std::string& clean_path,
                                    const std::vector<DeviceRule>& rules, bool fresh) const {
  if (rules.empty()) return absl::OkStatus();
  // Without the controller the policy could not be enforced: refuse rather than run the
  // container with every device open to it.
  MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("devices", clean_path));
  MYDOCKER_ASSIGN_OR_RETURN(DevicePolicy target, ReduceDeviceRules(rules));
  std::vector<DeviceRule> writes = target.ToRules();
  if (!fresh) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string list, ReadControl(dir, "devices.list"));
    MYDOCKER_ASSIGN_OR_RETURN(DevicePolicy current, ParseDevicesList(list));
    if (current == target) return absl::OkStatus();
    // Between two allow lists, change only the exceptions, widening before narrowing, so the
    // running processes never lose a device both policies allow (a reset would deny all for a
    // moment). Under a default allow the exceptions cannot be read back: rewrite all.
    if (!current.default_allow && !target.default_allow) writes = DeviceTransition(current, target);
  }
  // In order, each run of rules for the same file through one open of it.
  for (size_t i = 0; i < writes.size();) {
    const bool allow = writes[i].allow;
    std::vector<std::string> run;
    for (; i < writes.size() && writes[i].allow == allow; ++i) {
      run.push_back(FormatDeviceRule(writes[i]));
    }
    MYDOCKER_RETURN_IF_ERROR(WriteControlEach(dir, allow ? "devices.allow" : "devices.deny", run));
  }
  return absl::OkStatus();
}

absl::Status CgroupV1::CreateCpusetDirs(const std::string& clean_path, bool* existed) const {
  // A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems and refuses tasks
  // until both are set, so every level we create (the shared "mydocker" parent too) copies
  // them from its parent. A level that existed is read (someone may have left it empty); one
  // made here is not: it takes the values of the level above, read once.
  static constexpr const char* kFiles[] = {"cpuset.cpus", "cpuset.mems"};
  std::optional<std::string> above[2];
  std::string dir = roots_.at("cpuset");
  for (absl::string_view part : absl::StrSplit(clean_path, '/')) {
    std::string parent = dir;
    absl::StrAppend(&dir, "/", part);
    const bool made = ::mkdir(dir.c_str(), 0755) == 0;
    if (!made) {
      if (errno != EEXIST) return LastErrnoError(absl::StrCat("mkdir ", dir));
      if (dir == Dir("cpuset", clean_path)) *existed = true;  // the cgroup's own level
    }
    for (size_t i = 0; i < 2; ++i) {
      std::string value;
      if (!made) {
        MYDOCKER_ASSIGN_OR_RETURN(value, ReadControl(dir, kFiles[i]));
      }
      if (value.empty()) {
        if (!above[i]) {
          MYDOCKER_ASSIGN_OR_RETURN(above[i], ReadControl(parent, kFiles[i]));
        }
        value = *above[i];
        MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, kFiles[i], value));
      }
      above[i] = std::move(value);
    }
  }
  return absl::OkStatus();
}

absl::Status CgroupV1::Update(const std::string& path, const LinuxResources& resources) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  MYDOCKER_RETURN_IF_ERROR(Validate(resources));
  absl::Status status = Apply(clean, resources);
  if (status.ok()) status = ApplyDevices(clean, resources.devices, /*fresh=*/false);
  return Annotate(status, absl::StrCat("update cgroup ", clean));
}

absl::Status CgroupV1::Apply(const std::string& clean_path, const LinuxResources& resources) const {
  const MemoryResources& memory = resources.memory;
  if (!memory.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("memory", clean_path));
    MYDOCKER_RETURN_IF_ERROR(ApplyMemory(dir, memory));
    MYDOCKER_RETURN_IF_ERROR(ApplyMemoryPolicy(dir, memory));
  }
  MYDOCKER_RETURN_IF_ERROR(ApplyCpu(clean_path, resources.cpu));
  if (resources.pids.limit.has_value()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("pids", clean_path));
    MYDOCKER_RETURN_IF_ERROR(ApplyPids(dir, resources.pids));
  }
  if (resources.block_io.weight) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string file, BlkioWeightFile(clean_path));
    MYDOCKER_RETURN_IF_ERROR(WriteFile(file, absl::StrCat(*resources.block_io.weight)));
  }
  if (!resources.hugepage_limits.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("hugetlb", clean_path));
    MYDOCKER_ASSIGN_OR_RETURN(auto writes,
                              HugepageWrites(dir, resources.hugepage_limits, ".limit_in_bytes"));
    for (const auto& [file, value] : writes) {
      MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, file, value));
    }
  }
  return ApplyNetwork(clean_path, resources.network);
}

absl::Status CgroupV1::ApplyNetwork(const std::string& clean_path,
                                    const NetworkResources& network) const {
  if (network.class_id) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("net_cls", clean_path));
    MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "net_cls.classid", absl::StrCat(*network.class_id)));
  }
  if (!network.priorities.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("net_prio", clean_path));
    // One "name priority" a write: the kernel takes a single entry at a time. A name that no
    // interface of the runtime's network namespace has is refused by the kernel (ENODEV).
    for (const auto& [name, priority] : network.priorities) {
      MYDOCKER_RETURN_IF_ERROR(
          WriteControl(dir, "net_prio.ifpriomap", absl::StrCat(name, " ", priority)));
    }
  }
  return absl::OkStatus();
}

absl::Status CgroupV1::ApplyMemoryPolicy(const std::string& dir,
                                         const MemoryResources& memory) const {
  if (memory.reservation.has_value()) {
    const int64_t soft = *memory.reservation;
    // -1 is "none", which the file writes as unlimited.
    MYDOCKER_RETURN_IF_ERROR(
        WriteControl(dir, "memory.soft_limit_in_bytes", soft == -1 ? "-1" : absl::StrCat(soft)));
  }
  if (memory.swappiness.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(
        WriteControl(dir, "memory.swappiness", absl::StrCat(*memory.swappiness)));
  }
  if (memory.disable_oom_killer.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(
        WriteControl(dir, "memory.oom_control", *memory.disable_oom_killer ? "1" : "0"));
  }
  return absl::OkStatus();
}

absl::Status CgroupV1::ApplyMemory(const std::string& dir, const MemoryResources& memory) const {
  constexpr absl::string_view kLimit = "memory.limit_in_bytes";
  constexpr absl::string_view kMemsw = "memory.memsw.limit_in_bytes";
  bool has_memsw = PathExists(absl::StrCat(dir, "/", kMemsw));
  if (memory.swap.has_value() && *memory.swap != -1 && !has_memsw) {
    return absl::FailedPreconditionError(absl::StrCat("memory+swap limit ", *memory.swap,
                                                      " not supported: no ", kMemsw, " in ", dir,
                                                      " (kernel without swap accounting)"));
  }
  if (!memory.swap.has_value() || !has_memsw) {
    if (!memory.limit.has_value()) return absl::OkStatus();
    if (has_memsw) {
      MYDOCKER_ASSIGN_OR_RETURN(uint64_t memsw, ReadUint(dir, kMemsw));
      if (static_cast<uint64_t>(*memory.limit) > memsw) {
        return absl::FailedPreconditionError(
            absl::StrCat("memory limit ", *memory.limit, " is above the current memory+swap limit ",
                         memsw, "; set the memory+swap limit too"));
      }
    }
    return WriteControl(dir, kLimit, absl::StrCat(*memory.limit));
  }
  // The kernel keeps memsw >= limit after every single write, so raising the limit above the
  // current memsw needs memsw written first, and lowering memsw below the current limit needs
  // the limit written first.
  bool memsw_first = *memory.swap == -1 || !memory.limit.has_value();
  if (!memsw_first) {
    MYDOCKER_ASSIGN_OR_RETURN(uint64_t memsw, ReadUint(dir, kMemsw));
    memsw_first = static_cast<uint64_t>(*memory.limit) > memsw;
  }
  std::string swap = absl::StrCat(*memory.swap);
  if (memsw_first) MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, kMemsw, swap));
  if (memory.limit.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, kLimit, absl::StrCat(*memory.limit)));
  }
  if (!memsw_first) MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, kMemsw, swap));
  return absl::OkStatus();
}

absl::Status CgroupV1::ApplyCpu(const std::string& clean_path, const CpuResources& cpu) const {
  // Shares of 0 mean "not set", as in Docker.
  bool shares = cpu.shares.has_value() && *cpu.shares != 0;
  if (shares || cpu.quota.has_value() || cpu.period.has_value()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("cpu", clean_path));
    if (shares)
      MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "cpu.shares", absl::StrCat(*cpu.shares)));
    // The period first: the quota is checked against it.
    if (cpu.period.has_value()) {
      MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "cpu.cfs_period_us", absl::StrCat(*cpu.period)));
    }
    if (cpu.quota.has_value()) {
      MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "cpu.cfs_quota_us", absl::StrCat(*cpu.quota)));
    }
  }
  if (!cpu.cpus.empty() || !cpu.mems.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("cpuset", clean_path));
    if (!cpu.cpus.empty()) MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "cpuset.cpus", cpu.cpus));
    if (!cpu.mems.empty()) MYDOCKER_RETURN_IF_ERROR(WriteControl(dir, "cpuset.mems", cpu.mems));
  }
  return absl::OkStatus();
}

absl::Status CgroupV1::ApplyPids(const std::string& dir, const PidsResources& pids) const {
  std::string value = *pids.limit == -1 ? "max" : absl::StrCat(*pids.limit);
  return WriteControl(dir, "pids.max", value);
}

absl::Status CgroupV1::AddProcess(const std::string& path, pid_t pid) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  if (pid <= 0) return absl::InvalidArgumentError(absl::StrCat("invalid pid ", pid));
  for (const std::string& dir : Dirs(clean)) {
    MYDOCKER_RETURN_IF_ERROR(Annotate(WriteControl(dir, "cgroup.procs", absl::StrCat(pid)),
                                      absl::StrCat("add process ", pid, " to cgroup ", clean)));
  }
  return absl::OkStatus();
}

absl::StatusOr<CgroupStats> CgroupV1::Stats(const std::string& path) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  CgroupStats stats;
  MYDOCKER_RETURN_IF_ERROR(FillCpuStats(clean, &stats));
  MYDOCKER_RETURN_IF_ERROR(FillMemoryStats(clean, &stats));
  std::string pids = Dir("pids", clean);
  if (!pids.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(stats.pids_current, ReadUint(pids, "pids.current"));
    MYDOCKER_ASSIGN_OR_RETURN(std::string max, ReadControl(pids, "pids.max"));
    uint64_t limit = 0;
    if (max != "max" && absl::SimpleAtoi(max, &limit)) stats.pids_limit = limit;
  } else {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<pid_t> procs, Pids(clean));
    stats.pids_current = procs.size();
  }
  // The throttle file counts every I/O whatever the scheduler (the other needs CFQ/BFQ).
  if (std::string blkio = Dir("blkio", clean); !blkio.empty()) {
    for (const char* file :
         {"blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes"}) {
      if (auto text = ReadControl(blkio, file); text.ok()) {
        AddBlkioServiceBytes(*text, &stats.block_read_bytes, &stats.block_write_bytes);
        break;
      }
    }
  }
  return stats;
}

absl::Status CgroupV1::FillCpuStats(const std::string& clean_path, CgroupStats* stats) const {
  std::string dir = Dir("cpuacct", clean_path);
  if (dir.empty()) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(stats->cpu_usage_ns, ReadUint(dir, "cpuacct.usage"));
  return absl::OkStatus();
}

absl::Status CgroupV1::FillMemoryStats(const std::string& clean_path, CgroupStats* stats) const {
  std::string dir = Dir("memory", clean_path);
  if (dir.empty()) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(uint64_t usage, ReadUint(dir, "memory.usage_in_bytes"));
  // Docker reports usage without the inactive page cache, which the kernel reclaims first.
  MYDOCKER_ASSIGN_OR_RETURN(uint64_t inactive,
                            KeyedOrZero(dir, "memory.stat", "total_inactive_file"));
  stats->memory_usage = usage > inactive ? usage - inactive : 0;
  MYDOCKER_ASSIGN_OR_RETURN(uint64_t limit, ReadUint(dir, "memory.limit_in_bytes"));
  if (limit < kUnlimitedMemory) stats->memory_limit = limit;
  MYDOCKER_ASSIGN_OR_RETURN(stats->oom_kills, KeyedOrZero(dir, "memory.oom_control", "oom_kill"));
  return absl::OkStatus();
}

absl::Status CgroupV1::Freeze(const std::string& path, bool frozen) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("freezer", clean));
  return FreezeDir(dir, frozen, kFreezeTimeout);
}

absl::StatusOr<bool> CgroupV1::IsFrozen(const std::string& path) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  MYDOCKER_ASSIGN_OR_RETURN(std::string dir, RequireDir("freezer", clean));
  MYDOCKER_ASSIGN_OR_RETURN(std::string state, ReadControl(dir, "freezer.state"));
  return state == "FROZEN";
}

absl::StatusOr<std::vector<pid_t>> CgroupV1::Pids(const std::string& path) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  for (absl::string_view controller : {"memory", "pids"}) {
    std::string dir = Dir(controller, clean);
    if (!dir.empty()) return ReadProcs(dir);
  }
  std::vector<std::string> dirs = Dirs(clean);
  if (dirs.empty()) return absl::FailedPreconditionError("no cgroup v1 controller mounted");
  return ReadProcs(dirs.front());
}

absl::Status CgroupV1::Destroy(const std::string& path) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string clean, CleanCgroupPath(path));
  // A task stopped by the v1 freezer does not act on SIGKILL until thawed.
  std::string freezer = Dir("freezer", clean);
  // Writing the state costs ~0.3 ms even when nothing changes, so it is read first.
  absl::StatusOr<std::string> state =
      freezer.empty() ? absl::NotFoundError("") : ReadControl(freezer, "freezer.state");
  bool thawed = state.ok() && absl::StripAsciiWhitespace(*state) == "THAWED";
  if (!thawed && !absl::IsNotFound(state.status()) && PathExists(freezer)) {
    absl::Status thaw = WriteControl(freezer, "freezer.state", "THAWED");
    if (!thaw.ok() && !absl::IsNotFound(thaw)) return thaw;
  }
  // Freezing before the kill keeps a fork loop from outrunning it (no task forks while frozen);
  // thawing afterwards lets the pending SIGKILLs land.
  auto drain = [&](const std::string& busy_dir) -> absl::Status {
    bool can_freeze = !freezer.empty() && PathExists(freezer);
    if (can_freeze) FreezeDir(freezer, true, kDrainFreezeTimeout).IgnoreError();
    absl::Status killed = KillProcs(busy_dir);
    if (can_freeze) WriteControl(freezer, "freezer.state", "THAWED").IgnoreError();
    return killed;
  };
  // The shared parent ("mydocker") stays: other containers may be using it.
  absl::Status result;
  for (const std::string& dir : Dirs(clean)) result.Update(RemoveCgroupDir(dir, drain));
  return result;
}

bool CgroupV1::Exists(const std::string& path) const {
  absl::StatusOr<std::string> clean = CleanCgroupPath(path);
  if (!clean.ok()) return false;
  for (const std::string& dir : Dirs(*clean)) {
    if (PathExists(dir)) return true;
  }
  return false;
}

}  // namespace mydocker::cgroups
