#include "cgroups/cgroup_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "mount_info.h"
#include "mydocker/devices.h"
#include "mydocker/fs_util.h"
#include "mydocker/resources.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker::cgroups {
namespace {

constexpr int64_t kMinMemoryBytes = 6 * 1024 * 1024;  // Docker's minimum; less fails at start

// One pass of removal, child cgroups first. Returns 0, or the errno of the first failure with
// the directory it happened in stored in `failed`.
int RemoveTreeOnce(const std::string& dir, std::string* failed) {
  // Usually a leaf: one rmdir. Only a cgroup with children (or processes) is read.
  if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return 0;
  if (errno != EBUSY && errno != ENOTEMPTY) {
    *failed = dir;
    return errno;
  }
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return 0;
    *failed = dir;
    return errno;
  }
  std::vector<std::string> children;
  while (struct dirent* e = ::readdir(d)) {
    absl::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir =
          ::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir) children.emplace_back(name);
  }
  ::closedir(d);
  for (const std::string& child : children) {
    int err = RemoveTreeOnce(absl::StrCat(dir, "/", child), failed);
    if (err != 0) return err;
  }
  if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return 0;
  *failed = dir;
  return errno;
}

absl::Status CheckListWithin(absl::string_view what, const std::string& list,
                             const std::vector<int>& allowed) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<int> wanted, ParseCpuset(list));
  if (allowed.empty()) return absl::OkStatus();
  for (int n : wanted) {
    if (!std::binary_search(allowed.begin(), allowed.end(), n)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ", what, " \"", list, "\": ", n,
                       " is not available (allowed: ", FormatCpuset(allowed), ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateMemory(const MemoryResources& memory) {
  if (memory.limit.has_value()) {
    int64_t limit = *memory.limit;
    if (limit < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid memory limit ", limit, ": must not be negative"));
    }
    if (limit < kMinMemoryBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid memory limit ", limit, ": minimum memory limit allowed is 6MB"));
    }
  }
  if (memory.reservation.has_value() && *memory.reservation < -1) {
    return absl::InvalidArgumentError(absl::StrCat("invalid memory reservation ",
                                                   *memory.reservation,
                                                   ": must be -1 (none) or a size in bytes"));
  }
  if (memory.limit.has_value() && memory.reservation.has_value() &&
      *memory.reservation > *memory.limit) {
    return absl::InvalidArgumentError(
        "Minimum memory limit can not be less than memory reservation limit, see usage");
  }
  if (memory.swappiness.has_value() && *memory.swappiness > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid memory swappiness ", *memory.swappiness, ": valid range is 0-100"));
  }
  if (!memory.swap.has_value() || *memory.swap == -1) return absl::OkStatus();
  int64_t swap = *memory.swap;
  if (swap < 0) {
    return absl::InvalidArgumentError(absl::StrCat("invalid memory+swap limit ", swap,
                                                   ": must be -1 (unlimited) or a size in bytes"));
  }
  if (!memory.limit.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid memory+swap limit ", swap, ": requires a memory limit"));
  }
  if (swap < *memory.limit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid memory+swap limit ", swap, ": must be at least the memory limit ", *memory.limit));
  }
  return absl::OkStatus();
}

absl::Status ValidateCpu(const CpuResources& cpu, const MachineLimits& limits) {
  if (cpu.period.has_value() && (*cpu.period < 1000 || *cpu.period > 1000000)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid cpu period ", *cpu.period, ": must be between 1000 and 1000000 microseconds"));
  }
  if (cpu.quota.has_value() && *cpu.quota != -1) {
    int64_t quota = *cpu.quota;
    if (quota < 1000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid cpu quota ", quota, ": must be at least 1000 microseconds or -1 (unlimited)"));
    }
    double period = static_cast<double>(cpu.period.value_or(kDefaultCpuPeriodUs));
    double cpus = static_cast<double>(quota) / period;
    if (cpus > limits.online_cpus + 1e-9) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "invalid cpus %.2f: range of CPUs is from 0.01 to %d.00, as there are only %d CPUs "
          "available",
          cpus, limits.online_cpus, limits.online_cpus));
    }
  }
  if (!cpu.cpus.empty()) {
    MYDOCKER_RETURN_IF_ERROR(CheckListWithin("cpuset cpus", cpu.cpus, limits.allowed_cpus));
  }
  if (!cpu.mems.empty()) {
    MYDOCKER_RETURN_IF_ERROR(CheckListWithin("cpuset mems", cpu.mems, limits.allowed_mems));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CgroupMounts> ParseCgroupMounts(absl::string_view mountinfo) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<MountInfo> entries, ParseMountInfo(mountinfo));
  CgroupMounts mounts;
  std::map<std::string, bool> at_root;  // controller -> its chosen mount is the hierarchy root
  for (const MountInfo& m : entries) {
    bool is_root = m.root == "/";
    if (m.fstype == "cgroup2") {
      // Prefer the unified hierarchy mounted at the usual place on pure v2 hosts.
      if (mounts.unified.empty() || m.mount_point == "/sys/fs/cgroup") {
        mounts.unified = m.mount_point;
      }
      continue;
    }
    if (m.fstype != "cgroup") continue;
    for (absl::string_view opt : absl::StrSplit(m.super_options, ',')) {
      std::string name(opt);
      if (std::find(std::begin(kV1Controllers), std::end(kV1Controllers), opt) ==
          std::end(kV1Controllers)) {
        continue;  // rw, relatime, name=systemd, controllers we do not use
      }
      auto it = mounts.v1.find(name);
      if (it == mounts.v1.end() || (is_root && !at_root[name])) {
        mounts.v1[name] = m.mount_point;
        at_root[name] = is_root;
      }
    }
  }
  return mounts;
}

absl::StatusOr<std::string> CleanCgroupPath(absl::string_view path) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  if (!parts.empty() && parts.front().empty()) parts.erase(parts.begin());
  if (parts.empty() || (parts.size() == 1 && parts[0].empty())) {
    return absl::InvalidArgumentError("invalid cgroup path \"\": must name a cgroup");
  }
  for (absl::string_view p : parts) {
    if (p.empty() || p == "." || p == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid cgroup path \"", path,
                       "\": empty, \".\" and \"..\" components are not allowed"));
    }
  }
  return absl::StrJoin(parts, "/");
}

namespace {

absl::Status WriteEntry(int fd, const std::string& path, absl::string_view value) {
  ssize_t n;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return LastErrnoError(absl::StrCat("write \"", value, "\" to ", path));
  if (static_cast<size_t>(n) != value.size()) {
    return absl::InternalError(absl::StrCat("short write of \"", value, "\" to ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteControl(const std::string& dir, absl::string_view name, absl::string_view value) {
  std::string path = absl::StrCat(dir, "/", name);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return LastErrnoError(absl::StrCat("open ", path));
  return WriteEntry(fd.get(), path, value);
}

absl::Status WriteControlEach(const std::string& dir, absl::string_view name,
                              const std::vector<std::string>& values) {
  if (values.empty()) return absl::OkStatus();
  std::string path = absl::StrCat(dir, "/", name);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return LastErrnoError(absl::StrCat("open ", path));
  for (const std::string& value : values) {
    MYDOCKER_RETURN_IF_ERROR(WriteEntry(fd.get(), path, value));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadControl(const std::string& dir, absl::string_view name) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string data, ReadFile(absl::StrCat(dir, "/", name)));
  return std::string(absl::StripAsciiWhitespace(data));
}

absl::StatusOr<uint64_t> ReadUint(const std::string& dir, absl::string_view name) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string data, ReadControl(dir, name));
  uint64_t value = 0;
  if (!absl::SimpleAtoi(data, &value)) {
    return absl::InternalError(
        absl::StrCat("unexpected content \"", data, "\" in ", dir, "/", name));
  }
  return value;
}

absl::StatusOr<uint64_t> ReadKeyedValue(const std::string& dir, absl::string_view name,
                                        absl::string_view key) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string data, ReadControl(dir, name));
  for (absl::string_view line : absl::StrSplit(data, '\n')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, ' ');
    if (kv.first != key) continue;
    uint64_t value = 0;
    if (!absl::SimpleAtoi(kv.second, &value)) {
      return absl::InternalError(
          absl::StrCat("unexpected value \"", kv.second, "\" for ", key, " in ", dir, "/", name));
    }
    return value;
  }
  return absl::NotFoundError(absl::StrCat("no ", key, " in ", dir, "/", name));
}

absl::StatusOr<std::vector<pid_t>> ReadProcs(const std::string& dir) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string data, ReadControl(dir, "cgroup.procs"));
  std::vector<pid_t> pids;
  for (absl::string_view line : absl::StrSplit(data, '\n', absl::SkipWhitespace())) {
    pid_t pid = 0;
    if (!absl::SimpleAtoi(line, &pid)) {
      return absl::InternalError(absl::StrCat("bad pid \"", line, "\" in ", dir, "/cgroup.procs"));
    }
    pids.push_back(pid);
  }
  return pids;
}

absl::Status KillProcs(const std::string& dir) {
  absl::StatusOr<std::vector<pid_t>> pids = ReadProcs(dir);
  if (absl::IsNotFound(pids.status())) return absl::OkStatus();
  if (!pids.ok()) return pids.status();
  for (pid_t pid : *pids) {
    // kill(0) and kill(-1) would signal our process group or every process we may signal.
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, SIGKILL) != 0 && errno != ESRCH) {
      return LastErrnoError(absl::StrCat("kill ", pid, " in ", dir));
    }
  }
  return absl::OkStatus();
}

absl::Status RemoveCgroupDir(const std::string& dir,
                             const std::function<absl::Status(const std::string&)>& drain,
                             absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(5);
  for (;;) {
    std::string failed;
    int err = RemoveTreeOnce(dir, &failed);
    if (err == 0) return absl::OkStatus();
    if (err != EBUSY) return ErrnoError(err, absl::StrCat("remove cgroup ", failed));
    if (absl::Now() >= deadline) {
      absl::StatusOr<std::vector<pid_t>> left = ReadProcs(failed);
      return absl::FailedPreconditionError(absl::StrCat(
          "cgroup ", failed, " still busy after ", absl::FormatDuration(timeout),
          " (pids: ", left.ok() ? absl::StrJoin(*left, " ") : std::string("unknown"), ")"));
    }
    MYDOCKER_RETURN_IF_ERROR(drain(failed));
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(100));
  }
}

absl::Status PollUntil(const std::function<absl::StatusOr<bool>()>& done, absl::Duration timeout,
                       absl::string_view what) {
  absl::Time deadline = absl::Now() + timeout;
  absl::Duration pause = absl::Milliseconds(1);
  for (;;) {
    MYDOCKER_ASSIGN_OR_RETURN(bool ok, done());
    if (ok) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("timed out after ", absl::FormatDuration(timeout), " waiting for ", what));
    }
    absl::SleepFor(pause);
    pause = std::min(pause * 2, absl::Milliseconds(50));
  }
}

absl::Status ValidateHugepageSize(absl::string_view size) {
  // The kernel's cgroup files name a size as a power of two with KB, MB or GB
  // (hugetlb.2MB.limit_in_bytes); anything else names no file.
  absl::string_view digits = size;
  bool unit = absl::ConsumeSuffix(&digits, "KB") || absl::ConsumeSuffix(&digits, "MB") ||
              absl::ConsumeSuffix(&digits, "GB");
  uint64_t n = 0;
  bool number = !digits.empty() && digits.size() <= 4 && digits[0] != '0' &&
                std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) &&
                absl::SimpleAtoi(digits, &n);
  if (!unit || !number || (n & (n - 1)) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid hugepage size \"", absl::CHexEscape(size),
        "\": a power of two with KB, MB or GB, as the kernel names them (\"2MB\", \"1GB\")"));
  }
  return absl::OkStatus();
}

absl::Status CheckHugepageSizes(const std::vector<HugepageLimit>& limits,
                                const std::string& sysfs_dir) {
  if (limits.empty()) return absl::OkStatus();
  // hugepages-2048kB -> "2MB", as the cgroup files name the sizes.
  std::vector<std::string> sizes;
  if (DIR* d = ::opendir(sysfs_dir.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      absl::string_view name = e->d_name;
      uint64_t kb = 0;
      if (!absl::ConsumePrefix(&name, "hugepages-") || !absl::ConsumeSuffix(&name, "kB") ||
          !absl::SimpleAtoi(name, &kb) || kb == 0) {
        continue;
      }
      sizes.push_back(kb % (1024 * 1024) == 0 ? absl::StrCat(kb / (1024 * 1024), "GB")
                      : kb % 1024 == 0        ? absl::StrCat(kb / 1024, "MB")
                                              : absl::StrCat(kb, "KB"));
    }
    ::closedir(d);
  }
  std::sort(sizes.begin(), sizes.end());
  for (const HugepageLimit& h : limits) {
    if (std::find(sizes.begin(), sizes.end(), h.page_size) == sizes.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("hugepage size ", h.page_size, " is not supported on this host (it has ",
                       sizes.empty() ? "none" : absl::StrJoin(sizes, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> HugepageWrites(
    const std::string& dir, const std::vector<HugepageLimit>& limits, absl::string_view suffix) {
  std::vector<std::pair<std::string, std::string>> writes;
  for (const HugepageLimit& h : limits) {
    std::string file = absl::StrCat("hugetlb.", h.page_size, suffix);
    if (!PathExists(absl::StrCat(dir, "/", file))) {
      return absl::FailedPreconditionError(
          absl::StrCat("hugepage size ", h.page_size, ": no ", file, " in ", dir));
    }
    std::string value = absl::StrCat(h.limit);
    writes.emplace_back(file, value);
    std::string rsvd = absl::StrCat("hugetlb.", h.page_size, ".rsvd", suffix);
    if (PathExists(absl::StrCat(dir, "/", rsvd))) writes.emplace_back(rsvd, value);
  }
  return writes;
}

absl::Status ValidateResourceValues(const LinuxResources& resources, const MachineLimits& limits) {
  MYDOCKER_RETURN_IF_ERROR(ValidateMemory(resources.memory));
  MYDOCKER_RETURN_IF_ERROR(ValidateCpu(resources.cpu, limits));
  if (resources.pids.limit.has_value()) {
    int64_t limit = *resources.pids.limit;
    if (limit == 0 || limit < -1) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid pids limit ", limit, ": must be positive or -1 (unlimited)"));
    }
  }
  for (const DeviceRule& rule : resources.devices) {
    MYDOCKER_RETURN_IF_ERROR(ValidateDeviceRule(rule));
  }
  for (const HugepageLimit& h : resources.hugepage_limits) {
    MYDOCKER_RETURN_IF_ERROR(ValidateHugepageSize(h.page_size));
  }
  for (const auto& [name, priority] : resources.network.priorities) {
    // A name the kernel could hold (IFNAMSIZ) and that ifpriomap's "name priority" can carry.
    if (name.empty() || name.size() > 15 || name == "." || name == ".." ||
        name.find_first_of(" \t\n/:") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid network interface name \"",
                                                     absl::CHexEscape(name),
                                                     "\" in the network priorities"));
    }
  }
  if (resources.block_io.weight &&
      (*resources.block_io.weight < 10 || *resources.block_io.weight > 1000)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid blkio weight ",
                                                   *resources.block_io.weight,
                                                   ": range of blkio weight is from 10 to 1000"));
  }
  return absl::OkStatus();
}

bool ChecksCpuCount(const LinuxResources& resources) {
  return resources.cpu.quota.has_value() && *resources.cpu.quota != -1;
}

int OnlineCpus() {
  absl::StatusOr<std::string> online = ReadFile("/sys/devices/system/cpu/online");
  if (online.ok()) {
    absl::StatusOr<std::vector<int>> cpus = ParseCpuset(*online);
    if (cpus.ok() && !cpus->empty()) return static_cast<int>(cpus->size());
  }
  long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

uint64_t CpuSharesToWeight(uint64_t shares) {
  shares = std::clamp<uint64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

void AddBlkioServiceBytes(absl::string_view text, uint64_t* read, uint64_t* write) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    uint64_t n = 0;
    if (f.size() != 3 || !absl::SimpleAtoi(f[2], &n)) continue;  // "Total N" has two fields
    if (f[1] == "Read") *read += n;
    if (f[1] == "Write") *write += n;
  }
}

void AddIoStat(absl::string_view text, uint64_t* read, uint64_t* write) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    for (absl::string_view field : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      uint64_t n = 0;
      if (absl::ConsumePrefix(&field, "rbytes=") && absl::SimpleAtoi(field, &n)) *read += n;
      if (absl::ConsumePrefix(&field, "wbytes=") && absl::SimpleAtoi(field, &n)) *write += n;
    }
  }
}

}  // namespace mydocker::cgroups
