// mydocker inspect CONTAINER...  (a JSON array, shaped like Docker's, with the OCI config)
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli_util.h"
#include "commands.h"
#include "json_fields.h"
#include "rapidjson/prettywriter.h"
#include "rapidjson/stringbuffer.h"

namespace mydocker::cli {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void WriteState(Writer& w, const ContainerState& s) {
  w.Key("State");
  w.StartObject();
  Str(w, "Status", DockerStatusName(s.status));
  w.Key("Running");
  w.Bool(s.IsActive());
  w.Key("Paused");
  w.Bool(s.status == ContainerStatus::kPaused);
  w.Key("OOMKilled");
  w.Bool(s.oom_killed);
  w.Key("Pid");
  w.Int(s.IsActive() ? s.init.pid : 0);
  w.Key("ExitCode");
  if (s.exit_code) {
    w.Int(*s.exit_code);
  } else {
    w.Null();  // unknown: the end was not observed
  }
  Str(w, "Error", s.error);
  Str(w, "StartedAt", FormatRfc3339(s.started));
  Str(w, "FinishedAt", FormatRfc3339(s.finished));
  w.Key("MonitorPid");
  w.Int(s.IsActive() ? s.monitor.pid : 0);
  w.EndObject();
}

void WriteHostConfig(Writer& w, const ContainerState& s, const ContainerConfig& c) {
  const LinuxResources& r = c.linux_spec.resources;
  w.Key("HostConfig");
  w.StartObject();
  w.Key("Memory");
  w.Int64(r.memory.limit.value_or(0));
  w.Key("MemorySwap");
  w.Int64(r.memory.swap.value_or(0));
  w.Key("NanoCpus");
  w.Int64(r.cpu.quota && r.cpu.period && *r.cpu.period > 0
              ? *r.cpu.quota * 1000000000 / static_cast<int64_t>(*r.cpu.period)
              : 0);
  w.Key("CpuShares");
  w.Uint64(r.cpu.shares.value_or(0));
  Str(w, "CpusetCpus", r.cpu.cpus);
  Str(w, "CpusetMems", r.cpu.mems);
  w.Key("PidsLimit");
  w.Int64(r.pids.limit.value_or(0));
  Str(w, "CgroupPath", s.cgroup_path);
  w.Key("AutoRemove");
  w.Bool(s.auto_remove);
  w.EndObject();
}

std::string Inspect(const ContainerState& s, const ContainerConfig& c) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 4);
  w.StartObject();
  Str(w, "Id", s.id);
  Str(w, "Created", FormatRfc3339(s.created));
  Str(w, "Path", c.process.args.empty() ? "" : c.process.args[0]);
  Strings(w, "Args",
          c.process.args.empty()
              ? std::vector<std::string>{}
              : std::vector<std::string>(c.process.args.begin() + 1, c.process.args.end()));
  WriteState(w, s);
  Str(w, "Image", s.image_id);
  Str(w, "LogPath", s.log_path);
  Str(w, "Name", absl::StrCat("/", s.name));
  WriteHostConfig(w, s, c);
  w.Key("GraphDriver");
  w.StartObject();
  Str(w, "Name", "overlay");
  w.Key("Data");
  w.StartObject();
  Str(w, "LowerDir", absl::StrJoin(c.root.lower_dirs, ":"));
  Str(w, "UpperDir", c.root.upper_dir);
  Str(w, "WorkDir", c.root.work_dir);
  Str(w, "MergedDir", c.root.path);
  w.EndObject();
  w.EndObject();
  w.Key("Config");
  w.StartObject();
  Str(w, "Hostname", c.hostname);
  Strings(w, "Env", c.process.env);
  Strings(w, "Cmd", c.process.args);
  Str(w, "Image", s.image);
  Str(w, "WorkingDir", c.process.cwd);
  w.Key("Tty");
  w.Bool(c.process.terminal);
  w.EndObject();
  // The full OCI-shaped configuration the container runs with.
  std::string spec = ConfigToJson(c);
  w.Key("Spec");
  w.RawValue(spec.c_str(), spec.size(), rapidjson::kObjectType);
  w.EndObject();
  return buf.GetString();
}

}  // namespace

void RegisterInspect(CLI::App& app, Context& ctx) {
  auto refs = std::make_shared<std::vector<std::string>>();
  CLI::App* inspect = app.add_subcommand("inspect", "Show low-level information on containers");
  inspect->add_option("containers", *refs, "Containers")->required();
  inspect->callback([&ctx, refs] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    std::vector<std::string> objects;
    for (const std::string& ref : *refs) {
      auto container = rt->Get(ref);
      absl::StatusOr<ContainerState> state =
          container.ok() ? (*container)->State() : container.status();
      absl::StatusOr<ContainerConfig> config = state.ok() ? (*container)->Config() : state.status();
      if (!config.ok()) {
        ctx.Fail(config.status(), 1);
        continue;
      }
      objects.push_back(Inspect(*state, *config));
    }
    std::cout << "[" << absl::StrJoin(objects, ",\n") << "]\n";
  });
}

}  // namespace mydocker::cli
