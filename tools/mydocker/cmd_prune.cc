// mydocker container prune, image prune [-a], system prune [-a] [--volumes], system df [-v]:
// Docker's housekeeping. There is no prompt to answer: -f/--force is accepted for scripts
// written for Docker.
#include <iostream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli_util.h"
#include "commands.h"
#include "filters.h"
#include "format.h"
#include "mydocker/fs_util.h"
#include "mydocker/logs.h"
#include "mydocker/network_store.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"
#include "template/formatter.h"

namespace mydocker::cli {

namespace {

struct PruneFlags {
  bool force = false;
  bool all = false;
  bool volumes = false;
  bool verbose = false;
  std::string format;
  std::vector<std::string> filters;
};

// Docker's prune filters: until=TIME (created before it) and label=K[=V] / label!=K[=V].
struct PruneFilter {
  Filters filters;
  std::optional<absl::Time> until;

  static absl::StatusOr<PruneFilter> Parse(const std::vector<std::string>& specs) {
    PruneFilter f;
    MYDOCKER_ASSIGN_OR_RETURN(f.filters, Filters::Parse(specs, {"until", "label", "label!"}));
    for (const std::string& v : f.filters.Values("until")) {
      auto t = ParseLogTime(v, absl::Now());
      if (!t.ok()) return InvalidFilter("until", v);
      f.until = *t;
    }
    return f;
  }

  bool Matches(absl::Time created, const std::map<std::string, std::string>& labels) const {
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
};

// What one prune removed.
struct Pruned {
  std::vector<std::string> containers, images, networks, volumes;
  int64_t reclaimed = 0;
};

std::string UpperDir(Runtime& rt, const std::string& id) {
  return rt.state().ContainerDir(id) + "/upper";
}

absl::Status PruneContainers(Runtime& rt, const PruneFilter& f, Pruned* out) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> all, rt.List(/*all=*/true));
  for (const ContainerState& s : all) {
    if (!s.CanRemove()) continue;
    auto config = rt.state().LoadConfig(s.id);
    if (!f.Matches(s.created,
                   config.ok() ? config->labels : std::map<std::string, std::string>{})) {
      continue;
    }
    int64_t size = DirSize(UpperDir(rt, s.id));
    auto c = rt.Get(s.id);
    // One started or removed meanwhile is not an error: it is simply not pruned.
    if (!c.ok() || !(*c)->Remove(/*force=*/false, /*remove_volumes=*/false).ok()) continue;
    out->containers.push_back(s.id);
    out->reclaimed += size;
  }
  return absl::OkStatus();
}

// Unused images: untagged ones no container uses, or with `all` every one no container uses.
absl::Status PruneImages(Runtime& rt, bool all, const PruneFilter& f, Pruned* out) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<Image> images, rt.images().List());
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> containers, rt.List(/*all=*/true));
  std::set<std::string> used;
  for (const ContainerState& s : containers) used.insert(s.image_id);
  std::map<std::string, int64_t> layer_sizes;
  for (const Image& image : images) {
    if (used.count(image.id) || (!all && !image.tags.empty())) continue;
    if (!f.Matches(image.created, image.config.labels)) continue;
    for (const std::string& dir : rt.images().LayerDirs(image)) {
      if (!layer_sizes.count(dir)) layer_sizes[dir] = DirSize(dir);
    }
    std::vector<std::string> refs = image.tags;
    if (refs.empty()) refs.push_back(image.id);
    bool removed = true;
    for (const std::string& ref : refs) {
      absl::Status s = rt.RemoveImage(ref, /*force=*/false);
      if (!s.ok()) {
        removed = false;
        break;
      }
      if (ref != image.id) out->images.push_back("untagged: " + ref);
    }
    if (removed) out->images.push_back("deleted: " + image.id);
  }
  // What went is what the store no longer has.
  for (const auto& [dir, size] : layer_sizes) {
    if (!PathExists(dir)) out->reclaimed += size;
  }
  return absl::OkStatus();
}

void Print(const Pruned& p) {
  std::string out;
  auto section = [&out](const char* title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    absl::StrAppend(&out, title, "\n", absl::StrJoin(items, "\n"), "\n\n");
  };
  section("Deleted Containers:", p.containers);
  section("Deleted Networks:", p.networks);
  section("Deleted Volumes:", p.volumes);
  section("Deleted Images:", p.images);
  absl::StrAppend(&out, "Total reclaimed space: ", HumanSize(p.reclaimed), "\n");
  std::cout << out;
}

// Parses --filter, opens the runtime and runs `prune`; prints what it removed.
void RunPrune(Context& ctx, const PruneFlags& flags,
              const std::function<absl::Status(Runtime&, const PruneFilter&, Pruned*)>& prune) {
  auto filter = PruneFilter::Parse(flags.filters);
  if (!filter.ok()) return ctx.Fail(filter.status(), ExitCodeOf(filter.status()));
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return;
  Pruned pruned;
  absl::Status s = prune(*rt, *filter, &pruned);
  Print(pruned);
  if (!s.ok()) ctx.Fail(s, 1);
}

CLI::App* AddPrune(CLI::App& parent, const std::string& description, PruneFlags& flags) {
  CLI::App* cmd = parent.add_subcommand("prune", description);
  cmd->add_flag("-f,--force", flags.force, "Do not prompt for confirmation (there is no prompt)");
  cmd->add_option("--filter", flags.filters, "Filter (until=TIME, label=K[=V], label!=K[=V])")
      ->allow_extra_args(false);
  return cmd;
}

// --- system df --------------------------------------------------------------------------

struct Usage {
  std::string type;
  int total = 0, active = 0;
  int64_t size = 0, reclaimable = 0;
  bool percent = true;
};

std::string Reclaimable(const Usage& u) {
  if (!u.percent || u.size <= 0) return HumanSize(u.reclaimable);
  return absl::StrCat(HumanSize(u.reclaimable), " (", u.reclaimable * 100 / u.size, "%)");
}

absl::Status SystemDf(Context& ctx, Runtime& rt, const PruneFlags& flags,
                      tmpl::ListFormatter& formatter) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<Image> images, rt.images().List());
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> containers, rt.List(/*all=*/true));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<Volume> volumes, rt.volumes().List());
  std::map<std::string, int> users;  // image id -> containers
  std::map<std::string, int> volume_links;
  Usage cu{"Containers"};
  std::vector<int64_t> container_sizes;
  for (const ContainerState& s : containers) {
    users[s.image_id]++;
    int64_t size = DirSize(UpperDir(rt, s.id));
    container_sizes.push_back(size);
    cu.total++;
    cu.size += size;
    if (s.IsActive()) {
      cu.active++;
    } else {
      cu.reclaimable += size;
    }
    if (auto config = rt.state().LoadConfig(s.id); config.ok()) {
      for (const MountSpec& m : config->mounts) volume_links[m.source]++;
    }
  }
  // Layers shared by images count once; reclaimable is what no used image needs.
  Usage iu{"Images"};
  std::map<std::string, int64_t> layer_size;
  std::set<std::string> needed;
  for (const Image& image : images) {
    iu.total++;
    bool active = users.count(image.id) > 0;
    iu.active += active;
    for (const std::string& dir : rt.images().LayerDirs(image)) {
      if (!layer_size.count(dir)) layer_size[dir] = DirSize(dir);
      if (active) needed.insert(dir);
    }
  }
  for (const auto& [dir, size] : layer_size) {
    iu.size += size;
    if (!needed.count(dir)) iu.reclaimable += size;
  }
  Usage vu{"Local Volumes"};
  std::vector<int64_t> volume_sizes;
  for (const Volume& v : volumes) {
    int64_t size = DirSize(v.mountpoint);
    volume_sizes.push_back(size);
    vu.total++;
    vu.size += size;
    if (volume_links.count(v.mountpoint)) {
      vu.active++;
    } else {
      vu.reclaimable += size;
    }
  }
  Usage bu{"Build Cache"};
  bu.percent = false;
  std::vector<Usage> rows = {iu, cu, vu, bu};
  if (!formatter.is_default()) {
    std::vector<tmpl::Value> values;
    for (const Usage& u : rows) {
      using tmpl::Value;
      values.push_back(
          Value::Struct("diskUsage", {{"Active", Value::String(absl::StrCat(u.active))},
                                      {"Reclaimable", Value::String(Reclaimable(u))},
                                      {"Size", Value::String(HumanSize(u.size))},
                                      {"TotalCount", Value::String(absl::StrCat(u.total))},
                                      {"Type", Value::String(u.type)}}));
    }
    PrintFormatted(ctx, formatter, values,
                   tmpl::HeaderMap({{"Type", "TYPE"},
                                    {"TotalCount", "TOTAL"},
                                    {"Active", "ACTIVE"},
                                    {"Size", "SIZE"},
                                    {"Reclaimable", "RECLAIMABLE"}}));
    return absl::OkStatus();
  }
  std::string out;
  if (!flags.verbose) {
    Table table({"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
    for (const Usage& u : rows) {
      table.Add({u.type, absl::StrCat(u.total), absl::StrCat(u.active), HumanSize(u.size),
                 Reclaimable(u)});
    }
    std::cout << table.Render();
    return absl::OkStatus();
  }
  absl::Time now = absl::Now();
  Table it({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "CONTAINERS"});
  for (const Image& image : images) {
    std::vector<std::string> tags =
        image.tags.empty() ? std::vector<std::string>{"<none>:<none>"} : image.tags;
    for (const std::string& t : tags) {
      size_t colon = t.rfind(':');
      it.Add({t.substr(0, colon), t.substr(colon + 1), views::DisplayImageId(image.id, false),
              absl::StrCat(HumanDuration(now - image.created), " ago"), HumanSize(image.size),
              absl::StrCat(users.count(image.id) ? users[image.id] : 0)});
    }
  }
  Table ct({"CONTAINER ID", "IMAGE", "COMMAND", "SIZE", "CREATED", "STATUS", "NAMES"});
  for (size_t i = 0; i < containers.size(); ++i) {
    const ContainerState& s = containers[i];
    std::string cmd = absl::StrJoin(s.command, " ");
    if (cmd.size() > 20) cmd = cmd.substr(0, 19) + "…";
    ct.Add({s.id.substr(0, 12), s.image, absl::StrCat("\"", cmd, "\""),
            HumanSize(container_sizes[i]), absl::StrCat(HumanDuration(now - s.created), " ago"),
            views::StatusText(s, now), s.name});
  }
  Table vt({"VOLUME NAME", "LINKS", "SIZE"});
  for (size_t i = 0; i < volumes.size(); ++i) {
    vt.Add({volumes[i].name, absl::StrCat(volume_links[volumes[i].mountpoint]),
            HumanSize(volume_sizes[i])});
  }
  std::cout << "Images space usage:\n\n"
            << it.Render() << "\nContainers space usage:\n\n"
            << ct.Render() << "\nLocal Volumes space usage:\n\n"
            << vt.Render() << "\nBuild cache usage: 0B\n";
  return absl::OkStatus();
}

}  // namespace

void RegisterContainerPrune(CLI::App& container, Context& ctx) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* cmd = AddPrune(container, "Remove all stopped containers", *flags);
  cmd->callback([&ctx, flags] { RunPrune(ctx, *flags, PruneContainers); });
}

void RegisterImagePrune(CLI::App& image, Context& ctx) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* cmd = AddPrune(image, "Remove unused images", *flags);
  cmd->add_flag("-a,--all", flags->all, "Remove all unused images, not just dangling ones");
  cmd->callback([&ctx, flags] {
    RunPrune(ctx, *flags, [&flags](Runtime& rt, const PruneFilter& f, Pruned* out) {
      return PruneImages(rt, flags->all, f, out);
    });
  });
}

void RegisterSystem(CLI::App& app, Context& ctx) {
  CLI::App* system = app.add_subcommand("system", "Manage mydocker");
  system->require_subcommand(1);
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* df = system->add_subcommand("df", "Show disk usage");
  df->add_flag("-v,--verbose", flags->verbose, "Show detailed information on space usage");
  AddListFormat(*df, flags->format);
  df->callback([&ctx, flags] {
    auto formatter = ParseListFormat(ctx, flags->format);
    if (!formatter) return;
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    if (absl::Status s = SystemDf(ctx, *rt, *flags, *formatter); !s.ok()) ctx.Fail(s, 1);
  });
  CLI::App* prune = AddPrune(*system, "Remove unused data", *flags);
  prune->add_flag("-a,--all", flags->all, "Remove all unused images not just dangling ones");
  prune->add_flag("--volumes", flags->volumes, "Prune anonymous volumes");
  prune->callback([&ctx, flags] {
    RunPrune(ctx, *flags, [&flags](Runtime& rt, const PruneFilter& f, Pruned* out) {
      MYDOCKER_RETURN_IF_ERROR(PruneContainers(rt, f, out));
      MYDOCKER_ASSIGN_OR_RETURN(out->networks, network::NetworkStore(rt.state().root()).Prune());
      if (flags->volumes) {
        MYDOCKER_ASSIGN_OR_RETURN(std::vector<Volume> before, rt.volumes().List());
        std::map<std::string, int64_t> sizes;
        for (const Volume& v : before) sizes[v.name] = DirSize(v.mountpoint);
        MYDOCKER_ASSIGN_OR_RETURN(out->volumes, rt.PruneVolumes(/*all=*/false));
        for (const std::string& name : out->volumes) out->reclaimed += sizes[name];
      }
      return PruneImages(rt, flags->all, f, out);
    });
  });
  RegisterInfo(*system, ctx);
  RegisterEvents(*system, ctx);
}

}  // namespace mydocker::cli
