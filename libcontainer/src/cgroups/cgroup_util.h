// Pieces shared by the cgroup v1 and v2 drivers: reading and writing control files, parsing
// mountinfo, draining and removing a cgroup directory, and the value checks both drivers make.
#ifndef MYDOCKER_CGROUPS_CGROUP_UTIL_H_
#define MYDOCKER_CGROUPS_CGROUP_UTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mydocker/container_config.h"

namespace mydocker::cgroups {

// The v1 controllers a container is placed in, in the order they are created.
inline constexpr absl::string_view kV1Controllers[] = {"cpuset",  "cpu",     "cpuacct", "memory",
                                                       "pids",    "freezer", "devices", "blkio",
                                                       "hugetlb", "net_cls", "net_prio"};

// What /proc/self/mountinfo says about cgroup file systems.
struct CgroupMounts {
  std::map<std::string, std::string> v1;  // controller -> mount point, named hierarchies left out
  std::string unified;                    // mount point of cgroup2, empty if none
};

// Parses mountinfo text. For a controller mounted more than once the mount of the hierarchy's
// root ("/" in field 4) wins, then the first one.
absl::StatusOr<CgroupMounts> ParseCgroupMounts(absl::string_view mountinfo);

// "mydocker/abc" or "/mydocker/abc" -> "mydocker/abc". Empty paths and "", ".", ".."
// components are InvalidArgument, so a path can never name a hierarchy root or leave it.
absl::StatusOr<std::string> CleanCgroupPath(absl::string_view path);

// Writes `value` to the control file `dir`/`name` in one write(2), as the kernel parses each
// write on its own. Truncates, which cgroupfs ignores and a fake tree in tests needs.
absl::Status WriteControl(const std::string& dir, absl::string_view name, absl::string_view value);
// Writes each of `values` with a write(2) of its own to the file, opened once: for the files
// that take one entry a write (v1 devices.allow and devices.deny).
absl::Status WriteControlEach(const std::string& dir, absl::string_view name,
                              const std::vector<std::string>& values);

// The content of `dir`/`name` without surrounding whitespace.
absl::StatusOr<std::string> ReadControl(const std::string& dir, absl::string_view name);

absl::StatusOr<uint64_t> ReadUint(const std::string& dir, absl::string_view name);

// The value of `key` in a flat keyed file ("key value" lines: memory.stat, cpu.stat,
// memory.events, memory.oom_control). NotFound if the key is absent.
absl::StatusOr<uint64_t> ReadKeyedValue(const std::string& dir, absl::string_view name,
                                        absl::string_view key);

// The pids listed in `dir`/cgroup.procs.
absl::StatusOr<std::vector<pid_t>> ReadProcs(const std::string& dir);

// Docker's BLOCK I/O from cgroup v1's blkio.*io_service_bytes* ("8:0 Read 4096", ...; the
// devices summed) and from v2's io.stat ("8:0 rbytes=4096 wbytes=0 ..."): adds the bytes read
// and written to `*read` and `*write`. Lines that do not parse are skipped.
void AddBlkioServiceBytes(absl::string_view text, uint64_t* read, uint64_t* write);
void AddIoStat(absl::string_view text, uint64_t* read, uint64_t* write);

// Sends SIGKILL to every process in `dir`/cgroup.procs (never to pid <= 0 or to ourselves).
absl::Status KillProcs(const std::string& dir);

// Removes the cgroup directory `dir` and any child cgroups below it. While rmdir reports EBUSY
// `drain` is called (it should kill what is inside) and the removal retried, with growing
// pauses, for about `timeout`. `drain` gets the busy directory, which may be a child cgroup.
// A missing directory is success.
absl::Status RemoveCgroupDir(const std::string& dir,
                             const std::function<absl::Status(const std::string&)>& drain,
                             absl::Duration timeout = absl::Seconds(5));

// Calls `done` until it returns true or an error, sleeping briefly between calls, for at most
// `timeout`; DeadlineExceeded naming `what` after that.
absl::Status PollUntil(const std::function<absl::StatusOr<bool>()>& done, absl::Duration timeout,
                       absl::string_view what);

// What the machine allows, for Validate.
struct MachineLimits {
  int online_cpus = 1;            // read only when ChecksCpuCount
  std::vector<int> allowed_cpus;  // empty: not checked
  std::vector<int> allowed_mems;  // empty: not checked
};

// Whether ValidateResourceValues compares `resources` with MachineLimits::online_cpus (a CPU
// quota, --cpus); the cpuset lists are compared only when the container names CPUs or nodes.
bool ChecksCpuCount(const LinuxResources& resources);

// A hugepage size as the kernel's cgroup files name it ("64KB", "2MB", "1GB"): InvalidArgument
// for anything else. Whether the host has that size is each driver's check.
absl::Status ValidateHugepageSize(absl::string_view size);

// FailedPrecondition, naming the sizes the host has, when a limit is for a page size this host
// does not have (/sys/kernel/mm/hugepages).
absl::Status CheckHugepageSizes(const std::vector<HugepageLimit>& limits,
                                const std::string& sysfs_dir = "/sys/kernel/mm/hugepages");

// The hugetlb files of each limit in `dir`, with the values to write: the limit and, where the
// kernel has reservation accounting (5.7+), the same limit on reservations, as runc sets both.
// `suffix` is ".limit_in_bytes" (v1) or ".max" (v2). FailedPrecondition when a file is missing.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> HugepageWrites(
    const std::string& dir, const std::vector<HugepageLimit>& limits, absl::string_view suffix);

// The value checks common to both drivers (see CgroupManager::Validate).
absl::Status ValidateResourceValues(const LinuxResources& resources, const MachineLimits& limits);

// The number of CPUs online, for the --cpus bound.
int OnlineCpus();

// cgroup v1 cpu.shares to v2 cpu.weight as runc and crun convert it: [2, 262144] maps linearly
// onto [1, 10000]; shares outside that range are clamped first, as the v1 kernel does.
uint64_t CpuSharesToWeight(uint64_t shares);

}  // namespace mydocker::cgroups

#endif  // MYDOCKER_CGROUPS_CGROUP_UTIL_H_
