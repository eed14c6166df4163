#include "container/config_builder.h"

#include <limits>
#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "mydocker/capabilities.h"
#include "mydocker/rootfs.h"
#include "mydocker/signals.h"
#include "mydocker/status_macros.h"
#include "random_seed.h"
#include "security/seccomp.h"
#include "user_lookup.h"

namespace mydocker {
namespace {

// Sets KEY=VALUE in `env`, replacing an earlier value of KEY.
void SetEnv(std::vector<std::string>& env, const std::string& kv) {
  std::string key = kv.substr(0, kv.find('='));
  for (std::string& e : env) {
    if (e.substr(0, e.find('=')) == key) {
      e = kv;
      return;
    }
  }
  env.push_back(kv);
}

bool HasEnv(const std::vector<std::string>& env, absl::string_view key) {
  for (const std::string& e : env) {
    if (e.substr(0, e.find('=')) == key) return true;
  }
  return false;
}

absl::Status ValidateEnv(const std::vector<std::string>& env) {
  for (const std::string& e : env) {
    size_t eq = e.find('=');
    if (eq == 0 || eq == std::string::npos || e.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid environment variable \"", e, "\": want KEY=VALUE"));
    }
  }
  return absl::OkStatus();
}

// Sets the process's user from `spec` (USER[:GROUP]; empty: root) and, unless the environment
// has one, HOME: the user's home in the image (Docker's rule), "/" without one. Names are looked
// up in the image's own files, as the container will see them.
absl::Status ApplyUser(const std::string& spec, const ContainerFileReader& read,
                       ProcessSpec& proc) {
  std::string home = "/root";
  if (!spec.empty()) {
    home = "/";
    MYDOCKER_RETURN_IF_ERROR(ResolveUser(spec, read, &proc.user, &home));
  }
  if (!HasEnv(proc.env, "HOME")) proc.env.push_back("HOME=" + home);
  return absl::OkStatus();
}

absl::Status ValidateHostname(absl::string_view hostname) {
  if (hostname.size() > 64 || hostname.find_first_of("/ \t\n\0") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("invalid hostname \"", hostname, "\""));
  }
  return absl::OkStatus();
}

// The capability set (Docker's default, or all the runtime holds for --privileged, changed by
// --cap-add/--cap-drop), then what --privileged lifts: masked and read-only paths, /sys's
// read-only mount. The default seccomp profile follows the capabilities (ApplySecurityOptions).
absl::Status ApplyCapabilities(const CreateOptions& options, const ContainerFacts& facts,
                               ContainerConfig& config) {
  std::vector<std::string>& caps = *config.process.capabilities;
  if (options.privileged) caps = CapabilityNamesOf(facts.held_capabilities);
  MYDOCKER_ASSIGN_OR_RETURN(caps, ApplyCapabilityChanges(caps, options.cap_add, options.cap_drop,
                                                         facts.held_capabilities));
  if (!options.privileged) return absl::OkStatus();
  config.linux_spec.masked_paths.clear();
  config.linux_spec.readonly_paths.clear();
  for (MountSpec& m : config.mounts) {
    if (m.destination == "/sys") std::erase(m.options, "ro");
  }
  return absl::OkStatus();
}

// no-new-privileges and the seccomp profile: Docker's default following the capabilities,
// none for --privileged or "unconfined", or a custom profile, parsed here (Runtime::Create
// compiles it, so a bad one fails `create`, not the start).
absl::Status ApplySecurityOptions(const CreateOptions& options, ContainerConfig& config) {
  config.process.no_new_privileges = options.no_new_privileges;
  config.linux_spec.seccomp = DefaultSeccompProfile(*config.process.capabilities);
  if (options.privileged) config.linux_spec.seccomp.reset();
  if (options.seccomp_profile.empty() || options.privileged) return absl::OkStatus();
  if (options.seccomp_profile == "unconfined") {
    config.linux_spec.seccomp.reset();
    return absl::OkStatus();
  }
  MYDOCKER_ASSIGN_OR_RETURN(
      config.linux_spec.seccomp,
      SeccompProfileFromJson(options.seccomp_profile,
                             config.process.capabilities.value_or(std::vector<std::string>{})));
  return absl::OkStatus();
}

// The nodes and rules of --device and, for --privileged, of every host device; with
// --privileged a --device for a path the host's /dev has replaces that node (Docker's rule).
absl::Status AddDeviceGrants(const CreateOptions& options, const ContainerFacts& facts,
                             ContainerConfig& config) {
  std::vector<LinuxDevice>& nodes = config.linux_spec.devices;
  for (const std::string& spec : options.devices) {
    MYDOCKER_ASSIGN_OR_RETURN(DeviceGrant grant, facts.resolve_device(spec));
    nodes.insert(nodes.end(), grant.nodes.begin(), grant.nodes.end());
    std::vector<DeviceRule>& rules = config.linux_spec.resources.devices;
    rules.insert(rules.end(), grant.rules.begin(), grant.rules.end());
  }
  if (!options.privileged) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(DeviceGrant host, facts.host_devices());
  absl::flat_hash_set<std::string> given;
  for (const LinuxDevice& node : nodes) given.insert(node.path);
  for (const LinuxDevice& node : host.nodes) {
    if (!given.contains(node.path)) nodes.push_back(node);
  }
  return absl::OkStatus();
}

// Docker's default device policy, then the caller's rules, --device-cgroup-rule and --device;
// --privileged opens the whole device cgroup instead.
absl::Status ApplyDeviceOptions(const CreateOptions& options, const ContainerFacts& facts,
                                ContainerConfig& config) {
  std::vector<DeviceRule>& rules = config.linux_spec.resources.devices;
  rules = DefaultDeviceRules();
  rules.insert(rules.end(), options.resources.devices.begin(), options.resources.devices.end());
  for (const std::string& text : options.device_cgroup_rules) {
    MYDOCKER_ASSIGN_OR_RETURN(DeviceRule rule, ParseDeviceCgroupRule(text));
    rules.push_back(std::move(rule));
  }
  MYDOCKER_RETURN_IF_ERROR(AddDeviceGrants(options, facts, config));
  for (const DeviceRule& rule : rules) MYDOCKER_RETURN_IF_ERROR(ValidateDeviceRule(rule));
  if (options.privileged) rules = {{true, 'a', std::nullopt, std::nullopt, "rwm"}};
  absl::flat_hash_set<std::string> paths;
  for (const LinuxDevice& node : config.linux_spec.devices) {
    if (!paths.insert(node.path).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("two devices for the same path in the container: ", node.path));
    }
  }
  return absl::OkStatus();
}

// The command (the image's entrypoint and cmd, or the caller's after the entrypoint), terminal,
// working directory, hostname, environment and user.
absl::Status PlanProcess(const CreateOptions& options, const ImageConfig& image,
                         const ContainerFacts& facts, ContainerConfig& config) {
  ProcessSpec& proc = config.process;
  const std::vector<std::string>& entrypoint =
      options.entrypoint.has_value() ? *options.entrypoint : image.entrypoint;
  proc.args = options.command;
  // Docker's rule: an entrypoint given here drops the image's CMD too.
  bool own_entrypoint = options.entrypoint.has_value() && !options.entrypoint->empty();
  if (proc.args.empty() && !own_entrypoint) proc.args = image.cmd;
  config.create_record.cmd = proc.args;
  config.create_record.entrypoint = entrypoint;
  proc.args.insert(proc.args.begin(), entrypoint.begin(), entrypoint.end());
  if (proc.args.empty() || proc.args[0].empty()) {
    return absl::InvalidArgumentError("no command specified");
  }
  proc.terminal = options.tty;
  proc.open_stdin = options.open_stdin;
  proc.cwd = !options.workdir.empty()     ? options.workdir
             : !image.working_dir.empty() ? image.working_dir
                                          : "/";
  if (proc.cwd[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("working directory \"", proc.cwd, "\" is not an absolute path"));
  }
  config.hostname = options.hostname.empty() ? facts.id.substr(0, 12) : options.hostname;
  proc.env = image.env;
  if (!HasEnv(proc.env, "PATH")) {
    proc.env.insert(proc.env.begin(),
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  }
  SetEnv(proc.env, "HOSTNAME=" + config.hostname);
  if (options.tty) SetEnv(proc.env, "TERM=xterm");
  for (const std::string& kv : options.env) SetEnv(proc.env, kv);
  config.create_record.user = options.user.empty() ? image.user : options.user;
  return ApplyUser(config.create_record.user, facts.read_image_file, proc);
}

// What inspect shows of the privilege and mount options as they were given (the mount points
// themselves are recorded where the mounts are made, Runtime::Create).
void RecordCreateOptions(const CreateOptions& options, CreateRecord& record) {
  record.recorded = true;
  record.privileged = options.privileged;
  record.cap_add = options.cap_add;
  record.cap_drop = options.cap_drop;
  for (const std::string& spec : options.tmpfs) {
    size_t colon = spec.find(':');
    record.tmpfs.emplace_back(spec.substr(0, colon),
                              colon == std::string::npos ? "" : spec.substr(colon + 1));
  }
  record.volumes_from = options.volumes_from;
}

// Limits, the device policy, the cgroup namespace and the cgroup's path.
absl::Status PlanResources(const CreateOptions& options, const ContainerFacts& facts,
                           ContainerConfig& config) {
  config.linux_spec.resources = options.resources;
  MYDOCKER_RETURN_IF_ERROR(ApplyDeviceOptions(options, facts, config));
  if (options.cgroupns != "" && options.cgroupns != "host" && options.cgroupns != "private") {
    return absl::InvalidArgumentError(absl::StrCat("invalid cgroup namespace mode \"",
                                                   options.cgroupns, "\": use host or private"));
  }
  if (options.cgroupns == "private" ||
      (options.cgroupns.empty() && facts.cgroup_version == CgroupVersion::kV2)) {
    config.linux_spec.namespaces.push_back(NamespaceType::kCgroup);
  }
  MemoryResources& memory = config.linux_spec.resources.memory;
  // Docker's default: a memory limit without a memory+swap limit allows as much swap again
  // (memory+swap = 2 x memory), where the kernel limits swap at all; else swap is unlimited.
  if (memory.limit.has_value() && *memory.limit > 0 && !memory.swap.has_value() &&
      *memory.limit <= std::numeric_limits<int64_t>::max() / 2 && facts.swap_limit_supported) {
    memory.swap = *memory.limit * 2;
  }
  const std::string& given = options.cgroup_parent.empty() ? "mydocker" : options.cgroup_parent;
  // In one spelling ("a//b/./" is "a/b"), so that a parent inside another container's cgroup is
  // recognised (Runtime::Create refuses it).
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(given, '/', absl::SkipEmpty())) {
    if (part != ".") parts.push_back(part);
  }
  if (given[0] == '/' || absl::StrContains(given, "..") || parts.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid cgroup parent \"", given, "\""));
  }
  config.linux_spec.cgroups_path = absl::StrCat(absl::StrJoin(parts, "/"), "/", facts.id);
  return absl::OkStatus();
}

// How `stop` ends it: the signal checked now, so a bad one is refused before anything exists.
absl::Status PlanStop(const CreateOptions& options, const ImageConfig& image,
                      ContainerConfig& config) {
  config.stop_signal = options.stop_signal.empty() ? image.stop_signal : options.stop_signal;
  if (!config.stop_signal.empty() && !ParseSignal(config.stop_signal).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid signal: ", config.stop_signal));
  }
  config.stop_timeout = options.stop_timeout;
  config.init = options.init;
  const RestartPolicy& restart = options.restart_policy;
  // Checked as the CLI's NAME:COUNT would be, for a library caller's fields.
  MYDOCKER_RETURN_IF_ERROR(
      ParseRestartPolicy(
          absl::StrCat(restart.name.empty() ? "no" : restart.name, ":", restart.max_retries))
          .status());
  if (options.auto_remove && !restart.IsNone()) {
    return absl::InvalidArgumentError(
        "conflicting options: cannot specify both --restart and --rm");
  }
  config.restart_policy = restart;
  if (options.healthcheck) MYDOCKER_RETURN_IF_ERROR(ValidateHealthConfig(*options.healthcheck));
  config.healthcheck = MergeHealthConfig(options.healthcheck, image.healthcheck);
  if (config.healthcheck) MYDOCKER_RETURN_IF_ERROR(ValidateHealthConfig(*config.healthcheck));
  MYDOCKER_ASSIGN_OR_RETURN(config.log_config,
                            MakeLogConfig(options.log_driver, options.log_options));
  return absl::OkStatus();
}

// The image's labels with the caller's on top. (An image stored before loads refused a NUL
// byte in one would give a record that cannot be read back.)
absl::Status ApplyLabels(const CreateOptions& options, const ImageConfig& image,
                         ContainerConfig& config) {
  for (const auto& [key, value] : image.labels) {
    if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("the image's label \"", absl::CHexEscape(key), "\" holds a NUL byte"));
    }
  }
  config.labels = image.labels;
  for (const std::string& spec : options.labels) {
    MYDOCKER_ASSIGN_OR_RETURN(auto label, ParseLabel(spec));
    config.labels[label.first] = std::move(label.second);
  }
  return absl::OkStatus();
}

constexpr uint64_t kCapSysResource = uint64_t{1} << 24;

std::string LimitText(uint64_t value) {
  return value == ~uint64_t{0} ? "unlimited" : absl::StrCat(value);
}

// --ulimit (a later one for a resource wins, as in Docker's map) and --oom-score-adj, each
// checked against what the runtime may give without CAP_SYS_RESOURCE.
absl::Status PlanProcessLimits(const CreateOptions& options, const ContainerFacts& facts,
                               ProcessSpec& proc) {
  const bool privileged = (facts.held_capabilities & kCapSysResource) != 0;
  for (const std::string& spec : options.ulimits) {
    MYDOCKER_ASSIGN_OR_RETURN(Rlimit limit, ParseUlimit(spec));
    if (!privileged && facts.hard_limit) {
      uint64_t own = facts.hard_limit(limit.resource);
      if (limit.hard > own) {
        return absl::InvalidArgumentError(
            absl::StrCat("--ulimit ", spec, ": the hard limit ", LimitText(limit.hard),
                         " is above mydocker's own (", LimitText(own),
                         "), which only a runtime with CAP_SYS_RESOURCE can raise"));
      }
    }
    auto same = std::find_if(proc.rlimits.begin(), proc.rlimits.end(),
                             [&](const Rlimit& r) { return r.resource == limit.resource; });
    if (same != proc.rlimits.end()) {
      *same = limit;
    } else {
      proc.rlimits.push_back(limit);
    }
  }
  if (!options.oom_score_adj) return absl::OkStatus();
  int adj = *options.oom_score_adj;
  if (adj < -1000 || adj > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid value ", adj, ", range for oom score adj is [-1000, 1000]"));
  }
  if (adj < facts.oom_score_adj && !privileged) {
    return absl::InvalidArgumentError(
        absl::StrCat("--oom-score-adj ", adj, ": below mydocker's own (", facts.oom_score_adj,
                     "), which only a runtime with CAP_SYS_RESOURCE can go"));
  }
  proc.oom_score_adj = adj;
  return absl::OkStatus();
}

// --shm-size (the size of /dev/shm's tmpfs) and --group-add.
absl::Status PlanShmAndGroups(const CreateOptions& options, const ContainerFacts& facts,
                              ContainerConfig& config) {
  if (options.shm_size) {
    if (*options.shm_size <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid --shm-size ", *options.shm_size, ": must be greater than 0"));
    }
    for (MountSpec& m : config.mounts) {
      if (m.destination != "/dev/shm") continue;
      for (std::string& o : m.options) {
        if (absl::StartsWith(o, "size=")) o = absl::StrCat("size=", *options.shm_size);
      }
    }
  }
  std::vector<uint32_t>& gids = config.process.user.additional_gids;
  for (const std::string& group : options.group_add) {
    MYDOCKER_ASSIGN_OR_RETURN(uint32_t gid, ResolveGroup(group, facts.read_image_file));
    if (std::find(gids.begin(), gids.end(), gid) == gids.end()) gids.push_back(gid);
  }
  return absl::OkStatus();
}

bool HasNamespace(const ContainerConfig& config, NamespaceType type) {
  const std::vector<NamespaceType>& ns = config.linux_spec.namespaces;
  return std::find(ns.begin(), ns.end(), type) != ns.end();
}

void DropNamespace(ContainerConfig& config, NamespaceType type) {
  std::vector<NamespaceType>& ns = config.linux_spec.namespaces;
  ns.erase(std::remove(ns.begin(), ns.end(), type), ns.end());
}

// "container:NAME" of --pid or --ipc: the running container, recorded by id.
absl::StatusOr<std::string> JoinedContainer(const std::string& mode, const char* what,
                                            const ContainerFacts& facts) {
  std::string name = mode.substr(std::string("container:").size());
  if (name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid ", what, " mode: ", mode));
  }
  absl::StatusOr<JoinTarget> target = facts.find_container(name);
  if (!target.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("No such container: ", name));
  }
  if (!target->running) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot join ", what, " of a non running container: ", name));
  }
  if (absl::string_view(what) == "IPC" && target->ipc_mode != "shareable" &&
      target->ipc_mode != "host") {
    return absl::InvalidArgumentError(
        "non-shareable IPC (hint: use IpcMode:shareable for the donor container)");
  }
  return absl::StrCat("container:", target->id);
}

// --pid, --ipc and --uts, with Docker's modes and messages. The host's namespace: not the
// container's own (and /dev/shm is the host's with --ipc host, as in Docker).
absl::Status PlanNamespaces(const CreateOptions& options, const ContainerFacts& facts,
                            ContainerConfig& config) {
  const std::string& pid = options.pid_mode;
  if (pid == "host") {
    DropNamespace(config, NamespaceType::kPid);
  } else if (absl::StartsWith(pid, "container:")) {
    MYDOCKER_ASSIGN_OR_RETURN(config.pid_mode, JoinedContainer(pid, "PID", facts));
  } else if (!pid.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid PID mode: ", pid));
  }
  if (config.pid_mode.empty()) config.pid_mode = pid;
  const std::string& ipc = options.ipc_mode;
  if (ipc == "host") {
    DropNamespace(config, NamespaceType::kIpc);
    for (MountSpec& m : config.mounts) {
      if (m.destination == "/dev/shm") m = {"/dev/shm", "bind", "/dev/shm", {"rbind", "rw"}};
    }
  } else if (absl::StartsWith(ipc, "container:")) {
    MYDOCKER_ASSIGN_OR_RETURN(config.ipc_mode, JoinedContainer(ipc, "IPC", facts));
  } else if (!ipc.empty() && ipc != "private" && ipc != "shareable") {
    return absl::InvalidArgumentError(absl::StrCat("invalid IPC mode: ", ipc));
  }
  if (config.ipc_mode.empty()) config.ipc_mode = ipc;
  if (!options.uts_mode.empty() && options.uts_mode != "host") {
    return absl::InvalidArgumentError(absl::StrCat("invalid UTS mode: ", options.uts_mode));
  }
  config.uts_mode = options.uts_mode;
  if (config.uts_mode == "host") {
    if (!options.hostname.empty()) {
      return absl::InvalidArgumentError("conflicting options: hostname and the UTS mode");
    }
    DropNamespace(config, NamespaceType::kUts);
    config.hostname.clear();
    SetEnv(config.process.env, "HOSTNAME=" + facts.host_name);
  }
  return absl::OkStatus();
}

// runc's rule: a kernel parameter may be set only in a namespace of the container's own.
absl::Status CheckSysctl(const std::string& name, const CreateOptions& options,
                         const ContainerConfig& config) {
  static const char* const kIpc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                     "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                     "kernel.shmmni", "kernel.shm_rmid_forced"};
  const bool ipc = absl::StartsWith(name, "fs.mqueue.") ||
                   std::find(std::begin(kIpc), std::end(kIpc), name) != std::end(kIpc);
  const std::string& mode = options.network.mode;
  const char* refused = nullptr;
  if (ipc) {
    if (absl::StartsWith(config.ipc_mode, "container:")) {
      refused = "is not allowed in another container's IPC namespace";
    } else if (HasNamespace(config, NamespaceType::kIpc)) {
      return absl::OkStatus();
    } else {
      refused = "is not allowed in the host's IPC namespace";
    }
  } else if (absl::StartsWith(name, "net.")) {
    if (mode != "host" && !absl::StartsWith(mode, "container:")) return absl::OkStatus();
    refused = mode == "host" ? "is not allowed in the host's network namespace (--network host)"
                             : "is not allowed in another container's network namespace";
  } else if (name == "kernel.domainname") {
    if (HasNamespace(config, NamespaceType::kUts)) return absl::OkStatus();
    refused = "is not allowed in the host's UTS namespace";
  } else if (name == "kernel.hostname") {
    refused = "cannot be set: use --hostname";
  } else {
    refused =
        "is not in a separate kernel namespace (only kernel.msg*, kernel.sem, kernel.shm*, "
        "fs.mqueue.*, net.* and kernel.domainname are)";
  }
  return absl::InvalidArgumentError(absl::StrCat("sysctl \"", name, "\" ", refused));
}

// --sysctl NAME=VALUE: namespaced parameters the host has (the per-interface ones under
// net.*.conf and net.*.neigh exist only once the container's interfaces do).
absl::Status PlanSysctls(const CreateOptions& options, const ContainerFacts& facts,
                         ContainerConfig& config) {
  for (const std::string& spec : options.sysctls) {
    size_t eq = spec.find('=');
    std::string name = spec.substr(0, eq);
    if (eq == std::string::npos || name.empty() || absl::StrContains(name, "..") ||
        name.find_first_of("/ ") != std::string::npos || spec.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid --sysctl \"", absl::CHexEscape(spec), "\": want NAME=VALUE"));
    }
    MYDOCKER_RETURN_IF_ERROR(CheckSysctl(name, options, config));
    bool per_interface = false;
    for (const char* prefix :
         {"net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.", "net.ipv6.neigh."}) {
      per_interface |= absl::StartsWith(name, prefix);
    }
    if (!per_interface && facts.has_sysctl && !facts.has_sysctl(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("sysctl \"", name, "\": this kernel has no such parameter"));
    }
    std::vector<std::pair<std::string, std::string>>& sysctl = config.linux_spec.sysctl;
    auto same = std::find_if(sysctl.begin(), sysctl.end(),
                             [&](const auto& kv) { return kv.first == name; });
    if (same != sysctl.end()) {
      same->second = spec.substr(eq + 1);
    } else {
      sysctl.emplace_back(name, spec.substr(eq + 1));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ContainerConfig> BuildContainerConfig(const CreateOptions& options,
                                                     const ImageConfig& image,
                                                     const ContainerFacts& facts) {
  MYDOCKER_RETURN_IF_ERROR(ValidateEnv(options.env));
  MYDOCKER_RETURN_IF_ERROR(ValidateHostname(options.hostname));
  ContainerConfig config = DefaultContainerConfig();
  MYDOCKER_RETURN_IF_ERROR(ApplyCapabilities(options, facts, config));
  MYDOCKER_RETURN_IF_ERROR(ApplySecurityOptions(options, config));
  MYDOCKER_RETURN_IF_ERROR(PlanProcess(options, image, facts, config));
  MYDOCKER_RETURN_IF_ERROR(PlanStop(options, image, config));
  MYDOCKER_RETURN_IF_ERROR(ApplyLabels(options, image, config));
  MYDOCKER_RETURN_IF_ERROR(PlanProcessLimits(options, facts, config.process));
  MYDOCKER_RETURN_IF_ERROR(PlanShmAndGroups(options, facts, config));
  const Rootfs rootfs(facts.container_dir, facts.layer_dirs);
  MYDOCKER_RETURN_IF_ERROR(rootfs.OverlayOptions().status());  // refused now, not at start
  config.root = rootfs.Spec();
  config.root.readonly = options.read_only;
  MYDOCKER_RETURN_IF_ERROR(PlanResources(options, facts, config));
  MYDOCKER_RETURN_IF_ERROR(PlanNamespaces(options, facts, config));
  MYDOCKER_RETURN_IF_ERROR(PlanSysctls(options, facts, config));
  RecordCreateOptions(options, config.create_record);
  return config;
}

std::string GenerateContainerName() {
  static const char* const kAdjectives[] = {
      "agile", "bold",  "brave", "calm",  "clever", "eager", "fond",  "gentle", "happy", "jolly",
      "keen",  "lucid", "merry", "noble", "proud",  "quiet", "sharp", "swift",  "vivid", "wise"};
  static const char* const kNames[] = {
      "babbage",  "curie",   "dijkstra", "euler",   "faraday", "gauss",    "hopper", "kepler",
      "lovelace", "noether", "pascal",   "ritchie", "shannon", "thompson", "turing", "wirth"};
  thread_local std::mt19937 rng{static_cast<std::mt19937::result_type>(RandomSeed())};
  return absl::StrCat(kAdjectives[rng() % std::size(kAdjectives)], "_",
                      kNames[rng() % std::size(kNames)]);
}

}  // namespace mydocker
