#include "cleanup.h"

#include <sys/mount.h>

#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "host/host.h"
#include "mydocker/rootfs.h"
#include "mydocker/status_macros.h"
#include "network/attach.h"
#include "network/store.h"

namespace mydocker {

absl::Status ReleaseResources(Host& host, CgroupManager& cgroups, const std::string& container_dir,
                              const ContainerState& state, bool networks) {
  absl::Status result;
  // The overlay is normally mounted only inside the container's mount namespace and vanishes
  // with it; a host mount here is a leftover of an older layout or of a crash mid-setup.
  result.Update(host.UnmountIfMounted(Rootfs(container_dir, {}).mount_point()));
  if (!state.cgroup_path.empty()) {
    result.Update(Annotate(cgroups.Destroy(state.cgroup_path), "remove cgroup"));
  }
  if (networks) result.Update(ReleaseNetworks(network::AttachmentsOf(container_dir), state.id));
  return result;
}

absl::Status ReleaseNetworks(const std::vector<NetworkAttachment>& attachments,
                             const std::string& id) {
  absl::Status result;
  for (const NetworkAttachment& a : attachments) {
    result.Update(Annotate(network::DisconnectContainer(a, id), "network"));
  }
  return result;
}

namespace {

// True if a container other than `id` mounts the volume `name`.
bool UsedByAnother(const StateStore& state, const VolumeStore& volumes, const std::string& name,
                   const std::string& id) {
  absl::StatusOr<Volume> v = volumes.Get(name);
  absl::StatusOr<std::vector<ContainerState>> all = state.List();
  if (!v.ok() || !all.ok()) return false;
  for (const ContainerState& other : *all) {
    if (other.id == id) continue;
    absl::StatusOr<ContainerConfig> config = state.LoadConfig(other.id);
    if (!config.ok()) continue;
    for (const MountSpec& m : config->mounts) {
      if (m.source == v->mountpoint) return true;
    }
  }
  return false;
}

}  // namespace

absl::Status DeleteContainerFiles(StateStore& state, VolumeStore& volumes, const std::string& id,
                                  bool anonymous_volumes, std::string* trash,
                                  const ContainerConfig* config) {
  std::vector<std::string> anonymous;
  absl::StatusOr<ContainerConfig> loaded;
  if (anonymous_volumes && config == nullptr) {
    loaded = state.LoadConfig(id);
    if (loaded.ok()) config = &*loaded;
  }
  // A volume's mount source is <root>/volumes/<name>/_data: only those are looked up (not every
  // volume listed, each a file read).
  if (anonymous_volumes && config != nullptr) {
    for (const MountSpec& m : config->mounts) {
      absl::string_view source = m.source;
      if (!absl::ConsumeSuffix(&source, "/_data")) continue;
      const size_t slash = source.rfind('/');
      if (slash == absl::string_view::npos ||
          !absl::EndsWith(source.substr(0, slash), "/volumes")) {
        continue;
      }
      absl::StatusOr<Volume> v = volumes.Get(source.substr(slash + 1));
      if (v.ok() && v->anonymous && v->mountpoint == m.source) anonymous.push_back(v->name);
    }
  }
  // Its address and host ports go back to the network (and leave its peers' /etc/hosts).
  network::NetworkStore networks(state.root());
  for (const NetworkAttachment& a : network::AttachmentsOf(state.ContainerDir(id))) {
    networks.Release(id, a).IgnoreError();
  }
  if (trash != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(*trash, state.Detach(id));
  } else {
    MYDOCKER_RETURN_IF_ERROR(state.Remove(id));
  }
  absl::Status result;
  for (const std::string& name : anonymous) {
    // Another container may have it too (--volumes-from); Docker then keeps it.
    if (!UsedByAnother(state, volumes, name, id)) result.Update(volumes.Remove(name));
  }
  return result;
}

}  // namespace mydocker
