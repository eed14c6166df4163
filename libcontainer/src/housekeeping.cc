// Docker's prunes and `system df` (mydocker/housekeeping.h), as Runtime methods.
#include "mydocker/housekeeping.h"

#include <map>
#include <set>

#include "absl/time/clock.h"
#include "mydocker/fs_util.h"
#include "mydocker/logs.h"
#include "mydocker/network_store.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

std::string UpperDir(StateStore& state, const std::string& id) {
  return state.ContainerDir(id) + "/upper";
}

}  // namespace

absl::StatusOr<PruneFilters> PruneFilters::Parse(const std::vector<std::string>& specs) {
  PruneFilters f;
  MYDOCKER_ASSIGN_OR_RETURN(f.filters, Filters::Parse(specs, {"until", "label", "label!"}));
  for (const std::string& v : f.filters.Values("until")) {
    auto t = ParseLogTime(v, absl::Now());
    if (!t.ok()) return InvalidFilter("until", v);
    f.until = *t;
  }
  return f;
}

bool PruneFilters::Matches(absl::Time created,
                           const std::map<std::string, std::string>& labels) const {
  if (until && created >= *until) return false;
  if (!filters.MatchLabels("label", labels)) return false;
  for (const std::string& v : filters.Values("label!")) {
    size_t eq = v.find('=');
    auto it = labels.find(v.substr(0, eq));
    if (it != labels.end() && (eq == std::string::npos || it->second == v.substr(eq + 1))) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<Filters> ParseVolumeFilters(const std::vector<std::string>& specs) {
  MYDOCKER_ASSIGN_OR_RETURN(Filters f,
                            Filters::Parse(specs, {"dangling", "name", "driver", "label"}));
  MYDOCKER_RETURN_IF_ERROR(f.CheckValues("dangling", {"true", "false", "1", "0"}));
  return f;
}

absl::StatusOr<std::vector<Volume>> Runtime::ListVolumes(const Filters& filters) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<Volume> volumes, volumes_->List());
  if (filters.empty()) return volumes;
  // The mountpoints of the volumes some container (in any state) mounts.
  std::set<std::string> used;
  if (filters.Has("dangling")) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> states, state_->List());
    for (const ContainerState& s : states) {
      auto config = state_->LoadConfig(s.id);
      if (!config.ok()) continue;  // removed meanwhile
      for (const MountSpec& m : config->mounts) used.insert(m.source);
    }
  }
  std::vector<Volume> out;
  for (Volume& v : volumes) {
    bool dangling = used.count(v.mountpoint) == 0;
    bool keep = filters.Match("name", v.name) && filters.Match("driver", "local") &&
                filters.MatchLabels("label", v.labels);
    for (const std::string& want : filters.Values("dangling")) {
      keep = keep && dangling == (want == "true" || want == "1");
    }
    if (keep) out.push_back(std::move(v));
  }
  return out;
}

absl::Status Runtime::PruneContainers(const PruneFilters& filters, PruneReport* report) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> all, List(/*all=*/true));
  for (const ContainerState& s : all) {
    if (!s.CanRemove()) continue;
    auto config = state_->LoadConfig(s.id);
    if (!filters.Matches(s.created,
                         config.ok() ? config->labels : std::map<std::string, std::string>{})) {
      continue;
    }
    int64_t size = DirSize(UpperDir(*state_, s.id));
    auto c = Get(s.id);
    if (!c.ok() || !(*c)->Remove(/*force=*/false, /*remove_volumes=*/false).ok()) continue;
    report->containers.push_back(s.id);
    report->reclaimed += size;
  }
  return absl::OkStatus();
}

absl::Status Runtime::PruneImages(bool all, const PruneFilters& filters, PruneReport* report) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<Image> images, images_->List());
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> containers, List(/*all=*/true));
  std::set<std::string> used;
  for (const ContainerState& s : containers) used.insert(s.image_id);
  std::map<std::string, int64_t> layer_sizes;
  for (const Image& image : images) {
    if (used.count(image.id) || (!all && !image.tags.empty())) continue;
    if (!filters.Matches(image.created, image.config.labels)) continue;
    for (const std::string& dir : images_->LayerDirs(image)) {
      if (!layer_sizes.count(dir)) layer_sizes[dir] = DirSize(dir);
    }
    std::vector<std::string> refs = image.tags;
    if (refs.empty()) refs.push_back(image.id);
    bool removed = true;
    for (const std::string& ref : refs) {
      if (!RemoveImage(ref, /*force=*/false).ok()) {
        removed = false;
        break;
      }
      if (ref != image.id) report->images.push_back("untagged: " + ref);
    }
    if (removed) report->images.push_back("deleted: " + image.id);
  }
  // What went is what the store no longer has.
  for (const auto& [dir, size] : layer_sizes) {
    if (!PathExists(dir)) report->reclaimed += size;
  }
  return absl::OkStatus();
}

absl::Status Runtime::PruneNetworks(const PruneFilters& filters, PruneReport* report) {
  MYDOCKER_ASSIGN_OR_RETURN(
      std::vector<std::string> removed,
      network::NetworkStore(state_->root()).Prune([&](const NetworkRecord& r) {
        return filters.Matches(r.created, r.labels);
      }));
  report->networks.insert(report->networks.end(), removed.begin(), removed.end());
  return absl::OkStatus();
}

absl::Status Runtime::PruneSystem(const SystemPruneOptions& options, PruneReport* report) {
  MYDOCKER_RETURN_IF_ERROR(PruneContainers(options.filters, report));
  MYDOCKER_RETURN_IF_ERROR(PruneNetworks(options.filters, report));
  if (options.volumes) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<Volume> before, volumes_->List());
    std::map<std::string, int64_t> sizes;
    for (const Volume& v : before) sizes[v.name] = DirSize(v.mountpoint);
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> removed, PruneVolumes(/*all=*/false));
    for (const std::string& name : removed) {
      report->volumes.push_back(name);
      report->reclaimed += sizes[name];
    }
  }
  return PruneImages(options.all, options.filters, report);
}

absl::StatusOr<DiskUsage> Runtime::GetDiskUsage() {
  DiskUsage du;
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<Image> images, images_->List());
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> containers, List(/*all=*/true));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<Volume> volumes, volumes_->List());
  std::map<std::string, int> users;  // image id -> containers
  std::map<std::string, int> volume_links;
  for (ContainerState& s : containers) {
    users[s.image_id]++;
    int64_t size = DirSize(UpperDir(*state_, s.id));
    du.containers.total++;
    du.containers.size += size;
    if (s.IsActive()) {
      du.containers.active++;
    } else {
      du.containers.reclaimable += size;
    }
    if (auto config = state_->LoadConfig(s.id); config.ok()) {
      for (const MountSpec& m : config->mounts) volume_links[m.source]++;
    }
    du.container_list.push_back({std::move(s), size});
  }
  // Reclaimable is what no used image needs.
  std::map<std::string, int64_t> layer_size;
  std::set<std::string> needed;
  for (Image& image : images) {
    du.images.total++;
    int count = users.count(image.id) ? users[image.id] : 0;
    du.images.active += count > 0;
    for (const std::string& dir : images_->LayerDirs(image)) {
      if (!layer_size.count(dir)) layer_size[dir] = DirSize(dir);
      if (count > 0) needed.insert(dir);
    }
    du.image_list.push_back({std::move(image), count});
  }
  for (const auto& [dir, size] : layer_size) {
    du.images.size += size;
    if (!needed.count(dir)) du.images.reclaimable += size;
  }
  for (Volume& v : volumes) {
    int64_t size = DirSize(v.mountpoint);
    int links = volume_links.count(v.mountpoint) ? volume_links[v.mountpoint] : 0;
    du.volumes.total++;
    du.volumes.size += size;
    if (links > 0) {
      du.volumes.active++;
    } else {
      du.volumes.reclaimable += size;
    }
    du.volume_list.push_back({std::move(v), links, size});
  }
  return du;
}

}  // namespace mydocker
