// mydocker ps [-a] [-q] [--no-trunc] [--format json|TEMPLATE]
#include <algorithm>
#include <functional>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli_util.h"
#include "commands.h"
#include "format.h"
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
  int last = -1;
  std::string format;
  std::vector<std::string> filters;  // KEY=VALUE
};

// Docker's rule: values of one key are alternatives, different keys must all match.
struct Filters {
  std::vector<std::string> status, name, id, health;
};

absl::StatusOr<Filters> ParseFilters(const std::vector<std::string>& specs) {
  static const char* const kStatuses[] = {"created", "running", "paused", "restarting", "exited"};
  Filters f;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    std::string key = spec.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : spec.substr(eq + 1);
    if (eq == std::string::npos || value.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("bad filter \"", spec, "\": want KEY=VALUE"));
    }
    if (key == "status") {
      if (std::find(std::begin(kStatuses), std::end(kStatuses), value) == std::end(kStatuses)) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid filter status=", value,
                         ": want created, running, paused, restarting or exited"));
      }
      f.status.push_back(value);
    } else if (key == "health") {
      static const char* const kHealth[] = {"starting", "healthy", "unhealthy", "none"};
      if (std::find(std::begin(kHealth), std::end(kHealth), value) == std::end(kHealth)) {
        return absl::InvalidArgumentError(
            absl::StrCat("Unrecognised filter value for health: ", value));
      }
      f.health.push_back(value);
    } else if (key == "name") {
      f.name.push_back(value);
    } else if (key == "id") {
      f.id.push_back(value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("invalid filter \"", key, "\""));
    }
  }
  return f;
}

bool AnyOf(const std::vector<std::string>& values,
           const std::function<bool(const std::string&)>& pred) {
  return values.empty() || std::any_of(values.begin(), values.end(), pred);
}

// Docker's health filter: the check's status, "none" without a health check.
std::string HealthName(const ContainerState& s) { return s.health ? s.health->status : "none"; }

bool Matches(const Filters& f, const ContainerState& s) {
  return AnyOf(f.status, [&](const std::string& v) { return v == views::StatusName(s.status); }) &&
         AnyOf(f.name, [&](const std::string& v) { return absl::StrContains(s.name, v); }) &&
         AnyOf(f.id, [&](const std::string& v) { return absl::StartsWith(s.id, v); }) &&
         AnyOf(f.health, [&](const std::string& v) { return v == HealthName(s); });
}

std::string CommandLine(const ContainerState& s, bool no_trunc) {
  std::string cmd = absl::StrJoin(s.command, " ");
  if (!no_trunc && cmd.size() > 20) cmd = cmd.substr(0, 19) + "…";
  return cmd;
}

std::string CommandText(const ContainerState& s, bool no_trunc) {
  return absl::StrCat("\"", CommandLine(s, no_trunc), "\"");
}

// Docker's ps formatting context: what `--format` templates see, fields in the order `{{json
// .}}` writes them.
tmpl::Value TemplateRow(const ListedRecord& r, absl::Time now, bool no_trunc) {
  const ContainerState& s = r.state;
  using tmpl::Value;
  return Value::Struct(
      "container",
      {{"Command", Value::String(tmpl::GoQuote(CommandLine(s, no_trunc)))},
       {"CreatedAt", Value::String(tmpl::GoTimeString(s.created))},
       {"ID", Value::String(no_trunc ? s.id : s.id.substr(0, 12))},
       {"Image", Value::String(s.image)},
       {"Names", Value::String(s.name)},
       {"Networks", Value::String(views::NetworksText(r.networks))},
       {"Ports", Value::String(views::PortsText(r.networks))},
       {"RunningFor", Value::String(absl::StrCat(HumanDuration(now - s.created), " ago"))},
       {"State", Value::String(views::StatusName(s.status))},
       {"Status", Value::String(views::StatusText(s, now))}});
}

const tmpl::Value& TemplateHeader() {
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
  auto filters = ParseFilters(flags.filters);
  if (!filters.ok()) {
    ctx.Fail(filters.status(), 1);
    return ctx.exit_code;
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  // A status filter, -n and -l look at every container, as in Docker.
  int last = flags.latest ? 1 : flags.last;
  bool all = flags.all || !filters->status.empty() || last >= 0;
  auto listed = rt->ListRecords(all);
  if (!listed.ok()) {
    ctx.Fail(listed.status(), 1);
    return ctx.exit_code;
  }
  std::vector<const ListedRecord*> shown;
  for (const ListedRecord& r : *listed) {  // newest first
    if (last >= 0 && static_cast<int>(shown.size()) >= last) break;
    if (Matches(*filters, r.state)) shown.push_back(&r);
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
    for (const ListedRecord* r : shown) {
      if (absl::Status s = formatter->Add(TemplateRow(*r, now, flags.no_trunc)); !s.ok()) {
        ctx.Fail(s, 1);
        return ctx.exit_code;
      }
    }
    out = formatter->Finish(TemplateHeader());
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
  ps->add_option("-f,--filter", flags->filters, "Filter (status=..., name=..., id=..., health=...)")
      ->allow_extra_args(false);
  ps->add_option("-n,--last", flags->last, "Show the n last created containers (all states)");
  ps->add_flag("-l,--latest", flags->latest, "Show the latest created container");
  ps->callback([&ctx, flags] { ctx.exit_code = Ps(ctx, *flags); });
}

}  // namespace mydocker::cli
