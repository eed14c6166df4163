// Bundles: containers made from OCI bundles by mydocker-runc (docs/oci.md), as the C API's
// mydocker_bundle_* make them: create, start, delete and exec run mydocker-runc with posix_spawn
// and wait for it (oci/client.h), state and kill run here (oci::Runtime).
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <csignal>
#include <filesystem>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/status_macros.h"
#include "oci/client.h"
#include "oci/record.h"
#include "oci/runtime.h"
#include "run_options.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

struct PyBundles {
  oci::RuncClient client;
};

struct PyBundle {
  oci::RuncClient client;
  std::string id;
};

// A descriptor argument: None (/dev/null), an int or an object with fileno().
int FdOf(const py::object& value, const char* what) {
  if (value.is_none()) return -1;
  if (py::isinstance<py::int_>(value)) return value.cast<int>();
  if (py::hasattr(value, "fileno")) return value.attr("fileno")().cast<int>();
  throw py::type_error(absl::StrCat(what, " must be None, a file descriptor or a file"));
}

// user: an int (uid), "UID" or "UID:GID", or a (uid, gid) pair; None: process.user.
std::string UserOf(const py::object& user) {
  if (user.is_none()) return "";
  if (py::isinstance<py::int_>(user)) return absl::StrCat(user.cast<long long>());
  if (py::isinstance<py::tuple>(user) && py::len(user) == 2) {
    auto pair = user.cast<std::pair<long long, long long>>();
    return absl::StrCat(pair.first, ":", pair.second);
  }
  if (py::isinstance<py::str>(user)) {
    std::string text = user.cast<std::string>();
    if (text.empty()) ThrowStatus(absl::InvalidArgumentError("user is empty"));
    return text;
  }
  throw py::type_error("user must be an int, 'UID[:GID]' or a (uid, gid) tuple");
}

// `fn` (returning absl::Status or absl::StatusOr<T>) on the OCI runtime of `client`'s state
// directory, without the GIL: nothing, or the T; raises the error.
template <typename Fn>
auto OnRuntime(const oci::RuncClient& client, Fn fn) {
  using Result = std::invoke_result_t<Fn, oci::Runtime&>;
  return WithoutGil([&]() -> Result {
    MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(client.root));
    return fn(runtime);
  });
}

std::string OciState(const oci::RuncClient& client, const std::string& id) {
  return OnRuntime(client, [&](oci::Runtime& r) { return r.State(id); });
}

// One field of the state (a local holds the dict: an item accessor of a temporary would not).
py::object StateField(const PyBundle& bundle, const char* field) {
  py::object state = JsonToPython(OciState(bundle.client, bundle.id));
  return state[field];
}

absl::Status RequireId(const std::string& id) {
  return id.empty() ? absl::InvalidArgumentError("id is empty") : absl::OkStatus();
}

using OptionalPath = std::optional<std::filesystem::path>;

std::string PathOr(const OptionalPath& path) { return path ? path->string() : std::string(); }

PyBundles Open(const OptionalPath& root, const OptionalPath& runc) {
  return PyBundles{ValueOrThrow(
      oci::MakeRuncClient(PathOr(root), PathOr(runc), MYDOCKER_RUNC_PATH, "root", "runc="))};
}

}  // namespace

void RegisterBundles(py::module_& m) {
  py::class_<PyBundle>(m, "Bundle",
                       "A container made from an OCI bundle (Bundles.create, Bundles.get): a "
                       "handle on (root, id). Its status and pid are read afresh each time.")
      .def_property_readonly(
          "id", [](const PyBundle& self) { return self.id; }, "The container's id.")
      .def(
          "state",
          [](const PyBundle& self) { return JsonToPython(OciState(self.client, self.id)); },
          "`state ID`: the OCI state as a dict: ociVersion, id, status ('created', 'running', "
          "'paused' or 'stopped', read from the kernel), pid, bundle, annotations. Raises "
          "NotFound for a deleted container.")
      .def_property_readonly(
          "status", [](const PyBundle& self) { return StateField(self, "status"); },
          "state()['status'].")
      .def_property_readonly(
          "pid", [](const PyBundle& self) { return StateField(self, "pid"); },
          "state()['pid']: init's pid.")
      .def(
          "start",
          [](const PyBundle& self) {
            const int none[3] = {-1, -1, -1};
            WithoutGil([&] {
              return oci::RunRunc(self.client, {"start", self.id}, none).status();
            });
          },
          "`start ID`: init executes process.args. Raises Conflict unless the container is "
          "created (not yet started).")
      .def(
          "kill",
          [](const PyBundle& self, int signal) {
            if (signal <= 0 || signal >= 65) {
              ThrowStatus(
                  absl::InvalidArgumentError(absl::StrCat("signal ", signal, " is not a signal")));
            }
            OnRuntime(self.client,
                      [&](oci::Runtime& r) { return r.Kill(self.id, signal, /*all=*/false); });
          },
          py::arg("signal") = static_cast<int>(SIGTERM),
          "`kill ID SIGNAL`: signals init (an int or a signal.Signals). Raises Conflict for a "
          "stopped container, as the OCI runtime spec requires.")
      .def(
          "pause",
          [](const PyBundle& self) {
            OnRuntime(self.client, [&](oci::Runtime& r) { return r.Pause(self.id, true); });
          },
          "`pause ID`: freezes every process of the running container (its cgroup's freezer). "
          "Raises Conflict for a container in another state.")
      .def(
          "resume",
          [](const PyBundle& self) {
            OnRuntime(self.client, [&](oci::Runtime& r) { return r.Pause(self.id, false); });
          },
          "`resume ID`: thaws the paused container. Raises Conflict for a container in another "
          "state.")
      .def(
          "pids",
          [](const PyBundle& self) {
            return OnRuntime(self.client, [&](oci::Runtime& r) { return r.Pids(self.id); });
          },
          "`ps ID`: the pids of the container's processes (in this process's PID namespace).")
      .def(
          "stats",
          [](const PyBundle& self) {
            return JsonToPython(
                OnRuntime(self.client, [&](oci::Runtime& r) { return r.StatsEvent(self.id); }));
          },
          "`events --stats ID`: one stats event as a dict, as runc prints it and containerd "
          "reads it: {'type': 'stats', 'id', 'data': {'cpu', 'memory', 'pids', ...}}. Raises "
          "Conflict for a stopped container.")
      .def(
          "delete",
          [](const PyBundle& self, bool force) {
            std::vector<std::string> args = {"delete"};
            if (force) args.push_back("--force");
            args.push_back(self.id);
            const int none[3] = {-1, -1, -1};
            WithoutGil([&] { return oci::RunRunc(self.client, args, none).status(); });
          },
          py::kw_only(), py::arg("force") = false,
          "`delete [--force] ID`: removes a stopped container (force: kills a created, running "
          "or paused one first): its cgroup, mounts and state; the poststop hooks run. Raises "
          "Conflict for a running container without force.")
      .def(
          "exec",
          [](const PyBundle& self, const py::object& cmd, const py::object& env,
             std::optional<std::string> workdir, const py::object& user, bool detach,
             const py::object& stdin, const py::object& stdout, const py::object& stderr, bool tty,
             const OptionalPath& console_socket) {
            oci::ExecArgs args;
            args.args = ToArgv(cmd);
            if (!env.is_none()) args.env = ToEnv(env);
            args.cwd = workdir.value_or("");
            args.user = UserOf(user);
            args.detach = detach;
            args.tty = tty;
            args.console_socket = PathOr(console_socket);
            const int stdio[3] = {FdOf(stdin, "stdin"), FdOf(stdout, "stdout"),
                                  FdOf(stderr, "stderr")};
            oci::ClientExecResult result =
                WithoutGil([&] { return oci::ExecInBundle(self.client, self.id, args, stdio); });
            return detach ? static_cast<int>(result.pid) : result.exit_code;
          },
          py::arg("cmd"), py::kw_only(), py::arg("env") = py::none(),
          py::arg("workdir") = py::none(), py::arg("user") = py::none(), py::arg("detach") = false,
          py::arg("stdin") = py::none(), py::arg("stdout") = py::none(),
          py::arg("stderr") = py::none(), py::arg("tty") = false,
          py::arg("console_socket") = py::none(),
          "`exec`: runs cmd (a str is split as a shell would, or a sequence) in the created or "
          "running container, with config.json's process settings and these over them: env (a "
          "dict or 'KEY=VALUE' strings, over process.env), workdir (absolute), user (an int "
          "uid, 'UID[:GID]' or a (uid, gid) tuple). stdin, stdout, stderr: a file descriptor "
          "or a file (its fileno()), None: /dev/null. Returns the exit status (128+N: killed "
          "by signal N) once it ends, or with detach its pid as soon as it runs (it is "
          "reparented to the nearest subreaper: this process, if it is one, must reap it). tty "
          "needs console_socket, a unix socket that receives the pty's master. The wait does "
          "not end on Ctrl-C. Raises CommandError (exit_code 127, 126) for a command that "
          "cannot be run, Conflict for a stopped or paused container, InvalidArgument for "
          "bad input (nothing started).")
      .def("__repr__",
           [](const PyBundle& self) { return absl::StrCat("<pymydocker.Bundle ", self.id, ">"); })
      .def("__eq__", [](const PyBundle& a, const PyBundle& b) {
        return a.id == b.id && a.client.root == b.client.root;
      });

  py::class_<PyBundles>(
      m, "Bundles",
      "Containers from OCI bundles, as mydocker-runc makes them (docs/oci.md): runc's model, "
      "with no monitor and no image. The caller supervises, as conmon does: init is "
      "reparented to the nearest subreaper when create returns, so a process that wants to "
      "reap it (and read its exit status with os.waitpid) makes itself one first "
      "(prctl(PR_SET_CHILD_SUBREAPER)); otherwise init goes to the system's and Bundle.status "
      "tells when it stopped. Needs root.")
      .def(py::init(&Open), py::arg("root") = py::none(), py::kw_only(),
           py::arg("runc") = py::none(),
           "root: mydocker-runc's state directory (its --root; None: /run/mydocker-runc). "
           "runc: the mydocker-runc executable (None: $MYDOCKER_RUNC, else the one installed "
           "with this package's library). Raises NotFound when it is not an executable file.")
      .def_property_readonly(
          "root", [](const PyBundles& self) { return self.client.root; },
          "mydocker-runc's state directory.")
      .def_property_readonly(
          "runc", [](const PyBundles& self) { return self.client.runc; },
          "The mydocker-runc executable.")
      .def(
          "create",
          [](const PyBundles& self, const std::filesystem::path& bundle, const std::string& id,
             const py::object& stdin, const py::object& stdout, const py::object& stderr,
             const OptionalPath& pid_file, const OptionalPath& console_socket) {
            ThrowIfError(RequireId(id));
            std::vector<std::string> args = {"create", "--bundle", bundle.string()};
            if (!PathOr(pid_file).empty())
              args.insert(args.end(), {"--pid-file", PathOr(pid_file)});
            if (!PathOr(console_socket).empty()) {
              args.insert(args.end(), {"--console-socket", PathOr(console_socket)});
            }
            args.push_back(id);
            const int stdio[3] = {FdOf(stdin, "stdin"), FdOf(stdout, "stdout"),
                                  FdOf(stderr, "stderr")};
            WithoutGil([&] { return oci::RunRunc(self.client, args, stdio).status(); });
            return PyBundle{self.client, id};
          },
          py::arg("bundle"), py::arg("id"), py::kw_only(), py::arg("stdin") = py::none(),
          py::arg("stdout") = py::none(), py::arg("stderr") = py::none(),
          py::arg("pid_file") = py::none(), py::arg("console_socket") = py::none(),
          "`create --bundle BUNDLE ID`: reads BUNDLE/config.json, creates the container's "
          "namespaces, cgroup and mounts and returns its Bundle once init waits for start(). "
          "stdin, stdout, stderr: the container's (a descriptor or a file; None: /dev/null). "
          "Raises InvalidArgument for a bad config.json (naming the field), Conflict for an id "
          "in use, NotFound for a missing bundle; nothing is made then.")
      .def(
          "get",
          [](const PyBundles& self, const std::string& id) {
            ThrowIfError(RequireId(id));
            (void)OciState(self.client, id);
            return PyBundle{self.client, id};
          },
          py::arg("id"), "The container `id`. Raises NotFound for an unknown one.")
      .def(
          "list",
          [](const PyBundles& self) {
            auto records = WithoutGil(
                [&]() -> absl::StatusOr<std::vector<std::pair<oci::Record, oci::Status>>> {
                  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime,
                                            oci::Runtime::Open(self.client.root));
                  return runtime.List();
                });
            std::vector<PyBundle> out;
            for (const auto& [record, status] : records) out.push_back({self.client, record.id});
            return out;
          },
          "`list`: every container of root, as Bundles.")
      .def("__repr__", [](const PyBundles& self) {
        return absl::StrCat("<pymydocker.Bundles root=", self.client.root, ">");
      });
}

}  // namespace mydocker::python
