// Runtime::Create: the side effects of making a container (its configuration comes from
// BuildContainerConfig): volumes, the compiled seccomp profile, the record, the directories,
// each undone if a later step fails.
#include <limits.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "container/config_builder.h"
#include "container/network_setup.h"
#include "container/volume_content.h"
#include "container_events.h"
#include "host/host.h"
#include "mydocker/capabilities.h"
#include "mydocker/fs_util.h"
#include "mydocker/rootfs.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "security/seccomp.h"
#include "user_lookup.h"

namespace mydocker {
namespace {

// `path` is `dir` or below it ("a/b" is within "a", "ab" is not).
bool IsWithin(absl::string_view path, absl::string_view dir) {
  return absl::StartsWith(path, dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

// The target of a -v spec, refused when it repeats one of `targets` (Docker's message, in one
// spelling: "/x/" and "/x//." are "/x"), when it is in /proc or /sys (as runc: a volume would
// hide their masked and read-only paths) or /dev itself (the runtime's devices). Init checks
// again where a symlink of the image leads.
std::string NormalTarget(absl::string_view destination) {
  std::string target;
  for (absl::string_view part : absl::StrSplit(destination, '/', absl::SkipEmpty())) {
    if (part != ".") absl::StrAppend(&target, "/", part);
  }
  return target;
}

absl::Status CheckTarget(const std::string& text, const VolumeSpec& spec,
                         std::set<std::string>& targets) {
  std::string target = NormalTarget(spec.destination);
  if (!targets.insert(target).second) {
    return absl::InvalidArgumentError(absl::StrCat("Duplicate mount point: ", target));
  }
  for (absl::string_view kernel : {"/proc", "/sys"}) {
    if (IsWithin(target, kernel)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid volume \"", text, "\": ", target, " is inside ", kernel));
    }
  }
  if (target == "/dev") {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid volume \"", text, "\": cannot mount over /dev"));
  }
  return absl::OkStatus();
}

// Every -v, --mount and --tmpfs spec of `options`, parsed and checked (targets once each), in
// that order; nothing is made.
absl::StatusOr<std::vector<VolumeSpec>> ParseMounts(const CreateOptions& options,
                                                    std::set<std::string>& targets) {
  std::vector<VolumeSpec> specs;
  auto add = [&](const std::string& text, absl::StatusOr<VolumeSpec> spec) -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(spec.status());
    MYDOCKER_RETURN_IF_ERROR(CheckTarget(text, *spec, targets));
    if (spec->source_must_exist && !PathExists(spec->source)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid mount config for type \"bind\": bind source path does not exist: ",
                       spec->source));
    }
    specs.push_back(*std::move(spec));
    return absl::OkStatus();
  };
  for (const std::string& text : options.volumes) {
    MYDOCKER_RETURN_IF_ERROR(add(text, ParseVolumeSpec(text)));
  }
  for (const std::string& text : options.mounts) {
    MYDOCKER_RETURN_IF_ERROR(add(text, ParseMountSpec(text)));
  }
  for (const std::string& text : options.tmpfs) {
    MYDOCKER_RETURN_IF_ERROR(add(text, ParseTmpfsSpec(text)));
  }
  return specs;
}

// Another container's configuration, by name or id.
using FindConfig = std::function<absl::StatusOr<ContainerConfig>(const std::string&)>;

// The mount points of another container as specs of this one (--volumes-from): its volumes by
// name (never filled again), its binds by path, read-only when either says so. A destination
// in `targets` (given by -v, --mount, --tmpfs or an earlier --volumes-from) is left out.
absl::Status AddVolumesFrom(const std::string& text, const FindConfig& find,
                            std::set<std::string>& targets, std::vector<VolumeSpec>& specs) {
  MYDOCKER_ASSIGN_OR_RETURN(VolumesFrom from, ParseVolumesFrom(text));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig source, find(from.container));
  for (const MountPoint& m : source.create_record.mount_points) {
    if (m.type != "bind" && m.type != "volume") continue;
    if (!targets.insert(NormalTarget(m.destination)).second) continue;
    VolumeSpec spec;
    spec.kind = m.type == "volume" ? VolumeSpec::kNamed : VolumeSpec::kBind;
    spec.source = m.type == "volume" ? m.name : m.source;
    spec.destination = m.destination;
    spec.readonly = !m.rw || from.mode == "ro";
    spec.mode = m.mode;
    spec.nocopy = true;
    if (m.propagation != "rprivate") spec.propagation = m.propagation;
    specs.push_back(std::move(spec));
  }
  return absl::OkStatus();
}

// Every mount of a new container, planned before anything is made: -v, --mount and --tmpfs,
// then --volumes-from, then the image's VOLUMEs that nothing else mounts (anonymous volumes,
// Docker's rule).
absl::StatusOr<std::vector<VolumeSpec>> PlanMounts(const CreateOptions& options,
                                                   const ImageConfig& image,
                                                   const FindConfig& find) {
  std::set<std::string> targets;
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<VolumeSpec> specs, ParseMounts(options, targets));
  for (const std::string& text : options.volumes_from) {
    MYDOCKER_RETURN_IF_ERROR(AddVolumesFrom(text, find, targets, specs));
  }
  // The image's VOLUMEs not mounted otherwise: anonymous volumes (Docker's rule).
  for (const std::string& path : image.volumes) {
    absl::StatusOr<VolumeSpec> spec = ParseVolumeSpec(path);
    if (!spec.ok() || spec->kind != VolumeSpec::kAnonymous) {
      return absl::InvalidArgumentError(
          absl::StrCat("the image's VOLUME \"", absl::CHexEscape(path), "\" is not a path"));
    }
    if (targets.count(NormalTarget(spec->destination))) continue;
    MYDOCKER_RETURN_IF_ERROR(CheckTarget(path, *spec, targets));
    specs.push_back(*std::move(spec));
  }
  return specs;
}

// The mount of one spec whose source exists. Docker's defaults: a bind is recursive and
// rprivate; a tmpfs nosuid, nodev, noexec (the spec's own options after them win).
MountSpec MountOf(const VolumeSpec& spec, const std::string& source) {
  if (spec.kind == VolumeSpec::kTmpfs) {
    std::vector<std::string> options = {"nosuid", "nodev", "noexec"};
    options.insert(options.end(), spec.tmpfs_options.begin(), spec.tmpfs_options.end());
    return {spec.destination, "tmpfs", "tmpfs", std::move(options)};
  }
  std::vector<std::string> options = {spec.nonrecursive ? "bind" : "rbind",
                                      spec.readonly ? "ro" : "rw"};
  if (!spec.propagation.empty()) options.push_back(spec.propagation);
  return {spec.destination, "bind", source, std::move(options)};
}

// What inspect's Mounts shows of one spec (a --tmpfs is HostConfig.Tmpfs instead).
MountPoint MountPointOf(const VolumeSpec& spec, const MountSpec& mount, const std::string& name) {
  MountPoint m;
  m.type = spec.kind == VolumeSpec::kTmpfs ? "tmpfs" : name.empty() ? "bind" : "volume";
  m.name = name;
  m.source = spec.kind == VolumeSpec::kTmpfs ? "" : mount.source;
  m.destination = mount.destination;
  m.mode = spec.mode;
  m.rw = !spec.readonly;
  if (spec.kind == VolumeSpec::kBind)
    m.propagation = spec.propagation.empty() ? "rprivate" : spec.propagation;
  return m;
}

// Makes the mounts of `specs` (PlanMounts). Docker's behaviour: a missing host directory of -v
// is created (--mount refuses it); a named volume is created on first use; an anonymous one
// gets a new name. `made` receives the anonymous volumes created, which the caller removes if
// the container is not created; `fills`, the volumes to fill from the image.
absl::Status AddVolumes(const std::vector<VolumeSpec>& specs, const CreateOptions& options,
                        VolumeStore& volumes, ContainerConfig& config,
                        std::vector<std::string>* made, std::vector<VolumeFill>* fills) {
  std::set<std::string> listed_tmpfs;  // --tmpfs's, which inspect shows apart
  for (const std::string& text : options.tmpfs) {
    if (absl::StatusOr<VolumeSpec> t = ParseTmpfsSpec(text); t.ok()) {
      listed_tmpfs.insert(t->destination);
    }
  }
  const size_t first = config.mounts.size();
  for (const VolumeSpec& spec : specs) {
    std::string source = spec.source;
    std::string name;
    if (spec.kind == VolumeSpec::kBind) {
      if (!PathExists(source)) MYDOCKER_RETURN_IF_ERROR(MakeDirs(source, 0755));
    } else if (spec.kind != VolumeSpec::kTmpfs) {
      name = spec.kind == VolumeSpec::kNamed ? spec.source : NewContainerId();
      MYDOCKER_ASSIGN_OR_RETURN(Volume v,
                                volumes.Ensure(name, spec.kind == VolumeSpec::kAnonymous));
      if (spec.kind == VolumeSpec::kAnonymous) made->push_back(v.name);
      source = v.mountpoint;
      absl::StatusOr<std::vector<std::string>> content = ListDir(source);
      if (!spec.nocopy && content.ok() && content->empty()) {
        fills->push_back({source, spec.destination});
      }
    }
    config.mounts.push_back(MountOf(spec, source));
    if (spec.kind != VolumeSpec::kTmpfs || !listed_tmpfs.count(spec.destination)) {
      config.create_record.mount_points.push_back(MountPointOf(spec, config.mounts.back(), name));
    }
  }
  // Mounts are made in the config's order; Docker orders a container's own by the depth of their
  // destination (a parent before what is mounted inside it, `--tmpfs /a` before `-v x:/a/b`),
  // keeping the given order among equals.
  std::stable_sort(config.mounts.begin() + first, config.mounts.end(),
                   [](const MountSpec& a, const MountSpec& b) {
                     return std::count(a.destination.begin(), a.destination.end(), '/') <
                            std::count(b.destination.begin(), b.destination.end(), '/');
                   });
  return absl::OkStatus();
}

// A cgroup parent inside another container's cgroup is refused: removing that container drains
// its whole cgroup tree (freeze, kill every process in it), which would kill this one too.
absl::Status CheckCgroupParent(const StateStore& store, absl::string_view cgroup_path) {
  absl::string_view parent = cgroup_path.substr(0, cgroup_path.rfind('/'));
  // Every container's cgroup path ends with its id: a parent none of whose components is a full
  // id (the default "/mydocker" among them) cannot be inside one, and no record is read.
  const std::vector<absl::string_view> parts = absl::StrSplit(parent, '/');
  if (std::none_of(parts.begin(), parts.end(), IsFullContainerId)) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> all, store.List());
  for (const ContainerState& other : all) {
    if (!other.cgroup_path.empty() && IsWithin(parent, other.cgroup_path)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid cgroup parent \"", parent,
                                                     "\": it is inside the cgroup of container ",
                                                     other.name, " (", ShortId(other.id), ")"));
    }
  }
  return absl::OkStatus();
}

ContainerState NewState(const CreateOptions& options, const Image& image,
                        const ContainerConfig& config, const ContainerFacts& facts,
                        absl::Time now) {
  ContainerState state;
  state.id = facts.id;
  state.name = options.name.empty() ? GenerateContainerName() : options.name;
  state.image = options.image;
  state.image_id = image.id;
  state.command = config.process.args;
  state.created = now;
  state.auto_remove = options.auto_remove;
  state.log_path = facts.container_dir + "/container.log";
  state.cgroup_path = config.linux_spec.cgroups_path;
  return state;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Container>> Runtime::Create(const CreateOptions& options) {
  MYDOCKER_ASSIGN_OR_RETURN(Image image, images_->Resolve(options.image));
  MYDOCKER_RETURN_IF_ERROR(cgroups_->Validate(options.resources));
  ContainerFacts facts;
  facts.id = NewContainerId();
  facts.container_dir = state_->ContainerDir(facts.id);
  facts.layer_dirs = images_->LayerDirs(image);
  facts.cgroup_version = cgroups_->version();
  facts.swap_limit_supported = cgroups_->SwapLimitSupported();
  const std::vector<std::string>& layers = facts.layer_dirs;
  facts.read_image_file = [&layers](const std::string& path) {
    return ReadFromLayers(layers, path);
  };
  facts.resolve_device = ResolveDeviceSpec;
  facts.host_devices = HostDevices;
  facts.held_capabilities = HeldCapabilities();
  facts.hard_limit = [](int resource) {
    struct rlimit limit = {};
    ::getrlimit(resource, &limit);
    return static_cast<uint64_t>(limit.rlim_max);
  };
  if (absl::StatusOr<std::string> adj = ReadFile("/proc/self/oom_score_adj"); adj.ok()) {
    absl::SimpleAtoi(absl::StripAsciiWhitespace(*adj), &facts.oom_score_adj);
  }
  facts.find_container = [this](const std::string& name) -> absl::StatusOr<JoinTarget> {
    MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Container> c, Get(name));
    MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, c->State());
    MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, c->Config());
    return JoinTarget{state.id, state.status == ContainerStatus::kRunning, config.ipc_mode};
  };
  char host_name[HOST_NAME_MAX + 1] = {};
  ::gethostname(host_name, sizeof host_name - 1);
  facts.host_name = host_name;
  facts.has_sysctl = [](const std::string& name) {
    return PathExists(absl::StrCat("/proc/sys/", absl::StrReplaceAll(name, {{".", "/"}})));
  };
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config,
                            BuildContainerConfig(options, image.config, facts));
  if (storage_driver_ == kFuseOverlayDriver) config.root.storage_driver = kFuseOverlayDriver;
  MYDOCKER_RETURN_IF_ERROR(CheckCgroupParent(*state_, config.linux_spec.cgroups_path));
  FindConfig find = [this](const std::string& name) -> absl::StatusOr<ContainerConfig> {
    absl::StatusOr<std::unique_ptr<Container>> c = Get(name);
    if (absl::IsNotFound(c.status())) {
      return absl::NotFoundError(absl::StrCat("No such container: ", name));  // Docker's words
    }
    MYDOCKER_RETURN_IF_ERROR(c.status());
    MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig source, (*c)->Config());
    // Made before mount points were recorded: they are recovered from its mounts.
    if (!source.create_record.mounts_recorded) {
      source.create_record.mount_points = RecoverMountPoints(source.mounts, options_.root);
    }
    return source;
  };
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<VolumeSpec> mounts,
                            PlanMounts(options, image.config, find));
  network::NetworkStore networks(options_.root);
  MYDOCKER_ASSIGN_OR_RETURN(NetworkPlan net, PlanNetwork(options, image.config, facts.container_dir,
                                                         *state_, networks, config));
  if (config.linux_spec.seccomp.has_value() && !options.seccomp_profile.empty()) {
    // Through the state root's cache, so the monitor's start reads the program rather than
    // compiling it again.
    MYDOCKER_RETURN_IF_ERROR(
        CompileSeccompCached(*config.linux_spec.seccomp, SeccompCacheDir(options_.root)).status());
  }
  ContainerState state = NewState(options, image, config, facts, host_->Now());
  net.request.container_id = state.id;
  net.request.names = {state.name, config.hostname};
  for (const std::string& alias : options.network.aliases) net.request.names.push_back(alias);
  MYDOCKER_RETURN_IF_ERROR(AllocateNetwork(net, networks));
  auto release = [&] {
    if (net.attachment) networks.Release(state.id, *net.attachment).IgnoreError();
  };
  absl::StatusOr<std::unique_ptr<Container>> made = Record(state, options, mounts, config);
  if (!made.ok()) {
    release();
    return made;
  }
  if (absl::Status s = WriteNetworkFiles(net, facts.container_dir, networks); !s.ok()) {
    release();
    DeleteContainer(state.id, /*anonymous_volumes=*/true).IgnoreError();
    return s;
  }
  RecordContainerEventWithLabels(*state_, state, config.labels, "create");
  return made;
}

absl::StatusOr<std::unique_ptr<Container>> Runtime::Record(ContainerState state,
                                                           const CreateOptions& options,
                                                           const std::vector<VolumeSpec>& mounts,
                                                           ContainerConfig& config) {
  std::vector<std::string> anonymous;
  std::vector<VolumeFill> fills;
  auto discard_volumes = [&] {
    for (const std::string& name : anonymous) volumes_->Remove(name).IgnoreError();
  };
  if (absl::Status s = AddVolumes(mounts, options, *volumes_, config, &anonymous, &fills);
      !s.ok()) {
    discard_volumes();
    return s;
  }
  absl::Status created = state_->Create(state, config);
  for (int attempt = 0; options.name.empty() && absl::IsAlreadyExists(created) && attempt < 20;
       ++attempt) {
    state.name = absl::StrCat(GenerateContainerName(), attempt >= 10 ? absl::StrCat(attempt) : "");
    created = state_->Create(state, config);
  }
  if (!created.ok()) {
    discard_volumes();
    return created;
  }
  const std::string dir = state_->ContainerDir(state.id);
  absl::Status prepared = Rootfs::FromSpec(dir, config.root).Prepare();
  if (prepared.ok()) prepared = FillVolumesFromImage(dir, config.root, fills);
  if (!prepared.ok()) {
    DeleteContainer(state.id, /*anonymous_volumes=*/true).IgnoreError();
    return prepared;
  }
  return std::make_unique<Container>(this, state.id);
}

}  // namespace mydocker
