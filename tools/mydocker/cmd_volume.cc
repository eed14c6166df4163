// mydocker volume create|ls|inspect|rm|prune
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli_util.h"
#include "commands.h"
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

const tmpl::Value& VolumeLsHeader() {
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
    auto filters = ParseVolumeFilters(flags->filters);
    if (!filters.ok()) return ctx.Fail(filters.status(), ExitCodeOf(filters.status()));
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto volumes = rt->ListVolumes(*filters);
    if (!volumes.ok()) return ctx.Fail(volumes.status(), 1);
    if (!formatter->is_default() && !flags->quiet) {
      std::vector<tmpl::Value> rows;
      for (const Volume& v : *volumes) rows.push_back(TemplateRow(v));
      PrintFormatted(ctx, *formatter, rows, VolumeLsHeader());
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
