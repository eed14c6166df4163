// Views of containers: `docker inspect` and `docker ps --format json`.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mydocker/resources.h"
#include "mydocker/views.h"
#include "views/view_json.h"

namespace mydocker::views {
namespace {

using json::KeyString;
using json::KeyStringArray;

void WriteState(json::Writer& w, const ContainerState& s) {
  json::Key(w, "State");
  w.StartObject();
  KeyString(w, "Status", StatusName(s.status));
  json::Key(w, "Running");
  w.Bool(s.IsActive());
  json::Key(w, "Paused");
  w.Bool(s.status == ContainerStatus::kPaused);
  json::Key(w, "Restarting");
  w.Bool(s.status == ContainerStatus::kRestarting);
  json::Key(w, "OOMKilled");
  w.Bool(s.oom_killed);
  json::Key(w, "Pid");
  w.Int(s.IsActive() ? s.init.pid : 0);
  // Docker's 0 while running (the record keeps the last run's code until the next end); null:
  // the end was not observed.
  KeyOptionalInt(w, "ExitCode", s.IsActive() ? std::optional<int>(0) : s.exit_code);
  KeyString(w, "Error", s.error);
  KeyString(w, "StartedAt", FormatRfc3339(s.started));
  KeyString(w, "FinishedAt", FormatRfc3339(s.finished));
  json::Key(w, "MonitorPid");
  w.Int(s.IsActive() ? s.monitor.pid : 0);
  if (s.health) {
    std::string health = HealthStateToJson(*s.health);
    json::Key(w, "Health");
    w.RawValue(health.data(), health.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

int64_t NanoCpus(const LinuxResources& r) {
  if (!r.cpu.quota || !r.cpu.period || *r.cpu.period == 0) return 0;
  return *r.cpu.quota * 1000000000 / static_cast<int64_t>(*r.cpu.period);
}

// The bytes of /dev/shm's tmpfs (its "size=" option: bytes, or k/m/g), Docker's ShmSize; 0
// when it is the host's (--ipc host).
int64_t ShmSize(const ContainerConfig& c) {
  for (const MountSpec& m : c.mounts) {
    if (m.destination != "/dev/shm" || m.type != "tmpfs") continue;
    for (const std::string& o : m.options) {
      if (o.rfind("size=", 0) != 0) continue;
      absl::StatusOr<int64_t> bytes = ParseMemorySize(o.substr(5));
      return bytes.ok() ? *bytes : 0;
    }
  }
  return 0;
}

// What Docker's HostConfig shows of the process options: Ulimits, Sysctls, ShmSize, GroupAdd,
// OomScoreAdj, the namespace modes, CpuPeriod, CpuQuota (also with --cpus, whose NanoCpus they
// make: the record keeps the pair only) and BlkioWeight.
void WriteProcessOptions(json::Writer& w, const ContainerConfig& c) {
  const LinuxResources& r = c.linux_spec.resources;
  json::KeyObjectArray(w, "Ulimits", c.process.rlimits, [&](const Rlimit& l) {
    KeyString(w, "Name", UlimitName(l.resource));
    json::Key(w, "Hard");
    w.Int64(static_cast<int64_t>(l.hard));  // unlimited: -1, as Docker's int64 shows it
    json::Key(w, "Soft");
    w.Int64(static_cast<int64_t>(l.soft));
  });
  json::KeyObject(w, "Sysctls", [&] {
    for (const auto& [name, value] : c.linux_spec.sysctl) KeyString(w, name, value);
  });
  json::Key(w, "ShmSize");
  w.Int64(ShmSize(c));
  std::vector<std::string> groups;
  for (uint32_t gid : c.process.user.additional_gids) groups.push_back(absl::StrCat(gid));
  KeyStringArray(w, "GroupAdd", groups);
  json::KeyInt(w, "OomScoreAdj", c.process.oom_score_adj.value_or(0));
  KeyString(w, "PidMode", c.pid_mode);
  KeyString(w, "IpcMode", c.ipc_mode.empty() ? "private" : c.ipc_mode);
  KeyString(w, "UTSMode", c.uts_mode);
  json::Key(w, "CpuPeriod");
  w.Uint64(r.cpu.period.value_or(0));
  json::Key(w, "CpuQuota");
  w.Int64(r.cpu.quota.value_or(0));
  json::Key(w, "BlkioWeight");
  w.Uint(r.block_io.weight.value_or(0));
}

// Docker's null for a list that was not given, else the list.
void KeyStringList(json::Writer& w, absl::string_view key, const std::vector<std::string>& v) {
  if (v.empty()) {
    json::Key(w, key);
    w.Null();
  } else {
    KeyStringArray(w, key, v);
  }
}

// HostConfig's Privileged, CapAdd, CapDrop, Tmpfs and VolumesFrom, as they were given.
void WritePrivileges(json::Writer& w, const CreateRecord& r) {
  json::Key(w, "Privileged");
  w.Bool(r.privileged);
  KeyStringList(w, "CapAdd", r.cap_add);
  KeyStringList(w, "CapDrop", r.cap_drop);
  if (!r.tmpfs.empty()) {
    json::KeyObject(w, "Tmpfs", [&] {
      for (const auto& [path, options] : r.tmpfs) KeyString(w, path, options);
    });
  }
  KeyStringList(w, "VolumesFrom", r.volumes_from);
}

// Docker's Mounts: the container's own binds, volumes and --mount tmpfs.
void WriteMounts(json::Writer& w, const CreateRecord& r) {
  json::KeyObjectArray(w, "Mounts", r.mount_points, [&](const MountPoint& m) {
    KeyString(w, "Type", m.type);
    if (!m.name.empty()) KeyString(w, "Name", m.name);
    KeyString(w, "Source", m.source);
    KeyString(w, "Destination", m.destination);
    if (m.type == "volume") KeyString(w, "Driver", "local");
    KeyString(w, "Mode", m.mode);
    json::Key(w, "RW");
    w.Bool(m.rw);
    KeyString(w, "Propagation", m.propagation);
  });
}

void WriteHostConfig(json::Writer& w, const ContainerState& s, const ContainerConfig& c) {
  const LinuxResources& r = c.linux_spec.resources;
  json::Key(w, "HostConfig");
  w.StartObject();
  json::Key(w, "Memory");
  w.Int64(r.memory.limit.value_or(0));
  json::Key(w, "MemorySwap");
  w.Int64(r.memory.swap.value_or(0));
  json::Key(w, "MemoryReservation");
  w.Int64(std::max<int64_t>(r.memory.reservation.value_or(0), 0));
  json::Key(w, "MemorySwappiness");  // null: the host's default, as Docker shows it
  if (r.memory.swappiness) {
    w.Uint64(*r.memory.swappiness);
  } else {
    w.Null();
  }
  json::Key(w, "OomKillDisable");
  w.Bool(r.memory.disable_oom_killer.value_or(false));
  json::Key(w, "NanoCpus");
  w.Int64(NanoCpus(r));
  json::Key(w, "CpuShares");
  w.Uint64(r.cpu.shares.value_or(0));
  KeyString(w, "CpusetCpus", r.cpu.cpus);
  KeyString(w, "CpusetMems", r.cpu.mems);
  json::Key(w, "PidsLimit");
  w.Int64(r.pids.limit.value_or(0));
  KeyString(w, "CgroupPath", s.cgroup_path);
  WriteProcessOptions(w, c);
  WritePrivileges(w, c.create_record);
  json::Key(w, "AutoRemove");
  w.Bool(s.auto_remove);
  json::Key(w, "ReadonlyRootfs");
  w.Bool(c.root.readonly);
  json::Key(w, "RestartPolicy");
  w.StartObject();
  KeyString(w, "Name", FormatRestartPolicy({c.restart_policy.name, 0}));
  json::KeyInt(w, "MaximumRetryCount", c.restart_policy.max_retries);
  w.EndObject();
  json::KeyObject(w, "LogConfig", [&] {
    KeyString(w, "Type", c.log_config.type);
    json::KeyObject(w, "Config", [&] {
      for (const auto& [key, value] : c.log_config.options) KeyString(w, key, value);
    });
  });
  w.EndObject();
}

void WriteGraphDriver(json::Writer& w, const RootSpec& root) {
  json::Key(w, "GraphDriver");
  w.StartObject();
  KeyString(w, "Name", root.storage_driver.empty() ? "overlay" : root.storage_driver);
  json::Key(w, "Data");
  w.StartObject();
  KeyString(w, "LowerDir", absl::StrJoin(root.lower_dirs, ":"));
  KeyString(w, "UpperDir", root.upper_dir);
  KeyString(w, "WorkDir", root.work_dir);
  KeyString(w, "MergedDir", root.path);
  w.EndObject();
  w.EndObject();
}

void WriteConfig(json::Writer& w, const ContainerState& s, const ContainerConfig& c) {
  json::Key(w, "Config");
  w.StartObject();
  KeyString(w, "Hostname", c.hostname);
  KeyStringArray(w, "Env", c.process.env);
  const CreateRecord& r = c.create_record;
  KeyStringArray(w, "Cmd", r.recorded ? r.cmd : c.process.args);
  KeyString(w, "Image", s.image);
  KeyString(w, "User", r.user);
  KeyStringList(w, "Entrypoint", r.entrypoint);
  KeyString(w, "WorkingDir", c.process.cwd);
  json::Key(w, "Tty");
  w.Bool(c.process.terminal);
  json::Key(w, "OpenStdin");
  w.Bool(c.process.open_stdin);
  // Docker leaves both out unless set (--stop-signal or the image's STOPSIGNAL, --stop-timeout).
  if (!c.stop_signal.empty()) KeyString(w, "StopSignal", c.stop_signal);
  if (c.stop_timeout) json::KeyInt(w, "StopTimeout", *c.stop_timeout);
  if (c.healthcheck) {
    std::string check = HealthConfigToJson(*c.healthcheck);
    json::Key(w, "Healthcheck");
    w.RawValue(check.data(), check.size(), rapidjson::kObjectType);
  }
  json::KeyObject(w, "Labels", [&] {
    for (const auto& [key, value] : c.labels) KeyString(w, key, value);
  });
  w.EndObject();
}

// The address part of NetworkSettings, at its top and under each of its Networks.
void WriteAddress(json::Writer& w, const NetworkAttachment& n) {
  size_t slash = n.subnet.find('/');
  KeyString(w, "IPAddress", n.ip);
  json::KeyInt(w, "IPPrefixLen",
               slash == std::string::npos ? 0 : std::atoi(n.subnet.c_str() + slash + 1));
  KeyString(w, "Gateway", n.gateway);
  KeyString(w, "MacAddress", n.mac);
}

std::string NetworkName(const NetworkAttachment& n) { return n.host ? "host" : n.network; }

// Docker's NetworkSettings: the container's address on its first network, its published
// ports ("80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]) and each of its networks.
void WriteNetworkSettings(json::Writer& w, const std::vector<NetworkAttachment>& networks) {
  const NetworkAttachment none;
  const NetworkAttachment& first = networks.empty() ? none : networks[0];
  json::KeyObject(w, "NetworkSettings", [&] {
    WriteAddress(w, first);
    json::KeyObject(w, "Ports", [&] {
      for (const NetworkAttachment& n : networks) {
        for (const PortMapping& p : n.ports) {
          std::vector<int> one = {0};
          json::KeyObjectArray(w, absl::StrCat(p.container_port, "/", p.protocol), one, [&](int) {
            KeyString(w, "HostIp", p.host_ip.empty() ? "0.0.0.0" : p.host_ip);
            KeyString(w, "HostPort", absl::StrCat(p.host_port));
          });
        }
      }
    });
    json::KeyObject(w, "Networks", [&] {
      for (const NetworkAttachment& n : networks) {
        if (NetworkName(n).empty()) continue;
        json::KeyObject(w, NetworkName(n), [&] {
          WriteAddress(w, n);
          KeyStringArray(w, "Aliases", n.aliases);
        });
      }
    });
  });
}

}  // namespace

std::string PortsText(const std::vector<NetworkAttachment>& networks) {
  std::vector<std::string> parts;
  for (const NetworkAttachment& n : networks) {
    for (const PortMapping& p : n.ports) {
      parts.push_back(absl::StrCat(p.host_ip.empty() ? "0.0.0.0" : p.host_ip, ":", p.host_port,
                                   "->", p.container_port, "/", p.protocol));
    }
  }
  return absl::StrJoin(parts, ", ");
}

std::string NetworksText(const std::vector<NetworkAttachment>& networks) {
  std::vector<std::string> names;
  for (const NetworkAttachment& n : networks) {
    if (!NetworkName(n).empty()) names.push_back(NetworkName(n));
  }
  return names.empty() ? "none" : absl::StrJoin(names, ",");
}

std::string HumanDuration(absl::Duration d) {
  int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return absl::StrCat(seconds, " seconds");
  int64_t minutes = absl::ToInt64Minutes(d);
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return absl::StrCat(minutes, " minutes");
  int64_t hours = static_cast<int64_t>(std::llround(absl::ToDoubleHours(d)));
  if (hours == 1) return "About an hour";
  if (hours < 48) return absl::StrCat(hours, " hours");
  if (hours < 24 * 7 * 2) return absl::StrCat(hours / 24, " days");
  if (hours < 24 * 30 * 2) return absl::StrCat(hours / 24 / 7, " weeks");
  if (hours < 24 * 365 * 2) return absl::StrCat(hours / 24 / 30, " months");
  return absl::StrCat(hours / 24 / 365, " years");
}

std::string StatusName(ContainerStatus status) {
  return status == ContainerStatus::kStopped ? "exited" : std::string(ContainerStatusName(status));
}

namespace {

// Docker's " (healthy)", " (unhealthy)", " (health: starting)" after "Up ...".
std::string HealthSuffix(const ContainerState& s) {
  if (!s.health) return "";
  if (s.health->status == kHealthStarting) return " (health: starting)";
  return absl::StrCat(" (", s.health->status, ")");
}

}  // namespace

std::string StatusText(const ContainerState& s, absl::Time now) {
  switch (s.status) {
    case ContainerStatus::kRunning:
      return absl::StrCat("Up ", HumanDuration(now - s.started), HealthSuffix(s));
    case ContainerStatus::kPaused:
      return absl::StrCat("Up ", HumanDuration(now - s.started), " (Paused)");
    case ContainerStatus::kStopped:
    case ContainerStatus::kRestarting: {
      std::string code = s.exit_code ? absl::StrCat(*s.exit_code) : "unknown";
      const char* what = s.status == ContainerStatus::kStopped ? "Exited (" : "Restarting (";
      if (s.finished == absl::InfinitePast()) return absl::StrCat(what, code, ")");
      return absl::StrCat(what, code, ") ", HumanDuration(now - s.finished), " ago");
    }
    case ContainerStatus::kCreated:
      return "Created";
  }
  return "";
}

std::string ContainerInspect(const ContainerState& s, const ContainerConfig& c, JsonStyle style,
                             const std::vector<NetworkAttachment>& networks) {
  const std::vector<std::string>& args = c.process.args;
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  KeyString(w, "Id", s.id);
  KeyString(w, "Created", FormatRfc3339(s.created));
  KeyString(w, "Path", args.empty() ? "" : args[0]);
  KeyStringArray(w, "Args",
                 args.empty() ? std::vector<std::string>{}
                              : std::vector<std::string>(args.begin() + 1, args.end()));
  WriteState(w, s);
  KeyString(w, "Image", s.image_id);
  json::KeyInt(w, "RestartCount", s.restart_count);
  KeyString(w, "LogPath", s.log_path);
  KeyString(w, "Name", absl::StrCat("/", s.name));
  WriteHostConfig(w, s, c);
  WriteGraphDriver(w, c.root);
  WriteMounts(w, c.create_record);
  WriteConfig(w, s, c);
  WriteNetworkSettings(w, networks);
  std::string spec = ConfigToJson(c);  // the whole OCI-shaped configuration
  json::Key(w, "Spec");
  w.RawValue(spec.c_str(), spec.size(), rapidjson::kObjectType);
  w.EndObject();
  return Styled(buf, style);
}

std::string ProcessList(const std::vector<ProcessInfo>& processes) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartArray();
  for (const ProcessInfo& p : processes) {
    w.StartObject();
    json::KeyInt(w, "pid", p.pid);
    json::KeyInt(w, "ppid", p.ppid);
    json::KeyUint(w, "uid", p.uid);
    json::KeyString(w, "state", absl::string_view(&p.state, 1));
    json::Key(w, "cpuSeconds");
    w.Double(p.cpu_seconds);
    json::KeyString(w, "command", p.command);
    w.EndObject();
  }
  w.EndArray();
  return Styled(buf, JsonStyle::kCompact);
}

std::string ContainerSummary(const ContainerState& s, absl::Time now,
                             const std::vector<NetworkAttachment>& networks) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  KeyString(w, "ID", s.id);
  KeyString(w, "Names", s.name);
  KeyString(w, "Image", s.image);
  KeyString(w, "ImageID", s.image_id);
  KeyString(w, "Command", absl::StrJoin(s.command, " "));
  KeyString(w, "CreatedAt", FormatRfc3339(s.created));
  KeyString(w, "State", StatusName(s.status));
  KeyString(w, "Status", StatusText(s, now));
  json::Key(w, "Pid");
  w.Int(s.IsActive() ? s.init.pid : 0);
  KeyOptionalInt(w, "ExitCode", s.exit_code);
  KeyString(w, "Ports", PortsText(networks));
  KeyString(w, "Networks", NetworksText(networks));
  w.EndObject();
  return Styled(buf, JsonStyle::kCompact);
}

}  // namespace mydocker::views
