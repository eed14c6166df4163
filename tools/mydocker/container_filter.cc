#include "container_filter.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "mydocker/network_store.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"

namespace mydocker::cli {

namespace {

const std::vector<std::string> kKeys = {"id",     "name",     "label",  "exited",
                                        "status", "ancestor", "before", "since",
                                        "volume", "network",  "health"};

// Docker's health filter: the check's status, "none" without a health check.
std::string HealthName(const ContainerState& s) { return s.health ? s.health->status : "none"; }

// `layers` starts with every layer of `base`: an image built on it (or the image itself).
bool BuiltOn(const std::vector<std::string>& layers, const std::vector<std::string>& base) {
  return !base.empty() && layers.size() >= base.size() &&
         std::equal(base.begin(), base.end(), layers.begin());
}

}  // namespace

absl::StatusOr<ContainerFilter> ContainerFilter::Parse(const std::vector<std::string>& specs,
                                                       const std::vector<std::string>& extra) {
  std::vector<std::string> keys = kKeys;
  keys.insert(keys.end(), extra.begin(), extra.end());
  ContainerFilter f;
  MYDOCKER_ASSIGN_OR_RETURN(f.filters_, Filters::Parse(specs, keys));
  MYDOCKER_RETURN_IF_ERROR(f.filters_.CheckValues(
      "status", {"created", "restarting", "running", "removing", "paused", "exited", "dead"}));
  for (const std::string& v : f.filters_.Values("health")) {
    if (v != "starting" && v != "healthy" && v != "unhealthy" && v != "none") {
      return WithExitCode(
          absl::InvalidArgumentError(absl::StrCat("Unrecognised filter value for health: ", v)), 1);
    }
  }
  for (const std::string& v : f.filters_.Values("exited")) {
    int code = 0;
    if (!absl::SimpleAtoi(v, &code)) return InvalidFilter("exited", v);
    f.exited_.push_back(code);
  }
  return f;
}

absl::Status ContainerFilter::Resolve(Runtime& rt) {
  for (const char* key : {"before", "since"}) {
    for (const std::string& ref : filters_.Values(key)) {
      auto c = rt.Get(ref);
      if (!c.ok()) return WithExitCode(c.status(), 1);
      auto state = (*c)->State();
      if (!state.ok()) return WithExitCode(state.status(), 1);
      (std::string(key) == "before" ? before_ : since_) = state->created;
    }
  }
  if (filters_.Has("ancestor")) {
    ancestor_ = true;
    auto images = rt.images().List();
    if (!images.ok()) return WithExitCode(images.status(), 1);
    for (const std::string& ref : filters_.Values("ancestor")) {
      auto base = rt.images().Resolve(ref);
      if (!base.ok()) continue;
      ancestor_images_.insert(base->id);
      for (const Image& image : *images) {
        if (BuiltOn(image.layers, base->layers)) ancestor_images_.insert(image.id);
      }
    }
  }
  for (const std::string& name : filters_.Values("volume")) {
    auto v = rt.volumes().Get(name);
    if (v.ok()) volume_sources_.push_back(v->mountpoint);
  }
  network::NetworkStore networks(rt.state().root());
  for (const std::string& ref : filters_.Values("network")) {
    auto n = networks.Get(ref);
    networks_.insert(n.ok() ? n->name : ref);
  }
  return absl::OkStatus();
}

bool ContainerFilter::Matches(Runtime& rt, const ListedRecord& r) const {
  const ContainerState& s = r.state;
  if (!filters_.Match("id", s.id)) return false;
  if (!filters_.Match("name", s.name) && !filters_.Match("name", "/" + s.name)) return false;
  const auto& statuses = filters_.Values("status");
  if (!statuses.empty() &&
      std::find(statuses.begin(), statuses.end(), views::StatusName(s.status)) == statuses.end()) {
    return false;
  }
  const auto& health = filters_.Values("health");
  if (!health.empty() && std::find(health.begin(), health.end(), HealthName(s)) == health.end()) {
    return false;
  }
  // Docker's exited: containers that ran and ended with one of the codes.
  if (!exited_.empty() &&
      (s.IsActive() || !s.exit_code || s.started == absl::InfinitePast() ||
       std::find(exited_.begin(), exited_.end(), *s.exit_code) == exited_.end())) {
    return false;
  }
  if (before_ && s.created >= *before_) return false;
  if (since_ && s.created <= *since_) return false;
  if (ancestor_ && ancestor_images_.count(s.image_id) == 0) return false;
  if (!networks_.empty() &&
      std::none_of(r.networks.begin(), r.networks.end(),
                   [&](const NetworkAttachment& a) { return networks_.count(a.network) > 0; })) {
    return false;
  }
  return MatchesConfig(rt, s);
}

bool ContainerFilter::MatchesConfig(Runtime& rt, const ContainerState& s) const {
  if (!filters_.Has("label") && !filters_.Has("volume")) return true;
  auto config = rt.state().LoadConfig(s.id);
  if (!config.ok()) return false;  // removed meanwhile, or unreadable: not shown
  if (!filters_.MatchLabels("label", config->labels)) return false;
  const auto& volumes = filters_.Values("volume");
  if (volumes.empty()) return true;
  return std::any_of(config->mounts.begin(), config->mounts.end(), [&](const MountSpec& m) {
    return std::find(volumes.begin(), volumes.end(), m.destination) != volumes.end() ||
           std::find(volume_sources_.begin(), volume_sources_.end(), m.source) !=
               volume_sources_.end();
  });
}

}  // namespace mydocker::cli
