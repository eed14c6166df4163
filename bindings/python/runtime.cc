// Runtime: one state root, and run().
#include <poll.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <cerrno>
#include <csignal>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "capture.h"
#include "mydocker/helper.h"
#include "mydocker/views.h"
#include "run_options.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

struct PyRuntime {
  RuntimePtr runtime;
};

// The helper of the tree this package was installed with: a copy inside the package (a wheel
// carries one), else the bin directory of the install prefix, found from the extension's own
// file so a moved tree still works. Empty (the core's build-time path) if neither exists.
std::string InstalledHelper() {
  return HelperBeside(reinterpret_cast<const void*>(&InstalledHelper),
                      {"mydocker-helper", PYMYDOCKER_PACKAGE_TO_HELPER});
}

PyRuntime Open(const std::optional<std::filesystem::path>& root,
               const std::optional<std::filesystem::path>& helper) {
  RuntimeOptions options;
  if (root) options.root = root->string();
  const char* env = std::getenv("MYDOCKER_HELPER");
  if (helper) {
    options.helper_path = helper->string();
  } else if (env == nullptr || *env == '\0') {
    options.helper_path = InstalledHelper();
  }
  std::unique_ptr<Runtime> runtime = WithoutGil([&] { return Runtime::Open(options); });
  return PyRuntime{RuntimePtr(std::move(runtime))};
}

// Waits for an attached container to end, in slices so Ctrl-C is seen. Interrupted, the
// container is killed (it belongs to the call that was interrupted) before the error
// propagates.
int WaitAttached(Attachment& attachment) {
  for (;;) {
    int ready, error;
    {
      py::gil_scoped_release release;
      struct pollfd p = {attachment.fd(), POLLIN, 0};
      ready = ::poll(&p, 1, kWaitSliceMs);
      error = errno;
    }
    // The monitor spoke or hung up: Wait() says which. A signal (EINTR) is Python's to handle.
    if (ready > 0 || (ready < 0 && error != EINTR)) break;
    try {
      CheckSignals();
    } catch (py::error_already_set&) {
      py::gil_scoped_release release;
      attachment.Signal(SIGKILL).IgnoreError();
      attachment.Wait().IgnoreError();
      throw;
    }
  }
  return WithoutGil([&] { return attachment.Wait(); });
}

// Creates and starts the container through Runtime::Run (its monitor starts while the container
// is created); if it cannot start, removes it before raising (as the C API's run does: the
// caller never saw the container).
PyContainer RunOrRemove(const RuntimePtr& runtime, const RunArgs& args, const StartOptions& start) {
  CreateOptions options = ToCreateOptions(args);
  struct Made {
    std::string id, name;
    std::unique_ptr<Attachment> attachment;
  };
  Made made = WithoutGil([&]() -> absl::StatusOr<Made> {
    Runtime::RunResult run = runtime->Run(options, start);
    if (!run.started.ok()) {
      if (run.container != nullptr) {
        run.container->Remove(/*force=*/true, /*remove_volumes=*/true).IgnoreError();
      }
      return run.started.status();
    }
    absl::StatusOr<ContainerState> state = run.container->State();
    Made m{run.container->id(), state.ok() ? state->name : "", *std::move(run.started)};
    return m;
  });
  PyContainer result(runtime, made.id, made.name);
  result.attachment = std::move(made.attachment);
  return result;
}

PyContainer Run(PyRuntime& self, const RunArgs& args, bool detach) {
  StartOptions start;
  if (detach) return RunOrRemove(self.runtime, args, start);
  Capture capture = ValueOrThrow(Capture::Create());
  start.attach = true;
  start.stdio = {-1, capture.fd(), capture.fd()};
  PyContainer result = RunOrRemove(self.runtime, args, start);
  result.observed_exit_code = WaitAttached(*result.attachment);
  result.attachment.reset();
  result.output = ValueOrThrow(capture.Read());
  return result;
}

}  // namespace

void RegisterRuntime(py::module_& m) {
  py::class_<PyRuntime> runtime(
      m, "Runtime",
      "mydocker bound to one state root: its images, its containers, and run(). Safe to share "
      "between threads; every blocking call releases the GIL.");
  runtime
      .def(py::init(&Open), py::arg("root") = py::none(), py::kw_only(),
           py::arg("helper") = py::none(),
           "Opens (creating if needed) the state root: root, else $MYDOCKER_ROOT, else "
           "/var/lib/mydocker. helper is the mydocker binary that runs each container's "
           "monitor: else $MYDOCKER_HELPER, else the path it was installed to. Raises NotFound "
           "(or PermissionDenied) naming the helper when it is not an executable file, "
           "PermissionDenied naming the missing capability when the caller is not root "
           "(rootless mode is not supported), MyDockerError when the kernel lacks a "
           "system call mydocker needs (Linux 5.10).")
      .def_property_readonly(
          "root", [](const PyRuntime& self) { return self.runtime->options().root; },
          "The state root directory.")
      .def_property_readonly(
          "helper", [](const PyRuntime& self) { return self.runtime->options().helper_path; },
          "The helper binary containers are started with.")
      .def_property_readonly(
          "images", [](const PyRuntime& self) { return MakeImages(self.runtime); },
          "The images of this root (an Images object).")
      .def_property_readonly(
          "containers", [](const PyRuntime& self) { return MakeContainers(self.runtime); },
          "The containers of this root (a Containers object).")
      .def_property_readonly(
          "networks", [](const PyRuntime& self) { return MakeNetworks(self.runtime); },
          "The networks of this root (a Networks object).")
      .def_property_readonly(
          "volumes", [](const PyRuntime& self) { return MakeVolumes(self.runtime); },
          "The volumes of this root (a Volumes object).")
      .def(
          "prune",
          [](const PyRuntime& self, const py::object& filters, bool all, bool volumes) {
            return PruneWith(self.runtime,
                             views::kPruneContainers | views::kPruneNetworks |
                                 views::kPruneVolumes | views::kPruneImages,
                             filters, all, volumes);
          },
          py::arg("filters") = py::none(), py::kw_only(), py::arg("all") = false,
          py::arg("volumes") = false,
          "`system prune [-a] [--volumes]`: stopped containers, unused networks, with "
          "volumes=True anonymous volumes no container uses, then untagged images no container "
          "uses (all=True: every such image). filters as Containers.prune's (not applied to "
          "volumes). Returns {'ContainersDeleted', 'NetworksDeleted', 'VolumesDeleted', "
          "'ImagesDeleted', 'SpaceReclaimed'}.")
      .def(
          "df",
          [](const PyRuntime& self, bool verbose) { return DiskUsageOf(self.runtime, verbose); },
          py::kw_only(), py::arg("verbose") = true,
          "`system df [-v]`, as docker-py's client.df(): {'LayersSize', 'Images': [{'Id', "
          "'RepoTags', 'Created', 'Size', 'Containers'}], 'Containers': [{'Id', 'Names', "
          "'Image', 'ImageID', 'Command', 'Created', 'State', 'Status', 'SizeRw'}], 'Volumes': "
          "[{'Name', 'Driver', 'Mountpoint', 'Labels', 'UsageData': {'Size', 'RefCount'}}], "
          "'BuildCache': []} and 'Summary', the rows of `system df` ({'Type', 'TotalCount', "
          "'Active', 'Size', 'Reclaimable'}, in bytes). verbose=False: LayersSize and Summary "
          "only.")
      .def(
          "events",
          [](const PyRuntime& self, const py::object& since, const py::object& until,
             const py::object& filters,
             bool decode) { return EventsOf(self.runtime, since, until, filters, decode); },
          py::arg("since") = py::none(), py::arg("until") = py::none(),
          py::arg("filters") = py::none(), py::arg("decode") = false,
          "`events`, as docker-py's client.events(): the recorded events from since (a "
          "datetime, Unix seconds or Docker's text such as '10m') to until, oldest first, each "
          "Docker's JSON message as a str (decode=True: a dict with status, id, from, Type, "
          "Action, Actor {ID, Attributes}, scope, time, timeNano). Without since or until only "
          "new events; unless until has passed the iterator (an EventStream) follows new ones "
          "as they are recorded until it does or close() is called. filters: a dict or a list "
          "of 'KEY=VALUE': type, event, container, image, label, volume, network. Raises "
          "InvalidArgument for a bad filter or time.")
      .def_static("login", &LoginToServer, py::arg("server"), py::arg("username"),
                  py::arg("password"),
                  "Checks username and password against the registry server ('host[:port]', "
                  "'' for Docker Hub) and stores them as `mydocker login` does "
                  "($MYDOCKER_CONFIG/config.json, else ~/.mydocker/config.json, mode 0600). "
                  "Raises MyDockerError with code 'UNAUTHENTICATED' when the registry refuses them "
                  "(nothing stored).")
      .def_static("logout", &LogoutFromServer, py::arg("server"),
                  "Removes the credentials stored for server; False when there were none.")
      .def("__repr__", [](const PyRuntime& self) {
        return absl::StrCat("<Runtime root=", self.runtime->options().root, ">");
      });
  DefWithRunArgs<bool>(runtime, "run", &Run, py::arg("detach") = false,
                       R"doc(Creates and starts a container from image; returns its Container.

command: a list, or a str split like a shell would; None runs the image's default command.
name: unique; generated when empty. env: a dict or a list of "KEY=VALUE", on top of the
image's. volumes: a list of specs ("/host:/path[:ro]", "name:/path", "/path") or a dict
{source: "/path[:ro]"}. memory: bytes (int) or a size such as "64m"; as with Docker, as
much swap again is allowed unless memory_swap says otherwise. memory_swap: the memory+swap
limit in the same units, -1 for unlimited swap; needs memory. cpus: e.g. 1.5. cpu_shares:
relative CPU weight (1024 is the default). pids_limit: maximum number of processes (0 or -1:
unlimited). workdir, hostname: inside the container. user: "USER[:GROUP]", names or
numbers, the command runs as (the image's user when empty). entrypoint: replaces the
image's ENTRYPOINT (a list, or a str split like a shell; "" or [] clears it), and as with
Docker a non-empty one drops the image's CMD. stop_signal: how stop() ends it ("SIGQUIT";
the image's STOPSIGNAL, else SIGTERM, when empty). init=True runs a minimal init as the
container's PID 1, which reaps orphaned processes and forwards signals to the command.
restart: Docker's restart policy ("always", "unless-stopped", "on-failure", "on-failure:3";
"" or "no": none), carried out by the container's monitor (docs/restart-policies.md); not
with remove=True.
network: "bridge", a network's name, "none", "host" or "container:ID"; None (the library's
default) gives the container its own network namespace with only lo. ports: docker-py's
{"80/tcp": 8080, "53/udp": ("127.0.0.1", 5353), 81: None} (None: a free host port), or a list
of -p specs; they need a bridge network (the default one when network is None).
publish_all_ports: every exposed port to a free host port. dns: name server addresses.
extra_hosts: {name: ip} or ["NAME:IP"], added to /etc/hosts.
cap_add, cap_drop: capability names ("SYS_ADMIN", "net_admin", "ALL") added to or dropped
from Docker's default set; the default seccomp profile follows them (CAP_SYS_ADMIN allows
mount, unshare, ...). privileged=True: every capability the runtime holds, the host's
devices, no seccomp filter, no masked paths, writable /sys (docs/security.md).
mounts: --mount specs ("type=bind,source=/srv,target=/srv,readonly", "type=tmpfs,
target=/run,tmpfs-size=64m"). tmpfs: {"/run": "size=64m"} or ["/run:size=64m"] (nosuid,
nodev, noexec unless the options say otherwise). read_only=True: a read-only root file system.
stop_timeout: seconds stop() waits after the stop signal before SIGKILL (--stop-timeout;
None: 10). healthcheck: docker-py's dict {"test": ["CMD", "pg_isready"] (a str runs in the
shell; ["NONE"] disables the image's), "interval", "timeout", "start_period",
"start_interval" (nanoseconds), "retries"}, on top of the image's HEALTHCHECK; the monitor
runs it and Container.health reports the status (docs/health.md). tty=True gives the
container a terminal (-t), stdin_open=True keeps its stdin open (-i) for Container.attach();
with detach=True both stay with its monitor for later clients.
log_config: docker-py's {"type": "json-file", "config": {"max-size": "10m", "max-file": "3"}}
(--log-driver: "local", the default, "json-file" or "none"; --log-opt), each option checked;
inspect()'s HostConfig.LogConfig shows it.
labels: {"key": "value"} or ["KEY=VALUE", "KEY"] (an empty value), on top of the image's
labels; inspect()'s Config.Labels shows them.
ulimits: ["nofile=1024:2048"] or docker-py's [{"Name": "nofile", "Soft": 1024, "Hard": 2048}]
(-1: unlimited; a hard limit above the runtime's own needs CAP_SYS_RESOURCE). sysctls:
{"net.ipv4.ip_forward": "1"}, only parameters of the container's own namespaces (kernel.msg*,
kernel.sem, kernel.shm*, fs.mqueue.*, net.*, kernel.domainname). shm_size: the size of
/dev/shm (bytes or "128m"; 64m by default). group_add: more groups, names of the image's
/etc/group or numbers. oom_score_adj: -1000 to 1000. cpu_period, cpu_quota: the CFS period and
quota in microseconds (not with cpus). blkio_weight: 10 to 1000, where the host's I/O
scheduler has weights. pid_mode: "host" or "container:NAME"; ipc_mode: "private",
"shareable", "host" or "container:NAME" (of a shareable container); uts_mode: "host" (not with
hostname). A joined container must be running.
volumes_from: ["CONTAINER", "CONTAINER:ro"], other containers whose volumes and binds it
mounts (read-only with ":ro"); the image's VOLUMEs get anonymous volumes holding the image's
content there unless a mount of these takes the path.

detach=False (the default) runs the container to completion like subprocess.run: the call
returns once it has ended, with exit_code set and its stdout and stderr in Container.output.
Ctrl-C kills the container. detach=True returns as soon as the command has started; its
output goes to the log (Container.logs()). remove=True removes the container when it ends.

Raises NotFound (no such image), Conflict (name in use), InvalidArgument (bad option),
CommandError (the command cannot be run: exit_code 126 or 127). A container whose command
could not be started stays "created", as in Docker, unless remove=True.)doc");
}

}  // namespace mydocker::python
