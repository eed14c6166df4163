// Turning `run` flags into CreateOptions: pure functions, unit-tested without containers.
#ifndef MYDOCKER_TOOLS_RUN_OPTIONS_H_
#define MYDOCKER_TOOLS_RUN_OPTIONS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/container.h"

namespace mydocker::cli {

// The resource flags `run` and `update` share, as typed.
struct ResourceFlags {
  std::string memory;
  std::string memory_swap;
  std::string memory_reservation;            // --memory-reservation
  std::optional<int64_t> memory_swappiness;  // --memory-swappiness (-1: the host's default)
  bool oom_kill_disable = false;             // --oom-kill-disable (run and create only)
  std::string cpus;
  int64_t cpu_shares = 0;
  std::string cpuset_cpus;
  std::string cpuset_mems;
  std::optional<int64_t> pids_limit;
  std::optional<int64_t> cpu_period;      // --cpu-period, microseconds
  std::optional<int64_t> cpu_quota;       // --cpu-quota, microseconds per period; -1: none
  std::optional<int64_t> cpu_rt_period;   // --cpu-rt-period: refused (no real-time groups)
  std::optional<int64_t> cpu_rt_runtime;  // --cpu-rt-runtime: likewise
  std::optional<int64_t> blkio_weight;    // --blkio-weight, 10 to 1000 (0: unset)
};

// The health-check flags as typed (durations in Go's syntax: "200ms", "1m30s").
struct HealthFlags {
  std::string cmd;  // --health-cmd
  std::string interval, timeout, start_period, start_interval;
  int retries = 0;
  bool none = false;  // --no-healthcheck
};

// Docker's CLI rules: the flags' health check (nullopt: none given), --no-healthcheck as a test
// of ["NONE"] and refused with any other --health-* flag, durations not negative.
absl::StatusOr<std::optional<HealthConfig>> ParseHealthFlags(const HealthFlags& flags);

struct RunFlags : ResourceFlags {
  bool interactive = false;
  bool tty = false;
  bool detach = false;
  std::string detach_keys;  // --detach-keys (run only)
  bool rm = false;
  std::string pull = "missing";  // --pull: missing, always or never
  std::string name;
  std::vector<std::string> env;
  std::vector<std::string> env_files;
  std::vector<std::string> labels;               // -l, --label
  std::vector<std::string> label_files;          // --label-file
  std::vector<std::string> ulimits;              // --ulimit
  std::vector<std::string> sysctls;              // --sysctl
  std::string shm_size;                          // --shm-size
  std::vector<std::string> group_add;            // --group-add
  std::optional<int> oom_score_adj;              // --oom-score-adj
  std::string pid_mode;                          // --pid
  std::string ipc_mode;                          // --ipc
  std::string uts_mode;                          // --uts
  std::vector<std::string> volumes;              // -v
  std::vector<std::string> devices;              // --device
  std::vector<std::string> device_cgroup_rules;  // --device-cgroup-rule
  std::string hostname;
  std::string workdir;
  std::string user;  // -u
  std::string cgroup_parent;
  std::vector<std::string> security_opts;  // --security-opt
  std::vector<std::string> cap_add;        // --cap-add
  std::vector<std::string> cap_drop;       // --cap-drop
  bool privileged = false;                 // --privileged
  std::vector<std::string> mounts;         // --mount
  std::vector<std::string> tmpfs;          // --tmpfs
  std::vector<std::string> volumes_from;   // --volumes-from
  bool read_only = false;                  // --read-only
  std::string cgroupns;                    // --cgroupns host|private
  std::optional<std::string> entrypoint;   // --entrypoint ("" clears the image's)
  std::string stop_signal;                 // --stop-signal
  std::optional<int> stop_timeout;         // --stop-timeout
  bool init = false;                       // --init
  std::string restart;                     // --restart
  std::string log_driver;                  // --log-driver
  std::vector<std::string> log_options;    // --log-opt
  HealthFlags health;                      // --health-*, --no-healthcheck
  NetworkOptions network;                  // --network, -p, --dns, ... (copied as they are)
  std::vector<std::string> args;           // IMAGE [COMMAND [ARG...]]
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Docker's -e semantics: "KEY=VALUE" as is; "KEY" takes the host's value, or is dropped when
// the host has none.
absl::StatusOr<std::vector<std::string>> ResolveEnv(const std::vector<std::string>& entries,
                                                    const EnvLookup& lookup);

// Parses an --env-file: one KEY=VALUE or KEY per line; blank lines and lines starting with '#'
// are skipped. Errors name the file and line.
absl::StatusOr<std::vector<std::string>> ParseEnvFile(const std::string& path,
                                                      absl::string_view content,
                                                      const EnvLookup& lookup);

// -m, --memory-swap, --cpus, --cpu-shares, --cpuset-cpus/-mems, --pids-limit. Values are checked
// for syntax here and against the machine by CgroupManager::Validate at create. A --pids-limit
// of 0 or -1 (Docker's "unlimited") leaves the limit unset, which is unlimited at create.
absl::StatusOr<LinuxResources> ParseResources(const ResourceFlags& flags);

// ParseResources for `update`, where an unset field means "unchanged": --pids-limit 0 or -1
// becomes an explicit -1, so the limit is lifted, and --memory-swap may come without -m (it is
// checked against the container's memory limit).
absl::StatusOr<LinuxResources> ParseResourceUpdate(const ResourceFlags& flags);

// True if no field of `r` is set: an update that would change nothing.
bool IsEmpty(const LinuxResources& r);

// Parses a --label-file: one KEY=VALUE or KEY (an empty value) per line; blank lines and lines
// starting with '#' are skipped. Errors name the file and line.
absl::StatusOr<std::vector<std::string>> ParseLabelFile(const std::string& path,
                                                        absl::string_view content);

absl::StatusOr<CreateOptions> BuildCreateOptions(const RunFlags& flags, const EnvLookup& lookup);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_RUN_OPTIONS_H_
