// The configuration of one container, shaped like the OCI runtime spec's config.json so that an
// OCI command set (create/start/state/kill/delete over a bundle) can sit on top of it later.
// Only the fields mydocker uses are modelled; JSON uses the OCI field names.
#ifndef MYDOCKER_CONTAINER_CONFIG_H_
#define MYDOCKER_CONTAINER_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/health.h"

namespace mydocker {

struct UserSpec {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  std::optional<uint32_t> umask;  // OCI process.user.umask; absent: 022, Docker's
};

struct ConsoleSize {
  uint16_t height = 0;
  uint16_t width = 0;
};

// A resource limit of the container's processes (OCI process.rlimits[], JSON type
// "RLIMIT_NOFILE"), set by init with prlimit and given to exec's commands too.
struct Rlimit {
  int resource = 0;  // RLIMIT_*
  uint64_t soft = 0;
  uint64_t hard = 0;  // RLIM_INFINITY (all ones): unlimited
};

// The RLIMIT_* number of an OCI rlimit type ("RLIMIT_NOFILE"); InvalidArgument if unknown.
absl::StatusOr<int> RlimitResource(absl::string_view type);
// The OCI type of RLIMIT_* `resource` ("RLIMIT_NOFILE"); empty if unknown.
std::string RlimitType(int resource);

// Docker's --ulimit NAME=SOFT[:HARD] (names: core, cpu, data, fsize, locks, memlock, msgqueue,
// nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack; -1: unlimited; HARD defaults to
// SOFT), with Docker's messages for a bad one.
absl::StatusOr<Rlimit> ParseUlimit(absl::string_view spec);
// Docker's name of RLIMIT_* `resource` ("nofile"); empty if it has none.
std::string UlimitName(int resource);

struct ProcessSpec {
  bool terminal = false;
  // Docker's OpenStdin (-i): the process's stdin is a pipe the monitor keeps open, for the
  // clients that attach (mydocker-specific: JSON "openStdin", written only when true).
  bool open_stdin = false;
  std::optional<ConsoleSize> console_size;
  UserSpec user;
  std::vector<std::string> args;
  std::vector<std::string> env;  // KEY=VALUE
  std::string cwd = "/";
  // The capabilities the process keeps ("CAP_CHOWN", ...), as its bounding, permitted and
  // effective sets (OCI process.capabilities); absent keeps every capability.
  std::optional<std::vector<std::string>> capabilities;
  // No process of the container can gain privileges through execve (setuid bits, file
  // capabilities): PR_SET_NO_NEW_PRIVS.
  bool no_new_privileges = false;
  std::vector<Rlimit> rlimits;
  // The OOM killer's adjustment of the container's processes, -1000 to 1000 (OCI
  // process.oomScoreAdj; Docker's --oom-score-adj); absent: the monitor's.
  std::optional<int> oom_score_adj;
};

// The root filesystem. OCI names only a ready directory (`path`); mydocker assembles it as an
// overlay of read-only image layers with a per-container upper layer, mounted at `path`.
struct RootSpec {
  std::string path;  // mount point of the assembled root
  bool readonly = false;
  std::vector<std::string> lower_dirs;  // image layers, topmost first
  std::string upper_dir;
  std::string work_dir;
  // How the layers are assembled (mydocker/rootfs.h): empty for the kernel's overlay,
  // "fuse-overlayfs" for the FUSE one (a state root on overlayfs).
  std::string storage_driver;
};

struct MountSpec {
  std::string destination;  // absolute path inside the container
  std::string type;         // "proc", "tmpfs", "bind", ...
  std::string source;
  std::vector<std::string> options;  // "nosuid", "ro", "mode=755", "rbind", ...
};

enum class NamespaceType { kPid, kNetwork, kMount, kIpc, kUts, kUser, kCgroup };

struct MemoryResources {
  std::optional<int64_t> limit;  // bytes
  std::optional<int64_t> swap;   // memory+swap, bytes; -1 = unlimited
  // The soft limit the kernel reclaims down to under memory pressure, bytes (v1
  // memory.soft_limit_in_bytes, v2 memory.low); -1 = none. Docker's --memory-reservation.
  std::optional<int64_t> reservation;
  // 0-100: how readily the kernel swaps this cgroup's pages (cgroup v1 only).
  std::optional<uint64_t> swappiness;
  // True: a task over the limit waits instead of being killed (cgroup v1 only).
  std::optional<bool> disable_oom_killer;

  bool empty() const {
    return !limit && !swap && !reservation && !swappiness && !disable_oom_killer;
  }
};

struct CpuResources {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;    // microseconds per period
  std::optional<uint64_t> period;  // microseconds
  std::string cpus;                // cpuset, e.g. "0-1"
  std::string mems;
};

struct PidsResources {
  std::optional<int64_t> limit;  // -1 or absent = unlimited
};

// OCI linux.resources.blockIO: the cgroup's share of block I/O, 10 to 1000 (Docker's
// --blkio-weight): v1 blkio.weight or blkio.bfq.weight, v2 io.bfq.weight or io.weight (scaled
// to its 1-10000), where the host's I/O scheduler has one.
struct BlockIoResources {
  std::optional<uint16_t> weight;
};

// A limit on one size of huge pages (OCI linux.resources.hugepageLimits[]): v1
// hugetlb.<size>.limit_in_bytes, v2 hugetlb.<size>.max, where the host has that size.
struct HugepageLimit {
  std::string page_size;  // as the kernel's files name it: "64KB", "2MB", "1GB"
  uint64_t limit = 0;     // bytes
};

// The class id and interface priorities of the container's traffic (OCI
// linux.resources.network): cgroup v1's net_cls and net_prio, which cgroup v2 does not have.
struct NetworkResources {
  std::optional<uint32_t> class_id;                          // net_cls.classid
  std::vector<std::pair<std::string, uint32_t>> priorities;  // net_prio.ifpriomap: name, priority
  bool empty() const { return !class_id.has_value() && priorities.empty(); }
};

// One rule of a device policy (OCI linux.resources.devices[], "LinuxDeviceCgroup"). Rules apply
// in order with cgroup v1's semantics, starting from "everything denied" (as runc and crun read
// the OCI list): a rule of type 'a' resets the policy to allow or deny everything; any other rule
// allows or denies `access` to the devices it names.
struct DeviceRule {
  bool allow = false;
  char type = 'a';               // 'a' (all devices), 'b' (block) or 'c' (character)
  std::optional<int64_t> major;  // absent: any
  std::optional<int64_t> minor;  // absent: any
  std::string access = "rwm";    // read, write, mknod: a non-empty subset of "rwm"
};

struct LinuxResources {
  MemoryResources memory;
  CpuResources cpu;
  PidsResources pids;
  BlockIoResources block_io;
  std::vector<HugepageLimit> hugepage_limits;
  NetworkResources network;
  // The device policy, in order. Empty: none of the container's own (it has its parent
  // cgroup's); in Update, empty leaves the current policy and a non-empty list replaces it.
  std::vector<DeviceRule> devices;
};

// A device node made in the container's /dev (OCI linux.devices[]).
struct LinuxDevice {
  std::string path;  // absolute path inside the container
  char type = 'c';   // 'b', 'c' or 'p' (a FIFO)
  int64_t major = 0;
  int64_t minor = 0;
  uint32_t file_mode = 0666;  // permission bits
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// A system call filter (OCI linux.seccomp). Actions and operators keep their libseccomp names
// ("SCMP_ACT_ERRNO", "SCMP_CMP_MASKED_EQ"); they are checked when the filter is compiled.
struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;
  std::optional<uint32_t> errno_ret;  // for SCMP_ACT_ERRNO; default EPERM
  std::vector<SeccompArg> args;       // all must match
};

struct LinuxSeccomp {
  std::string default_action;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // "SCMP_ARCH_X86_64", ...; the native one always
  std::vector<SeccompSyscall> syscalls;
};

struct LinuxSpec {
  std::vector<NamespaceType> namespaces;
  LinuxResources resources;
  std::string cgroups_path;          // relative to each hierarchy's root, e.g. "mydocker/<id>"
  std::vector<LinuxDevice> devices;  // made in /dev besides the standard ones
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::optional<LinuxSeccomp> seccomp;  // absent: no filter ("unconfined")
  // Kernel parameters set in the container's namespaces (OCI linux.sysctl), in order:
  // "net.ipv4.ip_forward" = "1".
  std::vector<std::pair<std::string, std::string>> sysctl;
};

// Docker's restart policy (--restart): what the monitor does when the container's process ends.
struct RestartPolicy {
  std::string name;     // "no" (empty means the same), "always", "unless-stopped", "on-failure"
  int max_retries = 0;  // on-failure:N; 0: no limit
  bool IsNone() const { return name.empty() || name == "no"; }
  bool operator==(const RestartPolicy& o) const {
    return (IsNone() && o.IsNone()) || (name == o.name && max_retries == o.max_retries);
  }
};

// Where the container's output is kept (Docker's HostConfig.LogConfig, --log-driver and
// --log-opt): "local", mydocker's compact records (the default; docs/logs.md), "json-file",
// Docker's json lines, or "none", no log. In OCI JSON the annotation "com.mydocker.logConfig";
// a container made before it existed keeps json-file.
struct LogConfig {
  std::string type = "json-file";
  std::vector<std::pair<std::string, std::string>> options;  // --log-opt KEY=VALUE, in order
};

// How a log is rotated, from its options (Docker's): max-size (bytes, with k/m/g; -1: never)
// and max-file (how many files, the current one included; 1: the log is cut back to empty).
// The local driver rotates at 20 MiB over 5 files unless told otherwise, as Docker's does;
// json-file never does unless told.
struct LogRotation {
  int64_t max_size = -1;
  int max_file = 1;
};
absl::StatusOr<LogRotation> LogRotationOf(const LogConfig& log);

// Checks a --log-driver and its --log-opt's as Docker's daemon does; empty type: "local".
// Options: max-size, max-file, and compress=false (compressed rotated files are not done);
// json-file also takes labels= and env= (comma-separated names; see LogDetails).
absl::StatusOr<LogConfig> MakeLogConfig(absl::string_view type,
                                        const std::vector<std::string>& options);

// Parses Docker's --restart value ("no", "always", "unless-stopped", "on-failure[:N]") with
// Docker's messages for a bad one.
absl::StatusOr<RestartPolicy> ParseRestartPolicy(absl::string_view spec);
// The --restart form of `policy` ("no", "on-failure:3").
std::string FormatRestartPolicy(const RestartPolicy& policy);

// One of the container's own mounts as Docker's inspect lists it (Mounts[]): a bind or a volume
// of -v, --mount or --volumes-from, a --mount tmpfs, or the anonymous volume of an image's
// VOLUME. Its mount is the one of ContainerConfig::mounts at `destination`.
struct MountPoint {
  std::string type;         // "bind", "volume" or "tmpfs"
  std::string name;         // a volume's name
  std::string source;       // the host directory (a volume's _data); empty for a tmpfs
  std::string destination;  // inside the container
  std::string mode;         // Docker's Mode: a -v's mode ("ro", "rw"), else ""
  bool rw = true;
  std::string propagation;  // a bind's ("rprivate" unless bind-propagation said otherwise)
};

// What inspect shows of how the container was asked for that the OCI-shaped configuration does
// not keep (annotation "com.mydocker.createOptions", a JSON object with Docker's names):
// Config.Entrypoint, Config.Cmd and Config.User, HostConfig's Privileged, CapAdd, CapDrop,
// Tmpfs and VolumesFrom, and Mounts. A container made before it existed has none (`recorded`
// false).
struct CreateRecord {
  bool recorded = false;
  std::vector<std::string> entrypoint;  // the image's or --entrypoint's; empty: none
  std::vector<std::string> cmd;         // process.args after the entrypoint
  std::string user;                     // -u, else the image's USER
  bool privileged = false;
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  std::vector<std::pair<std::string, std::string>> tmpfs;  // --tmpfs PATH, OPTIONS
  std::vector<std::string> volumes_from;                   // CONTAINER[:ro|rw], as given
  std::vector<MountPoint> mount_points;
  // Whether mount_points were recorded ("Mounts"): containers made before they were have
  // none, their mounts only in ContainerConfig::mounts (RecoverMountPoints).
  bool mounts_recorded = false;
};

// The mount points of a container recorded without them (!mounts_recorded), recovered from
// its OCI mounts: each bind of a volume's directory (<root>/volumes/<name>/_data) is that
// volume, each other bind of a host path outside <root> a bind (read-only, propagation as its
// options say); the runtime's own binds (its files under <root>/containers) and the kernel's
// file systems are left out, and so are tmpfs mounts (not shared by --volumes-from).
std::vector<MountPoint> RecoverMountPoints(const std::vector<MountSpec>& mounts,
                                           const std::string& root);

struct ContainerConfig {
  std::string oci_version = "1.0.2";
  ProcessSpec process;
  RootSpec root;
  std::string hostname;
  std::vector<MountSpec> mounts;
  LinuxSpec linux_spec;  // "linux" in OCI JSON (not the name: g++ predefines `linux` in GNU modes)
  // How `stop` ends the container: the signal (--stop-signal, else the image's STOPSIGNAL;
  // empty: SIGTERM) and the seconds before SIGKILL (--stop-timeout; absent: 10). In OCI JSON
  // they are annotations: "org.opencontainers.image.stopSignal" (the image spec's name for
  // Docker's StopSignal) and "com.mydocker.stopTimeout".
  std::string stop_signal;
  std::optional<int> stop_timeout;
  // --init: PID 1 is the helper binary's minimal init (annotation "com.mydocker.init"), which
  // runs process.args as its child, reaps every orphan and forwards signals to the child.
  bool init = false;
  // --restart, carried out by the monitor (annotation "com.mydocker.restartPolicy").
  RestartPolicy restart_policy;
  // The health check the monitor runs (the image's HEALTHCHECK merged with --health-*;
  // annotation "com.mydocker.healthcheck", Docker's JSON). Absent or test ["NONE"]: none.
  std::optional<HealthConfig> healthcheck;
  LogConfig log_config;
  // Docker's labels: the image's LABELs with --label/--label-file on top (inspect's
  // Config.Labels; annotation "com.mydocker.labels", a JSON object).
  std::map<std::string, std::string> labels;
  // Docker's PidMode, IpcMode and UTSMode (--pid, --ipc, --uts): "" (a namespace of its own;
  // for IPC the same as "private"), "host", "shareable" (IPC: others may join it) or
  // "container:<id>" (PID and IPC: the running container's namespace, which the monitor joins
  // before it creates init). A joined namespace stays in linux_spec.namespaces, so that exec
  // joins it through init; "host" removes it. Annotations "com.mydocker.pidMode", ...
  std::string pid_mode;
  std::string ipc_mode;
  std::string uts_mode;
  CreateRecord create_record;
};

// What `logs --details` writes before each line (after its time): the attributes json-file's
// labels= and env= options name (the container's labels and environment variables of those
// names that it has), as Docker's: "key=value" URL-query-escaped, sorted by key, joined by
// commas; empty without any. Docker writes it and a space, so a line without attributes
// starts with one space.
std::string LogDetails(const ContainerConfig& config);

// One --label: "KEY=VALUE", or "KEY" for an empty value (Docker's rule); the key without the
// blanks around it. InvalidArgument (Docker's "invalid label '...': empty name") for an empty
// key, and for a NUL byte.
absl::StatusOr<std::pair<std::string, std::string>> ParseLabel(absl::string_view spec);

// The configuration mydocker gives a new container: namespaces, /proc, /dev, /sys and the masked
// and read-only paths that Docker and the OCI default spec use.
ContainerConfig DefaultContainerConfig();

std::string NamespaceTypeName(NamespaceType type);
// Every namespace type a container can have, by its OCI name.
std::vector<std::string> NamespaceTypeNames();
absl::StatusOr<NamespaceType> ParseNamespaceType(absl::string_view name);

std::string ConfigToJson(const ContainerConfig& config);
absl::StatusOr<ContainerConfig> ConfigFromJson(absl::string_view json);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_CONFIG_H_
