#include "mydocker/runtime.h"

#include <unistd.h>

#include <cstdlib>
#include <limits>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cleanup.h"
#include "mydocker/devices.h"
#include "mydocker/rootfs.h"
#include "mydocker/status_macros.h"
#include "security/seccomp.h"
#include "user_lookup.h"

#ifndef MYDOCKER_HELPER_PATH
#define MYDOCKER_HELPER_PATH "/usr/local/bin/mydocker"
#endif

namespace mydocker {
namespace {

constexpr char kDefaultRoot[] = "/var/lib/mydocker";

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::string GenerateName() {
  static const char* const kAdjectives[] = {
      "agile", "bold",  "brave", "calm",  "clever", "eager", "fond",  "gentle", "happy", "jolly",
      "keen",  "lucid", "merry", "noble", "proud",  "quiet", "sharp", "swift",  "vivid", "wise"};
  static const char* const kNames[] = {
      "babbage", "curie", "dijkstra", "euler",  "faraday", "gauss",  "hopper", "kepler",
      "lovelace", "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wirth"};
  thread_local std::mt19937 rng{std::random_device{}()};
  return absl::StrCat(kAdjectives[rng() % std::size(kAdjectives)], "_",
                      kNames[rng() % std::size(kNames)]);
}

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
absl::Status ApplyUser(const std::string& spec, const std::vector<std::string>& layers,
                       ProcessSpec& proc) {
  std::string home = "/root";
  if (!spec.empty()) {
    auto read = [&layers](const std::string& path) { return ReadFromLayers(layers, path); };
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

// Turns -v specs into bind mounts. Docker's behaviour: a missing host directory is created; a
// named volume is created on first use; `-v /path` makes an anonymous volume. Every spec is
// parsed before anything is made, so a bad one leaves nothing behind; `made` receives the
// anonymous volumes created, which the caller removes if the container is not created.
absl::Status AddVolumes(const std::vector<std::string>& texts, VolumeStore& volumes,
                        ContainerConfig& config, std::vector<std::string>* made) {
  std::vector<VolumeSpec> specs;
  for (const std::string& text : texts) {
    MYDOCKER_ASSIGN_OR_RETURN(VolumeSpec spec, ParseVolumeSpec(text));
    specs.push_back(std::move(spec));
  }
  for (const VolumeSpec& spec : specs) {
    std::string source = spec.source;
    if (spec.kind == VolumeSpec::kBind) {
      if (!PathExists(source)) MYDOCKER_RETURN_IF_ERROR(MakeDirs(source, 0755));
    } else {
      std::string name = spec.kind == VolumeSpec::kNamed ? spec.source : NewContainerId();
      MYDOCKER_ASSIGN_OR_RETURN(Volume v, volumes.Ensure(name, spec.kind == VolumeSpec::kAnonymous));
      if (v.anonymous) made->push_back(v.name);
      source = v.mountpoint;
    }
    config.mounts.push_back(
        {spec.destination, "bind", source, {"rbind", spec.readonly ? "ro" : "rw"}});
  }
  return absl::OkStatus();
}

}  // namespace

std::string DefaultRoot() { return EnvOr("MYDOCKER_ROOT", kDefaultRoot); }

Runtime::~Runtime() = default;

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Open(RuntimeOptions options) {
  if (options.root.empty()) options.root = DefaultRoot();
  if (options.helper_path.empty()) options.helper_path = EnvOr("MYDOCKER_HELPER", MYDOCKER_HELPER_PATH);
  if (options.root[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("state root \"", options.root, "\" is not an absolute path"));
  }
  // Layer paths end up in overlayfs mount options, where these characters are separators.
  if (options.root.find_first_of(",:\\") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("state root \"", options.root, "\" contains ',', ':' or '\\'"));
  }
  std::unique_ptr<Runtime> rt(new Runtime());
  rt->options_ = options;
  MYDOCKER_ASSIGN_OR_RETURN(rt->state_, StateStore::Open(options.root));
  MYDOCKER_ASSIGN_OR_RETURN(rt->images_, ImageStore::Open(options.root));
  MYDOCKER_ASSIGN_OR_RETURN(rt->cgroups_, CgroupManager::Detect(options.cgroup));
  MYDOCKER_ASSIGN_OR_RETURN(rt->volumes_, VolumeStore::Open(options.root));
  return rt;
}

namespace {

// A custom profile is compiled here, so a bad one fails `create` with a clear message instead
// of the start; through the state root's cache, so the monitor's start reads the program
// rather than compiling it again.
absl::Status ApplySecurityOptions(const CreateOptions& options, const std::string& root,
                                  ContainerConfig& config) {
  config.process.no_new_privileges = options.no_new_privileges;
  if (options.seccomp_profile.empty()) return absl::OkStatus();
  if (options.seccomp_profile == "unconfined") {
    config.linux_spec.seccomp.reset();
    return absl::OkStatus();
  }
  MYDOCKER_ASSIGN_OR_RETURN(
      config.linux_spec.seccomp,
      SeccompProfileFromJson(options.seccomp_profile,
                             config.process.capabilities.value_or(std::vector<std::string>{})));
  return CompileSeccompCached(*config.linux_spec.seccomp, SeccompCacheDir(root)).status();
}

// Docker's default device policy, then the caller's rules, --device-cgroup-rule and --device.
absl::Status ApplyDeviceOptions(const CreateOptions& options, ContainerConfig& config) {
  std::vector<DeviceRule>& rules = config.linux_spec.resources.devices;
  rules = DefaultDeviceRules();
  rules.insert(rules.end(), options.resources.devices.begin(), options.resources.devices.end());
  for (const std::string& text : options.device_cgroup_rules) {
    MYDOCKER_ASSIGN_OR_RETURN(DeviceRule rule, ParseDeviceCgroupRule(text));
    rules.push_back(std::move(rule));
  }
  for (const std::string& spec : options.devices) {
    MYDOCKER_ASSIGN_OR_RETURN(DeviceGrant grant, ResolveDeviceSpec(spec));
    config.linux_spec.devices.insert(config.linux_spec.devices.end(), grant.nodes.begin(),
                                     grant.nodes.end());
    rules.insert(rules.end(), grant.rules.begin(), grant.rules.end());
  }
  for (const DeviceRule& rule : rules) MYDOCKER_RETURN_IF_ERROR(ValidateDeviceRule(rule));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Container>> Runtime::Create(const CreateOptions& options) {
  MYDOCKER_ASSIGN_OR_RETURN(Image image, images_->Resolve(options.image));
  MYDOCKER_RETURN_IF_ERROR(ValidateEnv(options.env));
  MYDOCKER_RETURN_IF_ERROR(ValidateHostname(options.hostname));
  MYDOCKER_RETURN_IF_ERROR(cgroups_->Validate(options.resources));

  ContainerState state;
  state.id = NewContainerId();
  const std::string dir = state_->ContainerDir(state.id);
  ContainerConfig config = DefaultContainerConfig();
  MYDOCKER_RETURN_IF_ERROR(ApplySecurityOptions(options, options_.root, config));
  ProcessSpec& proc = config.process;
  proc.args = options.command;
  if (proc.args.empty()) {
    proc.args = image.config.entrypoint;
    proc.args.insert(proc.args.end(), image.config.cmd.begin(), image.config.cmd.end());
  } else if (!image.config.entrypoint.empty()) {
    proc.args.insert(proc.args.begin(), image.config.entrypoint.begin(),
                     image.config.entrypoint.end());
  }
  if (proc.args.empty() || proc.args[0].empty()) {
    return absl::InvalidArgumentError("no command specified");
  }
  proc.terminal = options.tty;
  proc.cwd = !options.workdir.empty()             ? options.workdir
             : !image.config.working_dir.empty() ? image.config.working_dir
                                                 : "/";
  if (proc.cwd[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("working directory \"", proc.cwd, "\" is not an absolute path"));
  }
  config.hostname = options.hostname.empty() ? state.id.substr(0, 12) : options.hostname;
  proc.env = image.config.env;
  if (!HasEnv(proc.env, "PATH")) {
    proc.env.insert(proc.env.begin(),
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  }
  SetEnv(proc.env, "HOSTNAME=" + config.hostname);
  if (options.tty) SetEnv(proc.env, "TERM=xterm");
  for (const std::string& kv : options.env) SetEnv(proc.env, kv);

  const std::vector<std::string> layers = images_->LayerDirs(image);
  MYDOCKER_RETURN_IF_ERROR(
      ApplyUser(options.user.empty() ? image.config.user : options.user, layers, proc));
  const Rootfs rootfs(dir, layers);
  MYDOCKER_RETURN_IF_ERROR(rootfs.OverlayOptions().status());  // refused now, not at start
  config.root = rootfs.Spec();
  config.linux_spec.resources = options.resources;
  MYDOCKER_RETURN_IF_ERROR(ApplyDeviceOptions(options, config));
  if (options.cgroupns != "" && options.cgroupns != "host" && options.cgroupns != "private") {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid cgroup namespace mode \"", options.cgroupns, "\": use host or private"));
  }
  if (options.cgroupns == "private" ||
      (options.cgroupns.empty() && cgroups_->version() == CgroupVersion::kV2)) {
    config.linux_spec.namespaces.push_back(NamespaceType::kCgroup);
  }
  MemoryResources& memory = config.linux_spec.resources.memory;
  // Docker's default: a memory limit without a memory+swap limit allows as much swap again
  // (memory+swap = 2 x memory), where the kernel limits swap at all; else swap is unlimited.
  if (memory.limit.has_value() && *memory.limit > 0 && !memory.swap.has_value() &&
      *memory.limit <= std::numeric_limits<int64_t>::max() / 2 && cgroups_->SwapLimitSupported()) {
    memory.swap = *memory.limit * 2;
  }
  const std::string parent = options.cgroup_parent.empty() ? "mydocker" : options.cgroup_parent;
  if (parent[0] == '/' || absl::StrContains(parent, "..")) {
    return absl::InvalidArgumentError(absl::StrCat("invalid cgroup parent \"", parent, "\""));
  }
  std::vector<std::string> anonymous;
  auto discard_volumes = [&] {
    for (const std::string& name : anonymous) volumes_->Remove(name).IgnoreError();
  };
  if (absl::Status s = AddVolumes(options.volumes, *volumes_, config, &anonymous); !s.ok()) {
    discard_volumes();
    return s;
  }
  config.linux_spec.cgroups_path = absl::StrCat(parent, "/", state.id);

  state.name = options.name.empty() ? GenerateName() : options.name;
  state.image = options.image;
  state.image_id = image.id;
  state.command = proc.args;
  state.created = absl::Now();
  state.auto_remove = options.auto_remove;
  state.log_path = dir + "/container.log";
  state.cgroup_path = config.linux_spec.cgroups_path;

  absl::Status created = state_->Create(state, config);
  for (int attempt = 0; options.name.empty() && absl::IsAlreadyExists(created) && attempt < 20;
       ++attempt) {
    state.name = absl::StrCat(GenerateName(), attempt >= 10 ? absl::StrCat(attempt) : "");
    created = state_->Create(state, config);
  }
  if (!created.ok()) {
    discard_volumes();
    return created;
  }
  if (absl::Status s = rootfs.Prepare(); !s.ok()) {
    DeleteContainer(state.id, /*anonymous_volumes=*/true).IgnoreError();
    return s;
  }
  return std::make_unique<Container>(this, state.id);
}

absl::StatusOr<std::unique_ptr<Container>> Runtime::Get(absl::string_view ref) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string id, state_->Resolve(ref));
  return std::make_unique<Container>(this, id);
}

absl::StatusOr<std::vector<ContainerState>> Runtime::List(bool all) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> states, state_->List());
  std::vector<ContainerState> out;
  out.reserve(states.size());
  for (ContainerState& s : states) {
    ContainerState r = ReconcileState(std::move(s));
    if (all || r.IsActive()) out.push_back(std::move(r));
  }
  return out;
}

absl::Status Runtime::DeleteContainer(const std::string& id, bool anonymous_volumes) {
  return DeleteContainerFiles(*state_, *volumes_, id, anonymous_volumes);
}

absl::Status Runtime::RemoveVolume(absl::string_view name, bool force) {
  MYDOCKER_ASSIGN_OR_RETURN(Volume volume, volumes_->Get(name));
  if (!force) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> states, state_->List());
    for (const ContainerState& s : states) {
      auto config = state_->LoadConfig(s.id);
      if (!config.ok()) continue;
      for (const MountSpec& m : config->mounts) {
        if (m.source == volume.mountpoint) {
          return absl::FailedPreconditionError(absl::StrCat(
              "volume ", name, " is in use by container ", s.id.substr(0, 12)));
        }
      }
    }
  }
  return volumes_->Remove(name);
}

absl::Status Runtime::RemoveImage(absl::string_view ref, bool force) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> states, state_->List());
  return images_->Remove(ref, force, [&states](const std::string& image_id) {
    for (const ContainerState& s : states) {
      if (s.image_id == image_id) return true;
    }
    return false;
  });
}

}  // namespace mydocker
