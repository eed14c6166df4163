// The keyword arguments of Runtime.run(), Containers.create() and Container.update() turned
// into the core's CreateOptions and LinuxResources.
#ifndef MYDOCKER_BINDINGS_PYTHON_RUN_OPTIONS_H_
#define MYDOCKER_BINDINGS_PYTHON_RUN_OPTIONS_H_

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <utility>

#include "mydocker/container.h"

namespace mydocker::python {

// Resource limits; None leaves a limit as it is (create: unset).
struct ResourceArgs {
  pybind11::object memory;       // None, bytes as int, or "512m"
  pybind11::object memory_swap;  // None, memory+swap as bytes or "1g", or -1 (unlimited swap)
  pybind11::object cpus;         // None, a number or a str ("1.5")
  std::optional<int64_t> cpu_shares;
  std::optional<int64_t> pids_limit;  // 0 or -1: unlimited
  // Container.update() only (run() and create() have their own keywords): the CFS period
  // and quota in microseconds and the block I/O weight, 0 leaving each as it is. Since 1.8.
  int64_t cpu_period = 0;
  int64_t cpu_quota = 0;
  int64_t blkio_weight = 0;
};

struct RunArgs {
  std::string image;
  pybind11::object command;  // None, a str (split like a shell) or a sequence of str
  std::string name;
  pybind11::object env;      // None, a mapping or a sequence of "KEY=VALUE"
  pybind11::object volumes;  // None, a mapping (source -> destination) or a sequence of specs
  ResourceArgs resources;
  std::string workdir;
  std::string hostname;
  std::string user;
  bool remove = false;
  pybind11::object entrypoint;  // None (the image's), a str (split like a shell) or a sequence
  std::string stop_signal;      // "": the image's STOPSIGNAL, else SIGTERM
  bool init = false;            // a minimal init as PID 1
  std::string restart;          // Docker's --restart ("always", "on-failure:3"); "": no
  // Since 1.2: None (its own namespace, lo only: the library's default) or "bridge", a
  // network's name, "none", "host", "container:ID".
  pybind11::object network;
  pybind11::object ports;  // None, {container_port: host} (docker-py's form) or -p specs
  bool publish_all_ports = false;
  pybind11::object dns;          // None or a sequence of addresses
  pybind11::object extra_hosts;  // None, {name: ip} or a sequence of "NAME:IP"
  // Since 1.4 (docker-py's names): None or a sequence of capability names ("SYS_ADMIN",
  // "ALL"), and --privileged.
  pybind11::object cap_add;
  pybind11::object cap_drop;
  bool privileged = false;
  // Since 1.4: None or a sequence of --mount specs; None, a sequence of --tmpfs specs or
  // docker-py's {path: options}; read_only (--read-only).
  pybind11::object mounts;
  pybind11::object tmpfs;
  bool read_only = false;
  // Since 1.5: --stop-timeout in seconds (None: 10), and docker-py's healthcheck dict
  // ({"test": [...] or "cmd", "interval": ns, "timeout": ns, "retries": n, "start_period": ns,
  // "start_interval": ns}; Docker's capitalised keys too); None: the image's HEALTHCHECK.
  std::optional<int> stop_timeout;
  pybind11::object healthcheck;
  // Since 1.5 (docker-py's names): a terminal (-t) and a stdin kept open (-i) for attach().
  bool tty = false;
  bool stdin_open = false;
  // Since 1.6: docker-py's log_config, {"type": "json-file", "config": {"max-size": "10m"}}
  // (Docker's "Type" and "Config" too): --log-driver and --log-opt. None: the default driver.
  pybind11::object log_config;
  // Since 1.7: docker-py's labels, {"key": "value"} or a sequence of "KEY=VALUE" (or names, for
  // an empty value), on top of the image's.
  pybind11::object labels;
  // Since 1.7 (docker-py's names): ulimits (["nofile=1024:2048"] or docker-py's dicts
  // {"Name": "nofile", "Soft": 1024, "Hard": 2048}), sysctls ({"net.ipv4.ip_forward": "1"}),
  // shm_size (bytes or "128m"), group_add, oom_score_adj, cpu_period, cpu_quota (microseconds)
  // and blkio_weight.
  pybind11::object ulimits;
  pybind11::object sysctls;
  pybind11::object shm_size;
  pybind11::object group_add;
  std::optional<int> oom_score_adj;
  int64_t cpu_period = 0;
  int64_t cpu_quota = 0;
  int64_t blkio_weight = 0;
  // Since 1.7 (docker-py's names): --pid, --ipc, --uts ("host", "container:NAME", ...).
  std::string pid_mode;
  std::string ipc_mode;
  std::string uts_mode;
  // Since 1.8 (docker-py's name): ["CONTAINER", "CONTAINER:ro"], the other containers whose
  // volumes and binds it mounts.
  pybind11::object volumes_from;
};

// Raises InvalidArgument (or TypeError for a value of the wrong type). REQUIRES: the GIL.
CreateOptions ToCreateOptions(const RunArgs& args);

// The limits Container.update() changes; InvalidArgument when there are none.
LinuxResources ToResourceUpdate(const ResourceArgs& args);

// A command: a str is split like a shell would (shlex.split), a sequence taken as it is.
std::vector<std::string> ToArgv(const pybind11::object& command);

// An environment: a mapping or a sequence of "KEY=VALUE".
std::vector<std::string> ToEnv(const pybind11::object& env);

// Defines the method `method` of `cls` with the arguments run() and create() share:
//   (image, command=None, *, name="", env=None, volumes=None, memory=None, memory_swap=None,
//    cpus=None, cpu_shares=None, pids_limit=None, workdir="", hostname="", user="",
//    remove=False, entrypoint=None, stop_signal="", init=False, restart="", network=None,
//    ports=None, publish_all_ports=False, dns=None, extra_hosts=None, cap_add=None,
//    cap_drop=None, privileged=False, mounts=None, tmpfs=None, read_only=False,
//    stop_timeout=None, healthcheck=None, tty=False, stdin_open=False, log_config=None,
//    labels=None, ulimits=None, sysctls=None, shm_size=None, group_add=None,
//    oom_score_adj=None, cpu_period=0, cpu_quota=0, blkio_weight=0, pid_mode="",
//    ipc_mode="", uts_mode="", volumes_from=None)
// then the keyword-only ones in `extra` (a py::arg for each type in Extra), then the docstring.
// The method calls fn(self, RunArgs, Extra...).
template <typename... Extra, typename Class, typename Fn, typename... ExtraArgs>
void DefWithRunArgs(Class& cls, const char* method, Fn fn, ExtraArgs&&... extra) {
  namespace py = pybind11;
  using Self = typename Class::type;
  cls.def(
      method,
      [fn](Self& self, std::string image, py::object command, std::string name, py::object env,
           py::object volumes, py::object memory, py::object memory_swap, py::object cpus,
           std::optional<int64_t> cpu_shares, std::optional<int64_t> pids_limit,
           std::string workdir, std::string hostname, std::string user, bool remove,
           py::object entrypoint, std::string stop_signal, bool init, std::string restart,
           py::object network, py::object ports, bool publish_all_ports, py::object dns,
           py::object extra_hosts, py::object cap_add, py::object cap_drop, bool privileged,
           py::object mounts, py::object tmpfs, bool read_only, std::optional<int> stop_timeout,
           py::object healthcheck, bool tty, bool stdin_open, py::object log_config,
           py::object labels, py::object ulimits, py::object sysctls, py::object shm_size,
           py::object group_add, std::optional<int> oom_score_adj, int64_t cpu_period,
           int64_t cpu_quota, int64_t blkio_weight, std::string pid_mode, std::string ipc_mode,
           std::string uts_mode, py::object volumes_from, Extra... rest) {
        RunArgs args{.image = std::move(image),
                     .command = std::move(command),
                     .name = std::move(name),
                     .env = std::move(env),
                     .volumes = std::move(volumes),
                     .resources = {.memory = std::move(memory),
                                   .memory_swap = std::move(memory_swap),
                                   .cpus = std::move(cpus),
                                   .cpu_shares = cpu_shares,
                                   .pids_limit = pids_limit},
                     .workdir = std::move(workdir),
                     .hostname = std::move(hostname),
                     .user = std::move(user),
                     .remove = remove,
                     .entrypoint = std::move(entrypoint),
                     .stop_signal = std::move(stop_signal),
                     .init = init,
                     .restart = std::move(restart),
                     .network = std::move(network),
                     .ports = std::move(ports),
                     .publish_all_ports = publish_all_ports,
                     .dns = std::move(dns),
                     .extra_hosts = std::move(extra_hosts),
                     .cap_add = std::move(cap_add),
                     .cap_drop = std::move(cap_drop),
                     .privileged = privileged,
                     .mounts = std::move(mounts),
                     .tmpfs = std::move(tmpfs),
                     .read_only = read_only,
                     .stop_timeout = stop_timeout,
                     .healthcheck = std::move(healthcheck),
                     .tty = tty,
                     .stdin_open = stdin_open,
                     .log_config = std::move(log_config),
                     .labels = std::move(labels),
                     .ulimits = std::move(ulimits),
                     .sysctls = std::move(sysctls),
                     .shm_size = std::move(shm_size),
                     .group_add = std::move(group_add),
                     .oom_score_adj = oom_score_adj,
                     .cpu_period = cpu_period,
                     .cpu_quota = cpu_quota,
                     .blkio_weight = blkio_weight,
                     .pid_mode = std::move(pid_mode),
                     .ipc_mode = std::move(ipc_mode),
                     .uts_mode = std::move(uts_mode),
                     .volumes_from = std::move(volumes_from)};
        return fn(self, args, rest...);
      },
      py::arg("image"), py::arg("command") = py::none(), py::kw_only(), py::arg("name") = "",
      py::arg("env") = py::none(), py::arg("volumes") = py::none(), py::arg("memory") = py::none(),
      py::arg("memory_swap") = py::none(), py::arg("cpus") = py::none(),
      py::arg("cpu_shares") = py::none(), py::arg("pids_limit") = py::none(),
      py::arg("workdir") = "", py::arg("hostname") = "", py::arg("user") = "",
      py::arg("remove") = false, py::arg("entrypoint") = py::none(), py::arg("stop_signal") = "",
      py::arg("init") = false, py::arg("restart") = "", py::arg("network") = py::none(),
      py::arg("ports") = py::none(), py::arg("publish_all_ports") = false,
      py::arg("dns") = py::none(), py::arg("extra_hosts") = py::none(),
      py::arg("cap_add") = py::none(), py::arg("cap_drop") = py::none(),
      py::arg("privileged") = false, py::arg("mounts") = py::none(), py::arg("tmpfs") = py::none(),
      py::arg("read_only") = false, py::arg("stop_timeout") = py::none(),
      py::arg("healthcheck") = py::none(), py::arg("tty") = false, py::arg("stdin_open") = false,
      py::arg("log_config") = py::none(), py::arg("labels") = py::none(),
      py::arg("ulimits") = py::none(), py::arg("sysctls") = py::none(),
      py::arg("shm_size") = py::none(), py::arg("group_add") = py::none(),
      py::arg("oom_score_adj") = py::none(), py::arg("cpu_period") = 0, py::arg("cpu_quota") = 0,
      py::arg("blkio_weight") = 0, py::arg("pid_mode") = "", py::arg("ipc_mode") = "",
      py::arg("uts_mode") = "", py::arg("volumes_from") = py::none(),
      std::forward<ExtraArgs>(extra)...);
}

}  // namespace mydocker::python

#endif  // MYDOCKER_BINDINGS_PYTHON_RUN_OPTIONS_H_
