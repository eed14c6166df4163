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

struct RunFlags {
  bool interactive = false;
  bool tty = false;
  bool detach = false;
  bool rm = false;
  std::string name;
  std::vector<std::string> env;
  std::vector<std::string> env_files;
  std::string hostname;
  std::string workdir;
  std::string memory;
  std::string memory_swap;
  std::string cpus;
  int64_t cpu_shares = 0;
  std::string cpuset_cpus;
  std::string cpuset_mems;
  std::optional<int64_t> pids_limit;
  std::string cgroup_parent;
  std::vector<std::string> args;  // IMAGE [COMMAND [ARG...]]
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
// for syntax here and against the machine by CgroupManager::Validate at create.
absl::StatusOr<LinuxResources> ParseResources(const RunFlags& flags);

absl::StatusOr<CreateOptions> BuildCreateOptions(const RunFlags& flags, const EnvLookup& lookup);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_RUN_OPTIONS_H_
