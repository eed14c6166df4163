// mydocker ps [-a] [-q] [--no-trunc] [--format json|TEMPLATE]
#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli_util.h"
#include "commands.h"
#include "container_filter.h"
#include "format.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"
#include "template/formatter.h"
#include "template/functions.h"

namespace mydocker::cli {
namespace {

struct PsFlags {
  bool all = false;
  bool quiet = false;
  bool no_trunc = false;
  bool latest = false;
  bool size = false;
  int last = -1;
  std::string format;
  std::vector<std::string> filters;  // KEY=VALUE
};

std::string CommandLine(const ContainerState& s, bool no_trunc) {
  std::string cmd = absl::StrJoin(s.command, " ");
  if (!no_trunc && cmd.size() > 20) cmd = cmd.substr(0, 19) + "…";
  return cmd;
}

std::string CommandText(const ContainerState& s, bool no_trunc) {
  return absl::StrCat("\"", CommandLine(s, no_trunc), "\"");
}

// Docker's SIZE: the writable layer's bytes, and with the image's "2B (virtual 1.98MB)".
class SizeText {
 public:
  explicit SizeText(Runtime& rt) : rt_(rt) {}
  std::string operator()(const ContainerState& s) {
    int64_t rw = DirSize(rt_.state().ContainerDir(s.id) + "/upper");
    auto it = image_sizes_.find(s.image_id);
    if (it == image_sizes_.end()) {
      auto image = rt_.images().Resolve(s.image_id);
      it = image_sizes_.emplace(s.image_id, image.ok() ? image->size : 0).first;
    }
    if (it->second <= 0) return HumanSize(rw);
    return absl::StrCat(HumanSize(rw), " (virtual ", HumanSize(rw + it->second), ")");
  }

 private:
  Runtime& rt_;
  std::map<std::string, int64_t> image_sizes_;
};

// The name of the volume mounted from `source` (<root>/volumes/<name>/_data), or "".
std::string VolumeName(Runtime& rt, const std::string& source) {
  if (!absl::EndsWith(source, "/_data")) return "";
  std::string dir = source.substr(0, source.size() - 6);
  std::string name = dir.substr(dir.rfind('/') + 1);
  auto v = rt.volumes().Get(name);
  return v.ok() && v->mountpoint == source ? name : "";
}

// Docker's Mounts and LocalVolumes columns: the volumes' names, else the bind mounts' sources
// (cut at 15 unless `no_trunc`), and how many volumes (the files mydocker binds, /etc/hosts
// and the like, are not the user's mounts).
void AddMounts(Runtime& rt, const ContainerConfig& config, bool no_trunc,
               tmpl::Value::Fields* fields) {
  std::vector<std::string> names;
  int volumes = 0;
  for (const MountSpec& m : config.mounts) {
    if (m.type != "bind" || m.destination == "/etc/hosts" || m.destination == "/etc/resolv.conf" ||
        m.destination == "/etc/hostname") {
      continue;
    }
    std::string name = VolumeName(rt, m.source);
    volumes += !name.empty();
    if (name.empty()) name = m.source;
    if (!no_trunc && name.size() > 15) name = name.substr(0, 14) + "…";
    names.push_back(std::move(name));
  }
  fields->emplace_back("LocalVolumes", tmpl::Value::String(absl::StrCat(volumes)));
  fields->emplace_back("Mounts", tmpl::Value::String(absl::StrJoin(names, ",")));
}

// Docker's ps formatting context: what `--format` templates see, fields in the order `{{json
// .}}` writes them. Labels and mounts come from the container's configuration.
tmpl::Value TemplateRow(Runtime& rt, const ListedRecord& r, absl::Time now, bool no_trunc,
                        SizeText* size) {
  const ContainerState& s = r.state;
  using tmpl::Value;
  auto config = rt.state().LoadConfig(s.id);
  ContainerConfig none;
  const ContainerConfig& c = config.ok() ? *config : none;
  Value::Fields fields = {{"Command", Value::String(tmpl::GoQuote(CommandLine(s, no_trunc)))},
                          {"CreatedAt", Value::String(tmpl::GoTimeString(s.created))},
                          {"ID", Value::String(no_trunc ? s.id : s.id.substr(0, 12))},
                          {"Image", Value::String(s.image)}};
  tmpl::Methods methods;
  tmpl::AddLabels(c.labels, &fields, &methods);
  AddMounts(rt, c, no_trunc, &fields);
  fields.insert(
      fields.end(),
      {{"Names", Value::String(s.name)},
       {"Networks", Value::String(views::NetworksText(r.networks))},
       {"Ports", Value::String(views::PortsText(r.networks))},
       {"RunningFor", Value::String(absl::StrCat(HumanDuration(now - s.created), " ago"))},
       {"Size", Value::String(size != nullptr ? (*size)(s) : "0B")},
       {"State", Value::String(views::StatusName(s.status))},
       {"Status", Value::String(views::StatusText(s, now))}});
  return Value::Struct("container", std::move(fields), std::move(methods));
}

const tmpl::Value& PsHeader() {
  static const auto* header = new tmpl::Value(tmpl::HeaderMap({{"ID", "CONTAINER ID"},
                                                               {"Names", "NAMES"},
                                                               {"Image", "IMAGE"},
                                                               {"Command", "COMMAND"},
                                                               {"CreatedAt", "CREATED AT"},
                                                               {"RunningFor", "CREATED"},
                                                               {"Ports", "PORTS"},
                                                               {"State", "STATE"},
                                                               {"Status", "STATUS"},
                                                               {"Size", "SIZE"},
                                                               {"Labels", "LABELS"},
                                                               {"Mounts", "MOUNTS"},
                                                               {"LocalVolumes", "LOCAL VOLUMES"},
                                                               {"Networks", "NETWORKS"}}));
  return *header;
}

int Ps(Context& ctx, const PsFlags& flags) {
  // "json" keeps the library's summary (ContainerSummary), which has more than the template
  // context; any other --format is a template.
  auto formatter = ParseListFormat(ctx, flags.format == "json" ? "" : flags.format);
  if (!formatter) return ctx.exit_code;
  auto filter = ContainerFilter::Parse(flags.filters);
  if (!filter.ok()) {
    ctx.Fail(filter.status(), ExitCodeOf(filter.status()));
    return ctx.exit_code;
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  if (!filter->filters().empty()) {
    if (absl::Status s = filter->Resolve(*rt); !s.ok()) {
      ctx.Fail(s, ExitCodeOf(s));
      return ctx.exit_code;
    }
  }
  // A status filter, -n and -l look at every container, as in Docker.
  int last = flags.latest ? 1 : flags.last;
  bool all = flags.all || filter->WantsAll() || last >= 0;
  auto listed = rt->ListRecords(all);
  if (!listed.ok()) {
    ctx.Fail(listed.status(), 1);
    return ctx.exit_code;
  }
  std::vector<const ListedRecord*> shown;
  for (const ListedRecord& r : *listed) {  // newest first
    if (last >= 0 && static_cast<int>(shown.size()) >= last) break;
    if (filter->filters().empty() || filter->Matches(*rt, r)) shown.push_back(&r);
  }

  absl::Time now = absl::Now();
  std::string out;
  if (flags.quiet) {
    for (const ListedRecord* r : shown)
      absl::StrAppend(&out, flags.no_trunc ? r->state.id : r->state.id.substr(0, 12), "\n");
  } else if (flags.format == "json") {
    for (const ListedRecord* r : shown)
      absl::StrAppend(&out, views::ContainerSummary(r->state, now, r->networks), "\n");
  } else if (!formatter->is_default()) {
    // As Docker: a template that uses .Size measures the writable layers, as -s does.
    std::optional<SizeText> size;
    if (flags.size || absl::StrContains(flags.format, "Size")) size.emplace(*rt);
    for (const ListedRecord* r : shown) {
      tmpl::Value row = TemplateRow(*rt, *r, now, flags.no_trunc, size ? &*size : nullptr);
      if (absl::Status s = formatter->Add(row); !s.ok()) {
        ctx.Fail(s, 1);
        return ctx.exit_code;
      }
    }
    out = formatter->Finish(PsHeader());
  } else if (flags.size) {
    // -s: Docker's table with SIZE last; only then are the writable layers measured.
    SizeText size(*rt);
    Table table(
        {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES", "SIZE"});
    for (const ListedRecord* r : shown) {
      const ContainerState& s = r->state;
      table.Add({flags.no_trunc ? s.id : s.id.substr(0, 12), s.image,
                 CommandText(s, flags.no_trunc),
                 absl::StrCat(HumanDuration(now - s.created), " ago"), views::StatusText(s, now),
                 views::PortsText(r->networks), s.name, size(s)});
    }
    out = table.Render();
  } else {
    Table table({"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"});
    for (const ListedRecord* r : shown) {
      const ContainerState& s = r->state;
      table.Add({flags.no_trunc ? s.id : s.id.substr(0, 12), s.image,
                 CommandText(s, flags.no_trunc),
                 absl::StrCat(HumanDuration(now - s.created), " ago"), views::StatusText(s, now),
                 views::PortsText(r->networks), s.name});
    }
    out = table.Render();
  }
  std::cout << out;
  return 0;
}

}  // namespace

void RegisterPs(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<PsFlags>();
  CLI::App* ps = app.add_subcommand("ps", "List containers");
  ps->add_flag("-a,--all", flags->all, "Show all containers (default shows just running)");
  ps->add_flag("-q,--quiet", flags->quiet, "Only display container IDs");
  ps->add_flag("--no-trunc", flags->no_trunc, "Don't truncate output");
  AddListFormat(*ps, flags->format);
  ps->add_option("-f,--filter", flags->filters,
                 "Filter (id, name, label, exited, status, ancestor, before, since, volume, "
                 "network, health)")
      ->allow_extra_args(false);
  ps->add_option("-n,--last", flags->last, "Show the n last created containers (all states)");
  ps->add_flag("-l,--latest", flags->latest, "Show the latest created container");
  ps->add_flag("-s,--size", flags->size, "Display total file sizes");
  ps->callback([&ctx, flags] { ctx.exit_code = Ps(ctx, *flags); });
}

}  // namespace mydocker::cli
