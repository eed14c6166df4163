#include "process/init_plan.h"

#include <linux/capability.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "mount_info.h"
#include "mydocker/fs_util.h"
#include "mydocker/helper.h"
#include "mydocker/rootfs.h"
#include "mydocker/status_macros.h"
#include "nsenter/nsenter.h"
#include "security/seccomp.h"

namespace mydocker::process {
namespace {

constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Propagation options (OCI mounts[].options), applied by a mount call of their own.
const absl::flat_hash_map<std::string, unsigned long>& PropagationOptions() {
  static const auto* options = new absl::flat_hash_map<std::string, unsigned long>{
      {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
      {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
      {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
      {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  return *options;
}

// Mount options that are flags rather than file-system data.
const absl::flat_hash_map<std::string, std::pair<unsigned long, bool>>& FlagOptions() {
  // option -> (flag, set?)
  static const auto* options = new absl::flat_hash_map<std::string, std::pair<unsigned long, bool>>{
      {"ro", {MS_RDONLY, true}},
      {"rw", {MS_RDONLY, false}},
      {"nosuid", {MS_NOSUID, true}},
      {"suid", {MS_NOSUID, false}},
      {"nodev", {MS_NODEV, true}},
      {"dev", {MS_NODEV, false}},
      {"noexec", {MS_NOEXEC, true}},
      {"exec", {MS_NOEXEC, false}},
      {"sync", {MS_SYNCHRONOUS, true}},
      {"async", {MS_SYNCHRONOUS, false}},
      {"noatime", {MS_NOATIME, true}},
      {"atime", {MS_NOATIME, false}},
      {"relatime", {MS_RELATIME, true}},
      {"strictatime", {MS_STRICTATIME, true}},
      {"nodiratime", {MS_NODIRATIME, true}},
      {"bind", {MS_BIND, true}},
      {"rbind", {MS_BIND | MS_REC, true}},
  };
  return *options;
}

constexpr absl::string_view kCapabilityNames[] = {"CHOWN",
                                                  "DAC_OVERRIDE",
                                                  "DAC_READ_SEARCH",
                                                  "FOWNER",
                                                  "FSETID",
                                                  "KILL",
                                                  "SETGID",
                                                  "SETUID",
                                                  "SETPCAP",
                                                  "LINUX_IMMUTABLE",
                                                  "NET_BIND_SERVICE",
                                                  "NET_BROADCAST",
                                                  "NET_ADMIN",
                                                  "NET_RAW",
                                                  "IPC_LOCK",
                                                  "IPC_OWNER",
                                                  "SYS_MODULE",
                                                  "SYS_RAWIO",
                                                  "SYS_CHROOT",
                                                  "SYS_PTRACE",
                                                  "SYS_PACCT",
                                                  "SYS_ADMIN",
                                                  "SYS_BOOT",
                                                  "SYS_NICE",
                                                  "SYS_RESOURCE",
                                                  "SYS_TIME",
                                                  "SYS_TTY_CONFIG",
                                                  "MKNOD",
                                                  "LEASE",
                                                  "AUDIT_WRITE",
                                                  "AUDIT_CONTROL",
                                                  "SETFCAP",
                                                  "MAC_OVERRIDE",
                                                  "MAC_ADMIN",
                                                  "SYSLOG",
                                                  "WAKE_ALARM",
                                                  "BLOCK_SUSPEND",
                                                  "AUDIT_READ",
                                                  "PERFMON",
                                                  "BPF",
                                                  "CHECKPOINT_RESTORE"};

}  // namespace

int LastCapability() {
  // The kernel's, fixed while it runs: read once per process.
  static const int last = [] {
    auto text = ReadFile("/proc/sys/kernel/cap_last_cap");
    int value = 0;
    if (text.ok() && absl::SimpleAtoi(absl::StripAsciiWhitespace(*text), &value) && value > 0 &&
        value < 64) {
      return value;
    }
    return static_cast<int>(std::size(kCapabilityNames)) - 1;
  }();
  return last;
}

absl::StatusOr<uint64_t> CapabilityMask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const std::string& name : names) {
    MYDOCKER_ASSIGN_OR_RETURN(int cap, CapabilityNumber(name));
    mask |= uint64_t{1} << cap;
  }
  return mask;
}

unsigned long NamespaceFlags(const std::vector<NamespaceType>& namespaces) {
  unsigned long flags = 0;
  for (NamespaceType ns : namespaces) {
    switch (ns) {
      case NamespaceType::kPid:
        flags |= CLONE_NEWPID;
        break;
      case NamespaceType::kNetwork:
        flags |= CLONE_NEWNET;
        break;
      case NamespaceType::kMount:
        flags |= CLONE_NEWNS;
        break;
      case NamespaceType::kIpc:
        flags |= CLONE_NEWIPC;
        break;
      case NamespaceType::kUts:
        flags |= CLONE_NEWUTS;
        break;
      case NamespaceType::kCgroup:
        flags |= CLONE_NEWCGROUP;
        break;
      case NamespaceType::kUser:
        flags |= CLONE_NEWUSER;
        break;
    }
  }
  return flags;
}

std::vector<std::string> ExecCandidates(const std::string& command,
                                        const std::vector<std::string>& env) {
  if (command.find('/') != std::string::npos) return {command};
  std::vector<std::string> out;
  for (absl::string_view dir : absl::StrSplit(PathFromEnv(env), ':')) {
    if (dir.empty()) dir = ".";
    out.push_back(absl::StrCat(dir, "/", command));
  }
  return out;
}

namespace {

absl::Status PlanCapabilities(const ProcessSpec& process, InitPlan& plan) {
  if (!process.capabilities.has_value()) return absl::OkStatus();
  plan.limit_capabilities = true;
  plan.last_capability = LastCapability();
  MYDOCKER_ASSIGN_OR_RETURN(plan.capabilities, CapabilityMask(*process.capabilities));
  return absl::OkStatus();
}

absl::StatusOr<PlannedBind> PlanBind(const MountSpec& spec, unsigned long flags) {
  PlannedBind b;
  b.source = spec.source;
  b.target = spec.destination;
  b.readonly = flags & MS_RDONLY;
  for (const std::string& opt : spec.options) {
    auto it = PropagationOptions().find(opt);
    if (it != PropagationOptions().end()) b.propagation = it->second & ~MS_REC;
  }
  b.recursive = flags & MS_REC ||
                std::find(spec.options.begin(), spec.options.end(), "bind") == spec.options.end();
  b.what = absl::StrCat("bind ", spec.source, " on ", spec.destination);
  struct stat st;
  if (b.source.empty() || b.source[0] != '/' || ::stat(b.source.c_str(), &st) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("bind mount source \"", spec.source, "\" does not exist"));
  }
  b.source_is_dir = S_ISDIR(st.st_mode);
  std::string prefix;
  std::vector<std::string> parts = absl::StrSplit(spec.destination, '/', absl::SkipEmpty());
  if (parts.empty()) return absl::InvalidArgumentError("a volume cannot be mounted on /");
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    absl::StrAppend(&prefix, "/", parts[i]);
    b.target_dirs.push_back(prefix);
  }
  if (b.source_is_dir) b.target_dirs.push_back(spec.destination);
  return b;
}

absl::StatusOr<PlannedMount> PlanMount(const MountSpec& spec) {
  if (spec.destination.empty() || spec.destination[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("mount destination \"", spec.destination, "\" is not absolute"));
  }
  for (absl::string_view part : absl::StrSplit(spec.destination, '/')) {
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("mount destination \"", spec.destination, "\" contains \"..\""));
    }
  }
  PlannedMount m;
  m.source = spec.source.empty() ? spec.type : spec.source;
  m.target = spec.destination;
  m.fstype = spec.type == "bind" ? "" : spec.type;
  std::vector<std::string> data;
  for (const std::string& opt : spec.options) {
    auto it = FlagOptions().find(opt);
    auto propagation = PropagationOptions().find(opt);
    if (propagation != PropagationOptions().end()) {
      m.propagation = propagation->second;
    } else if (it == FlagOptions().end()) {
      data.push_back(opt);
    } else if (it->second.second) {
      m.flags |= it->second.first;
    } else {
      m.flags &= ~it->second.first;
    }
  }
  if (spec.type == "bind") m.flags |= MS_BIND;
  if ((m.flags & MS_BIND) && (m.flags & MS_RDONLY)) {
    m.remount_readonly = true;
    m.flags &= ~MS_RDONLY;
  }
  m.data = absl::StrJoin(data, ",");
  m.what = absl::StrCat("mount ", spec.type, " on ", spec.destination);
  return m;
}

// The standard nodes, then the container's own (`--device`), which win over a standard node at
// the same path.
void AddDevices(const std::vector<LinuxDevice>& extra, InitPlan& plan) {
  struct Dev {
    const char* name;
    unsigned major, minor;
  };
  static constexpr Dev kDevices[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                                     {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
  for (const Dev& d : kDevices) {
    std::string path = absl::StrCat("/dev/", d.name);
    bool replaced = false;
    for (const LinuxDevice& e : extra) replaced |= e.path == path;
    if (!replaced) plan.devices.push_back({path, S_IFCHR | 0666, makedev(d.major, d.minor)});
  }
  for (const LinuxDevice& e : extra) {
    std::string prefix;
    std::vector<absl::string_view> parts = absl::StrSplit(e.path, '/', absl::SkipEmpty());
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      absl::StrAppend(&prefix, "/", parts[i]);
      if (prefix != "/dev" && std::find(plan.device_dirs.begin(), plan.device_dirs.end(), prefix) ==
                                  plan.device_dirs.end()) {
        plan.device_dirs.push_back(prefix);
      }
    }
    mode_t kind = e.type == 'b' ? S_IFBLK : e.type == 'p' ? S_IFIFO : S_IFCHR;
    plan.devices.push_back({e.path, static_cast<mode_t>(kind | (e.file_mode & 07777)),
                            makedev(static_cast<unsigned>(e.major), static_cast<unsigned>(e.minor)),
                            e.uid, e.gid});
  }
  plan.symlinks = {{"/proc/self/fd", "/dev/fd"},
                   {"/proc/self/fd/0", "/dev/stdin"},
                   {"/proc/self/fd/1", "/dev/stdout"},
                   {"/proc/self/fd/2", "/dev/stderr"},
                   {"pts/ptmx", "/dev/ptmx"}};
}

absl::Status PlanCommand(const ContainerConfig& config, InitPlan& plan) {
  const auto& args = config.process.args;
  if (args.empty() || args[0].empty()) return absl::InvalidArgumentError("no command specified");
  plan.command_name = args[0];
  plan.command_has_slash = args[0].find('/') != std::string::npos;
  plan.exec_candidates = ExecCandidates(args[0], config.process.env);
  for (const std::string& path : plan.exec_candidates) {
    plan.exec_candidate_ptrs.push_back(path.c_str());
  }
  plan.exec_candidate_ptrs.push_back(nullptr);
  plan.argv_storage = args;
  plan.env_storage = config.process.env;
  for (std::string& s : plan.argv_storage) plan.argv.push_back(s.data());
  plan.argv.push_back(nullptr);
  for (std::string& s : plan.env_storage) plan.envp.push_back(s.data());
  plan.envp.push_back(nullptr);
  return absl::OkStatus();
}

absl::Status PlanWorkingDir(const std::string& cwd, InitPlan& plan) {
  if (cwd.empty() || cwd[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("working directory \"", cwd, "\" is not an absolute path"));
  }
  plan.cwd = cwd;
  std::string prefix;
  for (absl::string_view part : absl::StrSplit(cwd, '/', absl::SkipEmpty())) {
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("working directory \"", cwd, "\" contains \"..\""));
    }
    absl::StrAppend(&prefix, "/", part);
    plan.cwd_components.push_back(prefix);
  }
  for (const std::string& dir : plan.cwd_components) plan.cwd_create.push_back(dir.c_str());
  plan.cwd_create.push_back(nullptr);
  return absl::OkStatus();
}

// True if what "/" shows (the last mount there) is the initramfs.
bool RootIsRootfs(const std::vector<MountInfo>& mounts) {
  std::string root_type;
  for (const MountInfo& m : mounts) {
    if (m.mount_point == "/") root_type = m.fstype;
  }
  return root_type == "rootfs";
}

}  // namespace

absl::string_view CapabilityName(int number) {
  if (number < 0 || number >= static_cast<int>(std::size(kCapabilityNames))) return "";
  return kCapabilityNames[number];
}

absl::StatusOr<int> CapabilityNumber(absl::string_view name) {
  absl::string_view bare = absl::StripPrefix(name, "CAP_");
  for (size_t i = 0; i < std::size(kCapabilityNames); ++i) {
    if (kCapabilityNames[i] == bare) return static_cast<int>(i);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown capability \"", name, "\""));
}

std::string PathFromEnv(const std::vector<std::string>& env) {
  for (const std::string& kv : env) {
    if (kv.rfind("PATH=", 0) == 0) return kv.substr(5);
  }
  return kDefaultPath;
}

absl::Status PlanRootMove(absl::string_view mountinfo, InitPlan& plan) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<MountInfo> mounts, ParseMountInfo(mountinfo));
  plan.move_root = RootIsRootfs(mounts);
  plan.hide_before_move.clear();
  if (!plan.move_root) return absl::OkStatus();
  const std::string under_root = plan.rootfs + "/";
  for (const MountInfo& m : mounts) {
    if ((m.fstype == "proc" || m.fstype == "sysfs") && m.mount_point != "/" &&
        !absl::StartsWith(m.mount_point, under_root)) {
      plan.hide_before_move.push_back(m.mount_point);
    }
  }
  std::stable_sort(plan.hide_before_move.begin(), plan.hide_before_move.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  if (!plan.limit_capabilities) {
    plan.limit_capabilities = true;
    plan.last_capability = LastCapability();
    plan.capabilities = AllCapabilities();
  }
  plan.capabilities = WithoutChroot(plan.capabilities);
  return absl::OkStatus();
}

absl::Status PlanMountFallback(absl::string_view mountinfo, InitPlan& plan) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<MountInfo> mounts, ParseMountInfo(mountinfo));
  plan.mount_setattr = false;
  for (PlannedBind& b : plan.binds) {
    b.submounts.clear();
    if (!b.readonly || !b.recursive) continue;
    const std::string under = b.source == "/" ? "/" : b.source + "/";
    for (const MountInfo& m : mounts) {
      if (m.mount_point.size() > under.size() && absl::StartsWith(m.mount_point, under)) {
        std::string rest = m.mount_point.substr(under.size());
        b.submounts.push_back(b.target == "/" ? "/" + rest : b.target + "/" + rest);
      }
    }
  }
  return absl::OkStatus();
}

uint64_t AllCapabilities() {
  int last = LastCapability();
  return last >= 63 ? ~uint64_t{0} : (uint64_t{1} << (last + 1)) - 1;
}

uint64_t WithoutChroot(uint64_t mask) { return mask & ~(uint64_t{1} << CAP_SYS_CHROOT); }

bool RootMayBeInitramfs() {
  struct statfs root_fs;
  return ::statfs("/", &root_fs) == 0 &&
         (root_fs.f_type == RAMFS_MAGIC || root_fs.f_type == TMPFS_MAGIC);
}

absl::StatusOr<bool> HostRootIsInitramfs() {
  if (!RootMayBeInitramfs()) return false;
  MYDOCKER_ASSIGN_OR_RETURN(std::string text, ReadFile("/proc/self/mountinfo"));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<MountInfo> mounts, ParseMountInfo(text));
  return RootIsRootfs(mounts);
}

void PlanInitProcess(int binary_fd, InitPlan& plan) {
  plan.init_binary_fd = binary_fd;
  plan.exec_candidates = {absl::StrCat("/proc/self/fd/", binary_fd)};
  plan.exec_candidate_ptrs = {plan.exec_candidates[0].c_str(), nullptr};
  plan.command_has_slash = true;
  plan.argv_storage.insert(plan.argv_storage.begin(), {"mydocker-init", kInitMode, "--"});
  plan.argv.clear();
  for (std::string& s : plan.argv_storage) plan.argv.push_back(s.data());
  plan.argv.push_back(nullptr);
  std::erase_if(plan.env_storage, [](const std::string& kv) {
    return absl::StartsWith(kv, absl::StrCat(MYDOCKER_NSENTER_ENV, "="));
  });
  plan.envp.clear();
  for (std::string& s : plan.env_storage) plan.envp.push_back(s.data());
  plan.envp.push_back(nullptr);
}

absl::StatusOr<InitPlan> BuildInitPlan(const ContainerConfig& config,
                                       const std::string& seccomp_cache_dir) {
  InitPlan plan;
  plan.terminal = config.process.terminal;
  if (config.process.console_size) plan.console_size = *config.process.console_size;
  plan.rootfs = config.root.path;
  plan.rootfs_readonly = config.root.readonly;
  // No layers: an OCI bundle's ready root directory.
  plan.bind_rootfs = config.root.lower_dirs.empty() && config.root.upper_dir.empty();
  if (plan.bind_rootfs) {
    plan.overlay_what = absl::StrCat("bind mount root file system ", config.root.path);
  } else if (config.root.storage_driver == kFuseOverlayDriver) {
    // The monitor mounts it (MountFuseOverlay) before init starts; init binds it.
    MYDOCKER_ASSIGN_OR_RETURN(plan.fuse_overlay_options,
                              Rootfs::FromSpec(config.root.path, config.root).FuseOverlayOptions());
    plan.bind_rootfs = true;
    plan.overlay_what = absl::StrCat("bind mount fuse-overlayfs on ", config.root.path);
  } else {
    MYDOCKER_ASSIGN_OR_RETURN(plan.overlay_data,
                              Rootfs::FromSpec(config.root.path, config.root).OverlayOptions());
    plan.overlay_what = absl::StrCat("mount overlay on ", config.root.path);
  }
  for (const MountSpec& spec : config.mounts) {
    MYDOCKER_ASSIGN_OR_RETURN(PlannedMount m, PlanMount(spec));
    if (m.flags & MS_BIND) {
      MYDOCKER_ASSIGN_OR_RETURN(PlannedBind b,
                                PlanBind(spec, m.flags | (m.remount_readonly ? MS_RDONLY : 0)));
      b.before_mount = plan.mounts.size();
      plan.binds.push_back(std::move(b));
    } else {
      plan.mounts.push_back(std::move(m));
    }
  }
  plan.bind_fds.assign(plan.binds.size(), -1);
  AddDevices(config.linux_spec.devices, plan);
  plan.masked_paths = config.linux_spec.masked_paths;
  plan.readonly_paths = config.linux_spec.readonly_paths;
  plan.hostname = config.hostname;
  plan.rlimits = config.process.rlimits;
  if (config.process.oom_score_adj)
    plan.oom_score_adj = absl::StrCat(*config.process.oom_score_adj);
  for (const auto& [name, value] : config.linux_spec.sysctl) {
    plan.sysctls.emplace_back(absl::StrCat("/proc/sys/", absl::StrReplaceAll(name, {{".", "/"}})),
                              value);
  }
  for (NamespaceType ns : config.linux_spec.namespaces) {
    if (ns == NamespaceType::kNetwork) plan.loopback_up = true;
  }
  MYDOCKER_RETURN_IF_ERROR(PlanWorkingDir(config.process.cwd, plan));
  plan.uid = config.process.user.uid;
  plan.umask = static_cast<mode_t>(config.process.user.umask.value_or(022));
  plan.gid = config.process.user.gid;
  plan.groups.assign(config.process.user.additional_gids.begin(),
                     config.process.user.additional_gids.end());
  MYDOCKER_RETURN_IF_ERROR(PlanCapabilities(config.process, plan));
  plan.no_new_privileges = config.process.no_new_privileges;
  if (config.linux_spec.seccomp.has_value()) {
    MYDOCKER_ASSIGN_OR_RETURN(plan.seccomp,
                              CompileSeccompCached(*config.linux_spec.seccomp, seccomp_cache_dir));
  }
  MYDOCKER_RETURN_IF_ERROR(PlanCommand(config, plan));
  OrderBinds(plan, /*config_order=*/false);
  return plan;
}

void OrderBinds(InitPlan& plan, bool config_order) {
  for (PlannedBind& b : plan.binds) {
    b.copy_at_attach = false;
    for (size_t i = 0; i < b.before_mount && i < plan.mounts.size(); ++i) {
      const std::string& under = plan.mounts[i].target;
      bool below = under == "/" || b.target == under ||
                   (absl::StartsWith(b.target, under) && b.target[under.size()] == '/');
      if (config_order || below) {
        b.copy_at_attach = true;
        break;
      }
    }
  }
}

void PlanForUserNamespace(InitPlan& plan) {
  plan.wait_for_id_maps = true;
  for (const PlannedDevice& d : plan.devices) {
    PlannedBind b;
    b.source = d.path;
    b.target = d.path;
    b.source_is_dir = false;
    b.recursive = false;
    b.what = absl::StrCat("bind mount device ", d.path, " (a user namespace cannot create it)");
    b.before_mount = plan.mounts.size();
    plan.binds.push_back(std::move(b));
  }
  plan.devices.clear();
  plan.bind_fds.assign(plan.binds.size(), -1);
  static constexpr std::pair<unsigned long, unsigned> kAttrs[] = {
      {MS_RDONLY, MOUNT_ATTR_RDONLY},
      {MS_NOSUID, MOUNT_ATTR_NOSUID},
      {MS_NODEV, MOUNT_ATTR_NODEV},
      {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
      {MS_NOATIME, MOUNT_ATTR_NOATIME},
      {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
      {MS_STRICTATIME, MOUNT_ATTR_STRICTATIME}};
  for (PlannedMount& m : plan.mounts) {
    if (m.fstype != "proc" && m.fstype != "sysfs") continue;
    m.detached = true;
    m.detached_attr = 0;
    for (const auto& [flag, attr] : kAttrs) {
      if (m.flags & flag) m.detached_attr |= attr;
    }
    m.fs_options.clear();
    for (absl::string_view option : absl::StrSplit(m.data, ',', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(option, absl::MaxSplits('=', 1));
      m.fs_options.push_back(std::move(kv));
    }
  }
  plan.detached_fds.assign(plan.mounts.size(), -1);
}

}  // namespace mydocker::process
