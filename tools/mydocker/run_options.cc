#include "run_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "mydocker/capabilities.h"
#include "mydocker/fs_util.h"
#include "mydocker/resources.h"
#include "mydocker/status_macros.h"
#include "mydocker/volume_store.h"

namespace mydocker::cli {

absl::StatusOr<std::vector<std::string>> ResolveEnv(const std::vector<std::string>& entries,
                                                    const EnvLookup& lookup) {
  std::vector<std::string> out;
  for (const std::string& e : entries) {
    size_t eq = e.find('=');
    std::string key = e.substr(0, eq);
    if (key.empty() || key.find_first_of(" \t") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid environment variable \"", e, "\""));
    }
    if (eq != std::string::npos) {
      out.push_back(e);
    } else if (auto value = lookup(key); value.has_value()) {
      out.push_back(absl::StrCat(key, "=", *value));
    }
  }
  return out;
}

namespace {

// Docker's KEY=VALUE files (--env-file, --label-file): each line that is not blank or a '#'
// comment, without leading blanks or a trailing '\r', given to `take` with its number; an error
// from it names the file and line.
absl::Status ForEachFileEntry(const std::string& path, absl::string_view content,
                              const std::function<absl::Status(const std::string& entry)>& take) {
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    if (absl::Status s = take(std::string(trimmed)); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", line_no, ": ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseEnvFile(const std::string& path,
                                                      absl::string_view content,
                                                      const EnvLookup& lookup) {
  std::vector<std::string> entries;
  MYDOCKER_RETURN_IF_ERROR(ForEachFileEntry(path, content, [&](const std::string& entry) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> resolved, ResolveEnv({entry}, lookup));
    entries.insert(entries.end(), resolved.begin(), resolved.end());
    return absl::OkStatus();
  }));
  return entries;
}

absl::StatusOr<std::vector<std::string>> ParseLabelFile(const std::string& path,
                                                        absl::string_view content) {
  std::vector<std::string> labels;
  MYDOCKER_RETURN_IF_ERROR(ForEachFileEntry(path, content, [&](const std::string& entry) {
    MYDOCKER_RETURN_IF_ERROR(ParseLabel(entry).status());
    labels.push_back(entry);
    return absl::OkStatus();
  }));
  return labels;
}

namespace {

// --memory-reservation, --memory-swappiness and --oom-kill-disable, as Docker takes them.
absl::Status ParseMemoryPolicy(const ResourceFlags& flags, MemoryResources& memory) {
  if (!flags.memory_reservation.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(int64_t bytes, ParseMemorySize(flags.memory_reservation));
    memory.reservation = bytes;
  }
  if (flags.memory_swappiness && *flags.memory_swappiness != -1) {
    if (*flags.memory_swappiness < 0 || *flags.memory_swappiness > 100) {
      return absl::InvalidArgumentError(absl::StrCat("invalid value: ", *flags.memory_swappiness,
                                                     ". Valid memory swappiness range is 0-100"));
    }
    memory.swappiness = static_cast<uint64_t>(*flags.memory_swappiness);
  }
  if (flags.oom_kill_disable) memory.disable_oom_killer = true;
  return absl::OkStatus();
}

// --cpu-period, --cpu-quota (Docker's conflict with --cpus), --blkio-weight, and the real-time
// flags, which mydocker refuses: a real-time budget needs CONFIG_RT_GROUP_SCHED and a budget
// carved out of every parent cgroup, which no container runtime here sets up.
absl::Status ParseCfsAndBlkio(const ResourceFlags& flags, LinuxResources& r) {
  if ((flags.cpu_rt_period && *flags.cpu_rt_period != 0) ||
      (flags.cpu_rt_runtime && *flags.cpu_rt_runtime != 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(flags.cpu_rt_runtime ? "--cpu-rt-runtime" : "--cpu-rt-period",
                     ": real-time CPU scheduling of containers is not supported by mydocker"));
  }
  return SetCfsAndBlkio(!flags.cpus.empty(), flags.cpu_period.value_or(0),
                        flags.cpu_quota.value_or(0), flags.blkio_weight.value_or(0), r.cpu,
                        r.block_io);
}

// The flags' values, each on its own (no rule between two of them).
absl::StatusOr<LinuxResources> ParseResourceValues(const ResourceFlags& flags) {
  LinuxResources r;
  if (!flags.memory.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(int64_t bytes, ParseMemorySize(flags.memory));
    r.memory.limit = bytes;
  }
  if (flags.memory_swap == "-1") {
    r.memory.swap = -1;
  } else if (!flags.memory_swap.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(int64_t bytes, ParseMemorySize(flags.memory_swap));
    r.memory.swap = bytes;
  }
  MYDOCKER_RETURN_IF_ERROR(ParseMemoryPolicy(flags, r.memory));
  if (!flags.cpus.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(auto quota_period, ParseCpus(flags.cpus));
    r.cpu.quota = quota_period.first;
    r.cpu.period = quota_period.second;
  }
  MYDOCKER_RETURN_IF_ERROR(ParseCfsAndBlkio(flags, r));
  if (flags.cpu_shares < 0) {
    return absl::InvalidArgumentError(absl::StrCat("invalid --cpu-shares ", flags.cpu_shares));
  }
  if (flags.cpu_shares > 0) r.cpu.shares = static_cast<uint64_t>(flags.cpu_shares);
  if (!flags.cpuset_cpus.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<int> cpus, ParseCpuset(flags.cpuset_cpus));
    r.cpu.cpus = FormatCpuset(cpus);
  }
  if (!flags.cpuset_mems.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<int> mems, ParseCpuset(flags.cpuset_mems));
    r.cpu.mems = FormatCpuset(mems);
  }
  if (flags.pids_limit) {
    // Docker: 0 or -1 means unlimited.
    if (*flags.pids_limit < -1) {
      return absl::InvalidArgumentError(absl::StrCat("invalid --pids-limit ", *flags.pids_limit));
    }
    // The kernel's pids.max takes at most PID_MAX_LIMIT; more would fail only at start. (A value
    // beyond int64 arrives here saturated, so the message does not repeat it.)
    constexpr int64_t kMaxPids = 4194304;
    if (*flags.pids_limit > kMaxPids) {
      return absl::InvalidArgumentError(absl::StrCat("invalid --pids-limit: at most ", kMaxPids,
                                                     " (the kernel's limit), or -1 for unlimited"));
    }
    if (*flags.pids_limit > 0) r.pids.limit = *flags.pids_limit;
  }
  return r;
}

}  // namespace

absl::StatusOr<LinuxResources> ParseResources(const ResourceFlags& flags) {
  MYDOCKER_ASSIGN_OR_RETURN(LinuxResources r, ParseResourceValues(flags));
  if (r.memory.swap && !r.memory.limit) {
    return absl::InvalidArgumentError("--memory-swap needs --memory to be set too");
  }
  return r;
}

absl::StatusOr<LinuxResources> ParseResourceUpdate(const ResourceFlags& flags) {
  // --memory-swap alone is checked against the container's memory limit by Container::Update.
  MYDOCKER_ASSIGN_OR_RETURN(LinuxResources r, ParseResourceValues(flags));
  if (flags.pids_limit && *flags.pids_limit <= 0) r.pids.limit = -1;
  return r;
}

bool IsEmpty(const LinuxResources& r) {
  return r.memory.empty() && !r.cpu.shares && !r.cpu.quota && !r.cpu.period && r.cpu.cpus.empty() &&
         r.cpu.mems.empty() && !r.pids.limit && !r.block_io.weight;
}

namespace {

absl::Status ParseSecurityOpt(const std::string& opt, CreateOptions* o) {
  // Docker accepts both "key=value" and the older "key:value".
  size_t sep = opt.find_first_of("=:");
  std::string key = opt.substr(0, sep);
  std::string value = sep == std::string::npos ? "" : opt.substr(sep + 1);
  if (key == "no-new-privileges" && (value.empty() || value == "true" || value == "false")) {
    o->no_new_privileges = value != "false";
    return absl::OkStatus();
  }
  if (key == "seccomp" && !value.empty()) {
    if (value == "unconfined") {
      o->seccomp_profile = value;
      return absl::OkStatus();
    }
    absl::StatusOr<std::string> profile = ReadFile(value);
    if (!profile.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("opening seccomp profile \"", value, "\": ", profile.status().message()));
    }
    o->seccomp_profile = *std::move(profile);
    if (o->seccomp_profile.empty() || o->seccomp_profile == "unconfined") {
      return absl::InvalidArgumentError(absl::StrCat("seccomp profile \"", value, "\" is empty"));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid --security-opt \"", opt,
                                                 "\": want seccomp=unconfined, seccomp=FILE or "
                                                 "no-new-privileges[=true|false]"));
}

// A Go duration ("200ms", "1.5s", "1m30s"), as Docker's flag parser takes it.
absl::Status ParseGoDuration(const std::string& text, const char* flag, absl::Duration* out) {
  if (text.empty()) return absl::OkStatus();
  if (!absl::ParseDuration(text, out) || *out == absl::InfiniteDuration() ||
      *out == -absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid argument \"", text, "\" for \"", flag,
                                                   "\" flag: time: invalid duration \"", text,
                                                   "\""));
  }
  if (*out < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " cannot be negative"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::optional<HealthConfig>> ParseHealthFlags(const HealthFlags& flags) {
  HealthConfig c;
  MYDOCKER_RETURN_IF_ERROR(ParseGoDuration(flags.interval, "--health-interval", &c.interval));
  MYDOCKER_RETURN_IF_ERROR(ParseGoDuration(flags.timeout, "--health-timeout", &c.timeout));
  MYDOCKER_RETURN_IF_ERROR(
      ParseGoDuration(flags.start_period, "--health-start-period", &c.start_period));
  MYDOCKER_RETURN_IF_ERROR(
      ParseGoDuration(flags.start_interval, "--health-start-interval", &c.start_interval));
  if (flags.retries < 0) return absl::InvalidArgumentError("--health-retries cannot be negative");
  c.retries = flags.retries;
  if (!flags.cmd.empty()) c.test = {"CMD-SHELL", flags.cmd};
  const bool any = c != HealthConfig();
  if (flags.none) {
    if (any)
      return absl::InvalidArgumentError("--no-healthcheck conflicts with --health-* options");
    HealthConfig disabled;
    disabled.test = {"NONE"};
    return disabled;
  }
  if (!any) return std::nullopt;
  return c;
}

absl::StatusOr<CreateOptions> BuildCreateOptions(const RunFlags& flags, const EnvLookup& lookup) {
  if (flags.args.empty()) {
    return absl::InvalidArgumentError(
        "\"run\" requires at least 1 argument: IMAGE [COMMAND [ARG...]]");
  }
  CreateOptions o;
  o.image = flags.args[0];
  o.command.assign(flags.args.begin() + 1, flags.args.end());
  o.name = flags.name;
  o.hostname = flags.hostname;
  o.workdir = flags.workdir;
  o.user = flags.user;
  o.tty = flags.tty;
  o.open_stdin = flags.interactive;
  o.auto_remove = flags.rm;
  if (flags.entrypoint.has_value()) {  // Docker takes it as one word, never split
    o.entrypoint = flags.entrypoint->empty() ? std::vector<std::string>{}
                                             : std::vector<std::string>{*flags.entrypoint};
  }
  o.stop_signal = flags.stop_signal;
  o.stop_timeout = flags.stop_timeout;
  o.init = flags.init;
  if (!flags.restart.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(o.restart_policy, ParseRestartPolicy(flags.restart));
  }
  MYDOCKER_ASSIGN_OR_RETURN(o.healthcheck, ParseHealthFlags(flags.health));
  o.log_driver = flags.log_driver;
  o.log_options = flags.log_options;
  MYDOCKER_RETURN_IF_ERROR(MakeLogConfig(o.log_driver, o.log_options).status());
  o.cgroup_parent = flags.cgroup_parent;
  o.cgroupns = flags.cgroupns;
  o.volumes = flags.volumes;
  o.devices = flags.devices;
  o.device_cgroup_rules = flags.device_cgroup_rules;
  o.network = flags.network;
  MYDOCKER_ASSIGN_OR_RETURN(o.resources, ParseResources(flags));
  for (const std::string& opt : flags.security_opts) {
    MYDOCKER_RETURN_IF_ERROR(ParseSecurityOpt(opt, &o));
  }
  o.cap_add = flags.cap_add;
  o.cap_drop = flags.cap_drop;
  o.privileged = flags.privileged;
  // Unknown names and bad mounts refused now, before an image is pulled.
  MYDOCKER_RETURN_IF_ERROR(ApplyCapabilityChanges({}, o.cap_add, o.cap_drop, 0).status());
  o.mounts = flags.mounts;
  o.tmpfs = flags.tmpfs;
  o.read_only = flags.read_only;
  for (const std::string& m : o.mounts) MYDOCKER_RETURN_IF_ERROR(ParseMountSpec(m).status());
  for (const std::string& t : o.tmpfs) MYDOCKER_RETURN_IF_ERROR(ParseTmpfsSpec(t).status());
  o.volumes_from = flags.volumes_from;
  for (const std::string& v : o.volumes_from) {
    MYDOCKER_RETURN_IF_ERROR(ParseVolumesFrom(v).status());
  }
  // Docker's order: the files' labels, then --label's, a later one for a key winning.
  for (const std::string& file : flags.label_files) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string content, ReadFile(file));
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> labels, ParseLabelFile(file, content));
    o.labels.insert(o.labels.end(), labels.begin(), labels.end());
  }
  for (const std::string& label : flags.labels) {
    MYDOCKER_RETURN_IF_ERROR(ParseLabel(label).status());
    o.labels.push_back(label);
  }
  o.ulimits = flags.ulimits;
  for (const std::string& u : o.ulimits) MYDOCKER_RETURN_IF_ERROR(ParseUlimit(u).status());
  o.sysctls = flags.sysctls;
  if (!flags.shm_size.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(o.shm_size, ParseMemorySize(flags.shm_size));
  }
  o.group_add = flags.group_add;
  o.oom_score_adj = flags.oom_score_adj;
  o.pid_mode = flags.pid_mode;
  o.ipc_mode = flags.ipc_mode;
  o.uts_mode = flags.uts_mode;
  for (const std::string& file : flags.env_files) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string content, ReadFile(file));
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> entries,
                              ParseEnvFile(file, content, lookup));
    o.env.insert(o.env.end(), entries.begin(), entries.end());
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> env, ResolveEnv(flags.env, lookup));
  o.env.insert(o.env.end(), env.begin(), env.end());
  if (!o.workdir.empty() && o.workdir[0] != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "the working directory \"", o.workdir, "\" is invalid: it needs to be an absolute path"));
  }
  return o;
}

}  // namespace mydocker::cli
