// mydocker stats [--no-stream] [--format json|TEMPLATE] [CONTAINER...]
//
// CPU % is the growth of the cgroup's CPU time between two samples over the wall time between
// them, as a percentage of one CPU (Docker's meaning), so every figure needs two samples a
// second apart: --no-stream prints once after that second, streaming refreshes every second.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli_util.h"
#include "commands.h"
#include "format.h"
#include "mydocker/fs_util.h"
#include "mydocker/views.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "usage_format.h"

namespace mydocker::cli {
namespace {

constexpr absl::Duration kInterval = absl::Seconds(1);

struct StatsFlags {
  bool no_stream = false;
  std::string format;
  std::vector<std::string> containers;
};

struct Target {
  std::string label;  // what the user named it by, else the short id (Docker's "Container")
  std::unique_ptr<Container> container;
};

// One container at one moment. `stats` is empty when it is not running.
struct Sample {
  std::string id;
  std::string name;
  std::optional<CgroupStats> stats;
  std::chrono::steady_clock::time_point at;
};

// The figures of one row, from a sample and the one before it.
struct StatsRow {
  std::string label, id, name;
  bool running = false;
  double cpu_percent = 0;
  uint64_t cpu_usage_ns = 0;
  uint64_t mem_usage = 0;
  uint64_t mem_limit = 0;  // the cgroup's, or the host's memory when unlimited
  bool mem_limited = false;
  double mem_percent = 0;
  uint64_t pids = 0;
  std::optional<uint64_t> pids_limit;
  uint64_t oom_kills = 0;
  uint64_t net_rx = 0, net_tx = 0;
  uint64_t block_read = 0, block_write = 0;
};

uint64_t HostMemTotal() {
  auto meminfo = ReadFile("/proc/meminfo");
  return meminfo.ok() ? ParseMemTotal(*meminfo).value_or(0) : 0;
}

Sample Take(Container& c) {
  Sample s;
  s.id = c.id();
  auto state = c.State();
  if (state.ok()) s.name = state->name;
  if (state.ok() && state->IsActive()) {
    // It may stop between the two reads: then it is simply not running.
    auto stats = c.Stats();
    if (stats.ok()) s.stats = *stats;
  }
  s.at = std::chrono::steady_clock::now();
  return s;
}

StatsRow MakeRow(const std::string& label, const Sample& now, const Sample* before,
                 uint64_t host_mem) {
  StatsRow r;
  r.label = label;
  r.id = now.id;
  r.name = now.name;
  if (!now.stats) return r;
  const CgroupStats& s = *now.stats;
  r.running = true;
  r.cpu_usage_ns = s.cpu_usage_ns;
  if (before != nullptr && before->stats) {
    r.cpu_percent = CpuPercent(before->stats->cpu_usage_ns, s.cpu_usage_ns,
                               absl::FromChrono(now.at - before->at));
  }
  r.mem_usage = s.memory_usage;
  r.mem_limited = s.memory_limit.has_value();
  r.mem_limit = s.memory_limit.value_or(host_mem);
  r.mem_percent = MemPercent(r.mem_usage, r.mem_limit);
  r.pids = s.pids_current;
  r.pids_limit = s.pids_limit;
  r.oom_kills = s.oom_kills;
  r.net_rx = s.net_rx_bytes;
  r.net_tx = s.net_tx_bytes;
  r.block_read = s.block_read_bytes;
  r.block_write = s.block_write_bytes;
  return r;
}

std::string MemUsageText(const StatsRow& r) {
  return absl::StrCat(BinarySize(r.mem_usage), " / ", BinarySize(r.mem_limit));
}

// Docker's NET I/O and BLOCK I/O: in / out, in decimal units ("1.05kB / 648B").
std::string InOutText(uint64_t in, uint64_t out) {
  auto size = [](uint64_t n) {
    return views::HumanSize(static_cast<int64_t>(std::min<uint64_t>(n, INT64_MAX)));
  };
  return absl::StrCat(size(in), " / ", size(out));
}

std::string NetIoText(const StatsRow& r) { return InOutText(r.net_rx, r.net_tx); }
std::string BlockIoText(const StatsRow& r) { return InOutText(r.block_read, r.block_write); }

std::string RenderTable(const std::vector<StatsRow>& rows) {
  Table table({"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O",
               "BLOCK I/O", "PIDS"});
  for (const StatsRow& r : rows) {
    table.Add({r.id.substr(0, 12), r.name, FormatPercent(r.cpu_percent), MemUsageText(r),
               FormatPercent(r.mem_percent), NetIoText(r), BlockIoText(r), absl::StrCat(r.pids)});
  }
  return table.Render();
}

// One object per row: Docker's keys (strings as its table shows them) and the raw numbers.
std::vector<std::string> JsonRows(const std::vector<StatsRow>& rows) {
  std::vector<std::string> out;
  for (const StatsRow& r : rows) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    auto str = [&](const char* key, const std::string& value) {
      w.Key(key);
      w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    };
    w.StartObject();
    str("Container", r.label);
    str("ID", r.id.substr(0, 12));
    str("Name", r.name);
    str("CPUPerc", FormatPercent(r.cpu_percent));
    str("MemUsage", MemUsageText(r));
    str("MemPerc", FormatPercent(r.mem_percent));
    str("NetIO", NetIoText(r));
    str("BlockIO", BlockIoText(r));
    str("PIDs", absl::StrCat(r.pids));
    str("FullID", r.id);
    w.Key("Running");
    w.Bool(r.running);
    w.Key("CPUPercent");
    w.Double(r.cpu_percent);
    w.Key("CPUUsageNs");
    w.Uint64(r.cpu_usage_ns);
    w.Key("MemoryUsage");
    w.Uint64(r.mem_usage);
    w.Key("MemoryLimit");
    w.Uint64(r.mem_limit);
    w.Key("MemoryLimited");
    w.Bool(r.mem_limited);
    w.Key("MemPercent");
    w.Double(r.mem_percent);
    w.Key("PidsCurrent");
    w.Uint64(r.pids);
    w.Key("PidsLimit");
    if (r.pids_limit) {
      w.Uint64(*r.pids_limit);
    } else {
      w.Null();  // unlimited
    }
    w.Key("OOMKills");
    w.Uint64(r.oom_kills);
    w.Key("NetRxBytes");
    w.Uint64(r.net_rx);
    w.Key("NetTxBytes");
    w.Uint64(r.net_tx);
    w.Key("BlockReadBytes");
    w.Uint64(r.block_read);
    w.Key("BlockWriteBytes");
    w.Uint64(r.block_write);
    w.EndObject();
    out.emplace_back(buf.GetString(), buf.GetSize());
  }
  return out;
}

std::string RenderJsonLines(const std::vector<StatsRow>& rows) {
  std::string out;
  for (const std::string& row : JsonRows(rows)) absl::StrAppend(&out, row, "\n");
  return out;
}

const tmpl::Value& StatsHeader() {
  static const auto* header = new tmpl::Value(tmpl::HeaderMap({{"Container", "CONTAINER"},
                                                               {"ID", "CONTAINER ID"},
                                                               {"Name", "NAME"},
                                                               {"CPUPerc", "CPU %"},
                                                               {"MemUsage", "MEM USAGE / LIMIT"},
                                                               {"MemPerc", "MEM %"},
                                                               {"NetIO", "NET I/O"},
                                                               {"BlockIO", "BLOCK I/O"},
                                                               {"PIDs", "PIDS"}}));
  return *header;
}

// A frame through a --format template: the rows as the JSON lines have them.
absl::StatusOr<std::string> RenderTemplate(tmpl::ListFormatter formatter,
                                           const std::vector<StatsRow>& rows) {
  for (const std::string& json : JsonRows(rows)) {
    auto row = tmpl::ValueFromJson(json, {}, "stats");
    if (!row.ok()) return row.status();
    if (absl::Status s = formatter.Add(*row); !s.ok()) return s;
  }
  return formatter.Finish(StatsHeader());
}

// The containers named, or (none named) every running one, looked up again for each refresh
// so containers started meanwhile appear.
absl::StatusOr<std::vector<Target>> Targets(Runtime& rt, const std::vector<std::string>& refs) {
  std::vector<Target> out;
  if (!refs.empty()) {
    for (const std::string& ref : refs) {
      auto c = rt.Get(ref);
      if (!c.ok()) return c.status();
      out.push_back({ref, std::move(*c)});
    }
    return out;
  }
  auto states = rt.List(/*all=*/false);
  if (!states.ok()) return states.status();
  for (const ContainerState& s : *states) {
    auto c = rt.Get(s.id);
    if (c.ok()) out.push_back({s.id.substr(0, 12), std::move(*c)});  // gone meanwhile: skip
  }
  return out;
}

int Stats(Context& ctx, const StatsFlags& flags) {
  const bool json = flags.format == "json";
  auto formatter = ParseListFormat(ctx, json ? "" : flags.format);
  if (!formatter) return ctx.exit_code;
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  const uint64_t host_mem = HostMemTotal();
  auto targets = Targets(*rt, flags.containers);
  if (!targets.ok()) {
    ctx.Fail(targets.status(), 1);
    return ctx.exit_code;
  }
  std::map<std::string, Sample> before;
  for (Target& t : *targets) before[t.container->id()] = Take(*t.container);
  while (true) {
    absl::SleepFor(kInterval);
    if (flags.containers.empty()) {
      targets = Targets(*rt, {});
      if (!targets.ok()) {
        ctx.Fail(targets.status(), 1);
        return ctx.exit_code;
      }
    }
    std::map<std::string, Sample> now;
    std::vector<StatsRow> rows;
    bool any_running = false;
    for (Target& t : *targets) {
      Sample s = Take(*t.container);
      auto prev = before.find(s.id);
      rows.push_back(MakeRow(t.label, s, prev == before.end() ? nullptr : &prev->second, host_mem));
      any_running = any_running || rows.back().running;
      now[s.id] = std::move(s);
    }
    std::string out;
    if (json) {
      out = RenderJsonLines(rows);
    } else if (formatter->is_default()) {
      out = RenderTable(rows);
    } else {
      auto formatted = RenderTemplate(*formatter, rows);
      if (!formatted.ok()) {
        ctx.Fail(formatted.status(), 1);
        return ctx.exit_code;
      }
      out = *std::move(formatted);
    }
    // Docker clears the screen before each frame of a live table.
    if (!flags.no_stream && !json) out = "\033[2J\033[H" + out;
    std::cout << out << std::flush;
    if (flags.no_stream || (!flags.containers.empty() && !any_running)) break;
    before = std::move(now);
  }
  return ctx.exit_code;
}

}  // namespace

void RegisterStats(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<StatsFlags>();
  CLI::App* stats = app.add_subcommand(
      "stats", "Display a live stream of container(s) resource usage statistics");
  stats->add_flag("--no-stream", flags->no_stream, "Print one sample and exit");
  AddListFormat(*stats, flags->format);
  stats->add_option("containers", flags->containers, "Containers (default: all running)");
  stats->callback([&ctx, flags] { ctx.exit_code = Stats(ctx, *flags); });
}

}  // namespace mydocker::cli
