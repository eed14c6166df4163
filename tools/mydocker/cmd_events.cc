// mydocker events [--since T] [--until T] [-f KEY=VALUE]... [--format json|TEMPLATE]
//
// The events of the state root's journal (mydocker/events.h): with --since or --until those
// already recorded from then on, then (unless --until has passed) new ones as they come, until
// --until or an interrupt. Docker's filters: type, event, container, image, label, volume,
// network.
#include <iostream>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "commands.h"
#include "mydocker/events.h"
#include "mydocker/logs.h"
#include "mydocker/status_macros.h"
#include "mydocker/utf8.h"
#include "template/formatter.h"

namespace mydocker::cli {
namespace {

struct EventsFlags {
  std::string since, until, format;
  std::vector<std::string> filters;
};

std::string Attribute(const Event& e, const std::string& key) {
  auto it = e.attributes.find(key);
  return it == e.attributes.end() ? "" : it->second;
}

// Docker's default line: "2024-05-01T12:00:00.000000000Z container start ID (image=busybox,
// name=web)", in local time.
std::string Pretty(const Event& e) {
  std::string time = absl::FormatTime("%Y-%m-%d%ET%H:%M:%E9S%Ez", e.time, absl::LocalTimeZone());
  if (absl::EndsWith(time, "+00:00")) time.replace(time.size() - 6, 6, "Z");
  std::string out = absl::StrCat(time, " ", e.type, " ", e.action, " ", e.id);
  if (!e.attributes.empty()) {
    std::vector<std::string> attributes;
    for (const auto& [k, v] : e.attributes) attributes.push_back(absl::StrCat(k, "=", v));
    absl::StrAppend(&out, " (", absl::StrJoin(attributes, ", "), ")");
  }
  return Printable(out);
}

// Docker's events.Message as a template sees it.
tmpl::Value TemplateValue(const Event& e) {
  using tmpl::Value;
  Value::Fields attributes;
  for (const auto& [k, v] : e.attributes) attributes.emplace_back(k, Value::String(v));
  std::string from = e.type == "container" ? Attribute(e, "image") : "";
  return Value::Struct(
      "event",
      {{"Status", Value::String(e.action)},
       {"ID", Value::String(e.id)},
       {"From", Value::String(from)},
       {"Type", Value::String(e.type)},
       {"Action", Value::String(e.action)},
       {"Actor", Value::Struct("Actor", {{"ID", Value::String(e.id)},
                                         {"Attributes", Value::Map(std::move(attributes))}})},
       {"Scope", Value::String("local")},
       {"Time", Value::Int(absl::ToUnixSeconds(e.time))},
       {"TimeNano", Value::Int(absl::ToUnixNanos(e.time))}});
}

int Events(Context& ctx, const EventsFlags& flags) {
  auto filter = EventFilter::Parse(flags.filters);
  if (!filter.ok()) {
    ctx.Fail(filter.status(), ExitCodeOf(filter.status()));
    return ctx.exit_code;
  }
  std::optional<tmpl::Template> tmpl;
  if (!flags.format.empty() && flags.format != "json") {
    auto parsed = tmpl::Template::Parse(flags.format);
    if (!parsed.ok()) {
      ctx.Fail(tmpl::TemplateParsingError(parsed.status()), 1);
      return ctx.exit_code;
    }
    tmpl = *std::move(parsed);
  }
  absl::Time now = absl::Now();
  EventQuery query;
  for (const auto& [flag, value, out] : {std::tuple{"--since", &flags.since, &query.since},
                                         std::tuple{"--until", &flags.until, &query.until}}) {
    if (value->empty()) continue;
    auto t = ParseLogTime(*value, now);
    if (!t.ok()) {
      ctx.Fail(absl::InvalidArgumentError(absl::StrCat(flag, ": ", t.status().message())), 1);
      return ctx.exit_code;
    }
    *out = *t;
  }
  // Without --since or --until only what happens from now on, as Docker's.
  if (flags.since.empty() && flags.until.empty()) query.since = now;
  query.follow = query.until > now;
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  absl::Status s = ReadEvents(rt->state().root(), query, [&](const Event& e) {
    if (!filter->Matches(e)) return true;
    std::string line;
    if (flags.format == "json") {
      line = EventToJson(e);
    } else if (tmpl) {
      if (absl::Status failed = tmpl->Execute(TemplateValue(e), &line); !failed.ok()) {
        ctx.Fail(tmpl::TemplateParsingError(failed), 1);
        return false;
      }
    } else {
      line = Pretty(e);
    }
    std::cout << line << "\n" << std::flush;
    return static_cast<bool>(std::cout);
  });
  if (!s.ok()) ctx.Fail(s, 1);
  return ctx.exit_code;
}

}  // namespace

void RegisterEvents(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<EventsFlags>();
  CLI::App* events = app.add_subcommand("events", "Get real time events from the server");
  events->add_option("--since", flags->since,
                     "Show events since a time (2013-01-02T13:23:37Z, Unix seconds) or for a "
                     "duration (10m)");
  events->add_option("--until", flags->until, "Stream events until this time");
  events
      ->add_option("-f,--filter", flags->filters,
                   "Filter (type, event, container, image, label, volume, network)")
      ->allow_extra_args(false);
  events->add_option("--format", flags->format,
                     "Format output: json or a Go template (docs/templates.md)");
  events->callback([&ctx, flags] { ctx.exit_code = Events(ctx, *flags); });
}

}  // namespace mydocker::cli
