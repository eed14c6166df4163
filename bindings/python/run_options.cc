#include "run_options.h"

#include <pybind11/stl.h>

#include "absl/strings/str_cat.h"
#include "mydocker/resources.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

[[noreturn]] void Invalid(const std::string& message) {
  ThrowStatus(absl::InvalidArgumentError(message));
}

std::vector<std::string> ToStrings(const py::object& seq, const char* what) {
  if (py::isinstance<py::str>(seq) || py::isinstance<py::bytes>(seq) ||
      !py::isinstance<py::iterable>(seq)) {
    throw py::type_error(absl::StrCat(what, " must be a sequence of str"));
  }
  return seq.cast<std::vector<std::string>>();
}

std::vector<std::string> ToVolumes(const py::object& volumes) {
  if (volumes.is_none()) return {};
  if (!py::isinstance<py::dict>(volumes)) return ToStrings(volumes, "volumes");
  // {source: destination} or {source: {"bind": destination, "mode": "ro"}}, as docker-py takes.
  std::vector<std::string> specs;
  for (auto [source, target] : volumes.cast<py::dict>()) {
    std::string spec = absl::StrCat(source.cast<std::string>(), ":");
    if (py::isinstance<py::dict>(target)) {
      py::dict t = target.cast<py::dict>();
      if (!t.contains("bind")) Invalid("a volume mapping needs a \"bind\" destination");
      absl::StrAppend(&spec, t["bind"].cast<std::string>());
      if (t.contains("mode")) absl::StrAppend(&spec, ":", t["mode"].cast<std::string>());
    } else {
      absl::StrAppend(&spec, target.cast<std::string>());
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

std::optional<int64_t> ToMemory(const py::object& memory, const char* what) {
  if (memory.is_none()) return std::nullopt;
  if (py::isinstance<py::str>(memory)) {
    return ValueOrThrow(ParseMemorySize(memory.cast<std::string>()));
  }
  if (py::isinstance<py::int_>(memory) && !py::isinstance<py::bool_>(memory)) {
    int64_t bytes = memory.cast<int64_t>();
    if (bytes <= 0) Invalid(absl::StrCat("invalid ", what, " limit ", bytes));
    return bytes;
  }
  throw py::type_error(
      absl::StrCat(what, " must be a number of bytes (int) or a size such as \"64m\""));
}

// memory+swap: a size as for memory, or -1 (or "-1") for unlimited swap.
std::optional<int64_t> ToMemorySwap(const py::object& swap) {
  if (py::isinstance<py::str>(swap) && swap.cast<std::string>() == "-1") return -1;
  if (py::isinstance<py::int_>(swap) && !py::isinstance<py::bool_>(swap) &&
      swap.cast<int64_t>() == -1) {
    return -1;
  }
  return ToMemory(swap, "memory_swap");
}

void SetCpus(const py::object& cpus, LinuxResources& resources) {
  if (cpus.is_none()) return;
  std::string text;
  if (py::isinstance<py::str>(cpus)) {
    text = cpus.cast<std::string>();
  } else if ((py::isinstance<py::int_>(cpus) || py::isinstance<py::float_>(cpus)) &&
             !py::isinstance<py::bool_>(cpus)) {
    text = py::str(cpus).cast<std::string>();  // repr of a float: shortest exact form
  } else {
    throw py::type_error("cpus must be a number or a str such as \"1.5\"");
  }
  auto [quota, period] = ValueOrThrow(ParseCpus(text));
  resources.cpu.quota = quota;
  resources.cpu.period = period;
}

// Docker's units and rules; the core checks the limits against each other and the machine.
LinuxResources ToResources(const ResourceArgs& args) {
  LinuxResources r;
  r.memory.limit = ToMemory(args.memory, "memory");
  r.memory.swap = ToMemorySwap(args.memory_swap);
  SetCpus(args.cpus, r);
  if (args.cpu_shares.has_value()) {
    if (*args.cpu_shares <= 0) Invalid(absl::StrCat("invalid cpu shares ", *args.cpu_shares));
    r.cpu.shares = static_cast<uint64_t>(*args.cpu_shares);
  }
  if (args.pids_limit.has_value()) {
    if (*args.pids_limit < -1) Invalid(absl::StrCat("invalid pids limit ", *args.pids_limit));
    if (*args.pids_limit > 0) r.pids.limit = *args.pids_limit;
  }
  return r;
}

// One -p spec per host binding: docker-py's {"80/tcp": 8080, "53/udp": ("127.0.0.1", 53),
// 81: None (a free port), "82": [8082, 8083]}, or a sequence of -p specs as the CLI takes.
std::vector<std::string> ToPublish(const py::object& ports) {
  if (ports.is_none()) return {};
  if (!py::isinstance<py::dict>(ports)) return ToStrings(ports, "ports");
  std::vector<std::string> specs;
  auto add = [&](const std::string& target, const py::handle& host) {
    if (host.is_none()) {
      specs.push_back(target);
    } else if (py::isinstance<py::tuple>(host)) {
      auto t = host.cast<py::tuple>();
      if (t.size() != 2) Invalid("ports: a host binding tuple is (ip, port)");
      std::string port = t[1].is_none() ? "" : py::str(t[1]).cast<std::string>();
      specs.push_back(absl::StrCat(t[0].cast<std::string>(), ":", port, ":", target));
    } else {
      specs.push_back(absl::StrCat(py::str(host).cast<std::string>(), ":", target));
    }
  };
  for (auto [key, value] : ports.cast<py::dict>()) {
    std::string target = py::str(key).cast<std::string>();
    if (py::isinstance<py::list>(value)) {
      for (py::handle host : value.cast<py::list>()) add(target, host);
    } else {
      add(target, value);
    }
  }
  return specs;
}

std::vector<std::string> ToExtraHosts(const py::object& hosts) {
  if (hosts.is_none()) return {};
  if (!py::isinstance<py::dict>(hosts)) return ToStrings(hosts, "extra_hosts");
  std::vector<std::string> out;
  for (auto [name, ip] : hosts.cast<py::dict>()) {
    out.push_back(absl::StrCat(name.cast<std::string>(), ":", ip.cast<std::string>()));
  }
  return out;
}

NetworkOptions ToNetwork(const RunArgs& args) {
  NetworkOptions n;
  if (!args.network.is_none()) n.mode = args.network.cast<std::string>();
  n.publish = ToPublish(args.ports);
  n.publish_all = args.publish_all_ports;
  if (!args.dns.is_none()) n.dns = ToStrings(args.dns, "dns");
  n.add_hosts = ToExtraHosts(args.extra_hosts);
  return n;
}

// docker-py's tmpfs={"/run": "size=64m"} or a list of --tmpfs specs.
std::vector<std::string> ToTmpfs(const py::object& tmpfs) {
  if (tmpfs.is_none()) return {};
  if (!py::isinstance<py::dict>(tmpfs)) return ToStrings(tmpfs, "tmpfs");
  std::vector<std::string> out;
  for (auto [path, options] : tmpfs.cast<py::dict>()) {
    std::string spec = path.cast<std::string>();
    std::string opts = options.is_none() ? "" : options.cast<std::string>();
    out.push_back(opts.empty() ? spec : absl::StrCat(spec, ":", opts));
  }
  return out;
}

// A key of docker-py's healthcheck dict, or its Docker API spelling; None when absent.
py::object HealthKey(const py::dict& d, const char* key, const char* api_key) {
  if (d.contains(key)) return d[key];
  if (d.contains(api_key)) return d[api_key];
  return py::none();
}

absl::Duration HealthDuration(const py::dict& d, const char* key, const char* api_key) {
  py::object v = HealthKey(d, key, api_key);
  return v.is_none() ? absl::ZeroDuration() : absl::Nanoseconds(v.cast<int64_t>());
}

// docker-py's healthcheck: a str test is run by the shell (CMD-SHELL), as docker-py does.
std::optional<HealthConfig> ToHealthcheck(const py::object& healthcheck) {
  if (healthcheck.is_none()) return std::nullopt;
  if (!py::isinstance<py::dict>(healthcheck)) {
    throw py::type_error("healthcheck must be a dict such as {'test': ['CMD', 'true']}");
  }
  py::dict d = healthcheck.cast<py::dict>();
  HealthConfig out;
  py::object test = HealthKey(d, "test", "Test");
  if (py::isinstance<py::str>(test)) {
    out.test = {"CMD-SHELL", test.cast<std::string>()};
  } else if (!test.is_none()) {
    out.test = ToStrings(test, "healthcheck test");
  }
  out.interval = HealthDuration(d, "interval", "Interval");
  out.timeout = HealthDuration(d, "timeout", "Timeout");
  out.start_period = HealthDuration(d, "start_period", "StartPeriod");
  out.start_interval = HealthDuration(d, "start_interval", "StartInterval");
  py::object retries = HealthKey(d, "retries", "Retries");
  if (!retries.is_none()) out.retries = retries.cast<int>();
  return out;
}

}  // namespace

std::vector<std::string> ToArgv(const py::object& command) {
  if (command.is_none()) return {};
  if (py::isinstance<py::str>(command)) {
    return py::module_::import("shlex").attr("split")(command).cast<std::vector<std::string>>();
  }
  return ToStrings(command, "command");
}

std::vector<std::string> ToEnv(const py::object& env) {
  if (env.is_none()) return {};
  std::vector<std::string> out;
  if (py::isinstance<py::dict>(env)) {
    for (auto [key, value] : env.cast<py::dict>()) {
      out.push_back(absl::StrCat(key.cast<std::string>(), "=", py::str(value).cast<std::string>()));
    }
  } else {
    out = ToStrings(env, "env");
  }
  for (const std::string& entry : out) {
    size_t eq = entry.find('=');
    if (eq == 0 || eq == std::string::npos) {
      Invalid(absl::StrCat("invalid environment variable \"", entry, "\", expected KEY=VALUE"));
    }
  }
  return out;
}

// docker-py's log_config dict: the driver and its options as "KEY=VALUE" (the core checks them).
void SetLogConfig(const py::object& log_config, CreateOptions& o) {
  if (log_config.is_none()) return;
  if (!py::isinstance<py::dict>(log_config)) {
    throw py::type_error("log_config must be a dict such as {'type': 'json-file', 'config': {}}");
  }
  py::dict d = log_config.cast<py::dict>();
  for (const char* key : {"type", "Type"}) {
    if (d.contains(key) && !d[key].is_none()) o.log_driver = d[key].cast<std::string>();
  }
  for (const char* key : {"config", "Config"}) {
    if (!d.contains(key) || d[key].is_none()) continue;
    for (auto [name, value] : d[key].cast<py::dict>()) {
      o.log_options.push_back(
          absl::StrCat(name.cast<std::string>(), "=", py::str(value).cast<std::string>()));
    }
  }
}

namespace {

// docker-py's labels: {key: value} or ["KEY=VALUE", "KEY"] (the core checks each).
std::vector<std::string> ToLabels(const py::object& labels) {
  if (labels.is_none()) return {};
  if (!py::isinstance<py::dict>(labels)) return ToStrings(labels, "labels");
  std::vector<std::string> out;
  for (auto [key, value] : labels.cast<py::dict>()) {
    out.push_back(absl::StrCat(key.cast<std::string>(), "=", value.cast<std::string>()));
  }
  return out;
}

// docker-py's ulimits: "NAME=SOFT[:HARD]" or {"Name": ..., "Soft": ..., "Hard": ...} (lower
// case keys too).
std::vector<std::string> ToUlimits(const py::object& ulimits) {
  if (ulimits.is_none()) return {};
  if (py::isinstance<py::str>(ulimits) || !py::isinstance<py::iterable>(ulimits)) {
    throw py::type_error("ulimits must be a sequence of \"NAME=SOFT[:HARD]\" or dicts");
  }
  std::vector<std::string> out;
  for (py::handle u : ulimits) {
    if (py::isinstance<py::str>(u)) {
      out.push_back(u.cast<std::string>());
      continue;
    }
    if (!py::isinstance<py::dict>(u)) throw py::type_error("a ulimit must be a str or a dict");
    py::dict d = u.cast<py::dict>();
    auto get = [&](const char* upper, const char* lower) -> py::object {
      if (d.contains(upper)) return d[upper];
      if (d.contains(lower)) return d[lower];
      return py::none();
    };
    py::object name = get("Name", "name"), soft = get("Soft", "soft"), hard = get("Hard", "hard");
    if (name.is_none() || soft.is_none()) Invalid("a ulimit dict needs Name and Soft");
    std::string spec = absl::StrCat(name.cast<std::string>(), "=", soft.cast<int64_t>());
    if (!hard.is_none()) absl::StrAppend(&spec, ":", hard.cast<int64_t>());
    out.push_back(std::move(spec));
  }
  return out;
}

// docker-py's sysctls: {name: value}; a sequence of "NAME=VALUE" too.
std::vector<std::string> ToSysctls(const py::object& sysctls) {
  if (sysctls.is_none()) return {};
  if (!py::isinstance<py::dict>(sysctls)) return ToStrings(sysctls, "sysctls");
  std::vector<std::string> out;
  for (auto [name, value] : sysctls.cast<py::dict>()) {
    out.push_back(absl::StrCat(name.cast<std::string>(), "=", py::str(value).cast<std::string>()));
  }
  return out;
}

void SetProcessOptions(const RunArgs& args, CreateOptions& o) {
  o.ulimits = ToUlimits(args.ulimits);
  o.sysctls = ToSysctls(args.sysctls);
  if (!args.group_add.is_none()) {
    for (py::handle g : args.group_add) o.group_add.push_back(py::str(g).cast<std::string>());
  }
  if (!args.shm_size.is_none()) o.shm_size = ToMemory(args.shm_size, "shm_size");
  o.oom_score_adj = args.oom_score_adj;
  o.pid_mode = args.pid_mode;
  o.ipc_mode = args.ipc_mode;
  o.uts_mode = args.uts_mode;
  ThrowIfError(SetCfsAndBlkio(!args.resources.cpus.is_none(), args.cpu_period, args.cpu_quota,
                              args.blkio_weight, o.resources.cpu, o.resources.block_io));
}

}  // namespace

CreateOptions ToCreateOptions(const RunArgs& args) {
  CreateOptions o;
  o.image = args.image;
  o.name = args.name;
  o.command = ToArgv(args.command);
  o.env = ToEnv(args.env);
  o.volumes = ToVolumes(args.volumes);
  o.workdir = args.workdir;
  o.hostname = args.hostname;
  o.user = args.user;
  o.auto_remove = args.remove;
  if (!args.entrypoint.is_none()) o.entrypoint = ToArgv(args.entrypoint);
  o.stop_signal = args.stop_signal;
  o.init = args.init;
  if (!args.restart.empty()) {
    absl::StatusOr<RestartPolicy> policy = ParseRestartPolicy(args.restart);
    if (!policy.ok()) Invalid(std::string(policy.status().message()));
    o.restart_policy = *policy;
  }
  o.network = ToNetwork(args);
  o.resources = ToResources(args.resources);
  if (!args.cap_add.is_none()) o.cap_add = ToStrings(args.cap_add, "cap_add");
  if (!args.cap_drop.is_none()) o.cap_drop = ToStrings(args.cap_drop, "cap_drop");
  o.privileged = args.privileged;
  if (!args.mounts.is_none()) o.mounts = ToStrings(args.mounts, "mounts");
  o.tmpfs = ToTmpfs(args.tmpfs);
  if (!args.volumes_from.is_none()) o.volumes_from = ToStrings(args.volumes_from, "volumes_from");
  o.read_only = args.read_only;
  o.stop_timeout = args.stop_timeout;
  o.healthcheck = ToHealthcheck(args.healthcheck);
  o.tty = args.tty;
  o.open_stdin = args.stdin_open;
  SetLogConfig(args.log_config, o);
  o.labels = ToLabels(args.labels);
  SetProcessOptions(args, o);
  return o;
}

LinuxResources ToResourceUpdate(const ResourceArgs& args) {
  LinuxResources r = ToResources(args);
  // Unlike at creation, 0 or -1 lifts a limit the container has.
  if (args.pids_limit.has_value() && *args.pids_limit <= 0) r.pids.limit = -1;
  ThrowIfError(SetCfsAndBlkio(!args.cpus.is_none(), args.cpu_period, args.cpu_quota,
                              args.blkio_weight, r.cpu, r.block_io));
  if (!r.memory.limit && !r.memory.swap && !r.cpu.quota && !r.cpu.period && !r.cpu.shares &&
      !r.pids.limit && !r.block_io.weight) {
    Invalid(
        "update needs at least one of memory, memory_swap, cpus, cpu_shares, pids_limit, "
        "cpu_period, cpu_quota, blkio_weight");
  }
  return r;
}

}  // namespace mydocker::python
