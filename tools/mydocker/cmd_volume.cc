// mydocker volume create|ls|inspect|rm|prune
#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli_util.h"
#include "commands.h"
#include "filters.h"
#include "format.h"
#include "inspect_print.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"

namespace mydocker::cli {
namespace {

struct VolumeFlags {
  std::vector<std::string> names;
  bool quiet = false;
  bool force = false;
  bool all = false;
  std::string format;
  std::vector<std::string> filters;
  std::vector<std::string> labels;  // create --label
};

// The mountpoints of the volumes some container (in any state) mounts.
absl::StatusOr<std::set<std::string>> UsedSources(Runtime& rt) {
  auto states = rt.state().List();
  if (!states.ok()) return states.status();
  std::set<std::string> used;
  for (const ContainerState& s : *states) {
    auto config = rt.state().LoadConfig(s.id);
    if (!config.ok()) continue;  // removed meanwhile
    for (const MountSpec& m : config->mounts) used.insert(m.source);
  }
  return used;
}

// The volumes Docker's filters select: dangling (no container uses it), name (an expression
// found in the name), driver (always "local"), label (every label given, with its value if
// one is given).
absl::StatusOr<std::vector<Volume>> Selected(Runtime& rt, const Filters& filters) {
  auto volumes = rt.volumes().List();
  if (!volumes.ok() || filters.empty()) return volumes;
  std::set<std::string> used;
  if (filters.Has("dangling")) {
    auto sources = UsedSources(rt);
    if (!sources.ok()) return sources.status();
    used = *std::move(sources);
  }
  std::vector<Volume> out;
  for (const Volume& v : *volumes) {
    bool dangling = used.count(v.mountpoint) == 0;
    bool keep = filters.Match("name", v.name) && filters.Match("driver", "local") &&
                filters.MatchLabels("label", v.labels);
    for (const std::string& want : filters.Values("dangling")) {
      keep = keep && dangling == (want == "true" || want == "1");
    }
    if (keep) out.push_back(v);
  }
  return out;
}

// Docker's Labels column: "k=v,k2=v2".
std::string LabelsText(const std::map<std::string, std::string>& labels) {
  return absl::StrJoin(labels, ",", absl::PairFormatter("="));
}

// Docker's volume formatting context, in `{{json .}}`'s order.
tmpl::Value TemplateRow(const Volume& v) {
  using tmpl::Value;
  return Value::Struct("volume", {{"Availability", Value::String("N/A")},
                                  {"Driver", Value::String("local")},
                                  {"Group", Value::String("N/A")},
                                  {"Labels", Value::String(LabelsText(v.labels))},
                                  {"Links", Value::String("N/A")},
                                  {"Mountpoint", Value::String(v.mountpoint)},
                                  {"Name", Value::String(v.name)},
                                  {"Scope", Value::String("local")},
                                  {"Size", Value::String("N/A")},
                                  {"Status", Value::String("N/A")}});
}

const tmpl::Value& TemplateHeader() {
  static const auto* header = new tmpl::Value(tmpl::HeaderMap({{"Name", "VOLUME NAME"},
                                                               {"Driver", "DRIVER"},
                                                               {"Scope", "SCOPE"},
                                                               {"Mountpoint", "MOUNTPOINT"},
                                                               {"Labels", "LABELS"},
                                                               {"Links", "LINKS"},
                                                               {"Size", "SIZE"},
                                                               {"Group", "GROUP"},
                                                               {"Availability", "AVAILABILITY"},
                                                               {"Status", "STATUS"}}));
  return *header;
}

}  // namespace

void RegisterVolume(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<VolumeFlags>();
  CLI::App* volume = app.add_subcommand("volume", "Manage volumes");
  volume->require_subcommand(1);

  CLI::App* create = volume->add_subcommand("create", "Create a volume");
  create->add_option("name", flags->names, "Volume name (default: a random one)")->expected(0, 1);
  create->add_option("--label", flags->labels, "Set metadata on the volume (KEY=VALUE)")
      ->allow_extra_args(false);
  create->callback([&ctx, flags] {
    std::map<std::string, std::string> labels;
    for (const std::string& spec : flags->labels) {
      absl::StatusOr<std::pair<std::string, std::string>> label = ParseLabel(spec);
      if (!label.ok()) return ctx.Fail(label.status(), 125);  // a flag error, as Docker's
      labels[label->first] = label->second;
    }
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    std::string name = flags->names.empty() ? NewContainerId() : flags->names[0];
    auto v = rt->volumes().Ensure(name, /*anonymous=*/false, labels);
    if (!v.ok()) return ctx.Fail(v.status(), 1);
    std::cout << v->name << "\n";
  });

  CLI::App* ls = volume->add_subcommand("ls", "List volumes");
  ls->alias("list");
  ls->add_flag("-q,--quiet", flags->quiet, "Only display volume names");
  AddListFormat(*ls, flags->format);
  ls->add_option("-f,--filter", flags->filters,
                 "Filter (dangling=true|false, name=NAME, driver=local, label=K[=V])")
      ->allow_extra_args(false);
  ls->callback([&ctx, flags] {
    auto formatter = ParseListFormat(ctx, flags->format);
    if (!formatter) return;
    auto filters = Filters::Parse(flags->filters, {"dangling", "name", "driver", "label"});
    absl::Status valid = filters.ok()
                             ? filters->CheckValues("dangling", {"true", "false", "1", "0"})
                             : filters.status();
    if (!valid.ok()) return ctx.Fail(valid, ExitCodeOf(valid));
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto volumes = Selected(*rt, *filters);
    if (!volumes.ok()) return ctx.Fail(volumes.status(), 1);
    if (!formatter->is_default() && !flags->quiet) {
      std::vector<tmpl::Value> rows;
      for (const Volume& v : *volumes) rows.push_back(TemplateRow(v));
      PrintFormatted(ctx, *formatter, rows, TemplateHeader());
      return;
    }
    Table table({"DRIVER", "VOLUME NAME"});
    for (const Volume& v : *volumes) {
      if (flags->quiet) {
        std::cout << v.name << "\n";
      } else {
        table.Add({"local", v.name});
      }
    }
    if (!flags->quiet) std::cout << table.Render();
  });

  CLI::App* inspect = volume->add_subcommand("inspect", "Show volumes as JSON");
  AddInspectFormat(*inspect, flags->format);
  inspect->add_option("names", flags->names, "Volumes")->required();
  inspect->callback([&ctx, flags] {
    PrintInspect(ctx, flags->names, flags->format, InspectLookupFor(ctx, "volume"));
  });

  CLI::App* prune = volume->add_subcommand("prune", "Remove unused anonymous volumes");
  prune->add_flag("-a,--all", flags->all, "Remove named volumes no container uses too");
  prune->add_flag("-f,--force", flags->force, "Do not prompt (there is no prompt)");
  prune->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto removed = rt->PruneVolumes(flags->all);
    if (!removed.ok()) return ctx.Fail(removed.status(), 1);
    if (!removed->empty()) std::cout << "Deleted Volumes:\n";
    for (const std::string& name : *removed) std::cout << name << "\n";
  });

  CLI::App* rm = volume->add_subcommand("rm", "Remove volumes");
  rm->alias("remove");
  rm->add_flag("-f,--force", flags->force, "Remove even if a container uses it");
  rm->add_option("names", flags->names, "Volumes")->required();
  rm->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    for (const std::string& name : flags->names) {
      absl::Status s = rt->RemoveVolume(name, flags->force);
      if (s.ok()) {
        std::cout << name << "\n";
      } else {
        ctx.Fail(s, 1);
      }
    }
  });
}

}  // namespace mydocker::cli
