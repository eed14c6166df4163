// Container: one container of a runtime, its lifecycle and its processes.
#include <poll.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <csignal>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "capture.h"
#include "mydocker/network_store.h"
#include "mydocker/signals.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"
#include "run_options.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

// The state record; nullopt once the container is gone.
std::optional<ContainerState> StateOrGone(PyContainer& c) {
  auto state = WithoutGil([&]() -> absl::StatusOr<std::optional<ContainerState>> {
    auto s = c.core().State();
    if (absl::IsNotFound(s.status())) return std::optional<ContainerState>();
    if (!s.ok()) return s.status();
    return std::optional<ContainerState>(std::move(*s));
  });
  return state;
}

std::string Status(PyContainer& c) {
  auto state = StateOrGone(c);
  return state ? std::string(ContainerStatusName(state->status)) : "removed";
}

std::optional<int> Pid(PyContainer& c) {
  auto state = StateOrGone(c);
  if (!state || !state->HasProcess()) return std::nullopt;
  return state->init.pid;
}

std::optional<int> ExitCode(PyContainer& c) {
  auto state = StateOrGone(c);
  if (!state) return c.observed_exit_code;
  if (state->IsActive()) return std::nullopt;
  return state->exit_code;
}

// Waits on the handle's own attachment, if it has one, until `deadline`: true with
// c.observed_exit_code set once the monitor told the exit code; false when the deadline passed
// first or there is no attachment (or the monitor ended without telling: the record then has
// what is known).
bool WaitOnAttachment(PyContainer& c, absl::Time deadline) {
  std::shared_ptr<Attachment> attachment = c.attachment;
  if (!attachment) return false;
  for (;;) {
    absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
    int slice = static_cast<int>(
        absl::ToInt64Milliseconds(std::min(absl::Milliseconds(kWaitSliceMs), left)));
    int ready, error;
    {
      py::gil_scoped_release release;
      struct pollfd p = {attachment->fd(), POLLIN, 0};
      ready = ::poll(&p, 1, slice);
      error = errno;
    }
    if (ready > 0 || (ready < 0 && error != EINTR)) break;
    if (absl::Now() >= deadline) return false;
    CheckSignals();
  }
  absl::StatusOr<int> code;
  {
    py::gil_scoped_release release;
    code = attachment->Wait();
  }
  c.attachment.reset();
  if (!code.ok()) return false;
  c.observed_exit_code = *code;
  return true;
}

std::optional<int> Wait(PyContainer& c, std::optional<double> timeout) {
  if (timeout && *timeout < 0) ThrowStatus(absl::InvalidArgumentError("timeout must be >= 0"));
  absl::Time deadline = timeout ? absl::Now() + absl::Seconds(*timeout) : absl::InfiniteFuture();
  if (WaitOnAttachment(c, deadline)) {
    // The monitor has told the code; the resources are released, the record written or gone.
    return c.observed_exit_code;
  }
  for (;;) {
    absl::Duration slice = std::min(absl::Milliseconds(kWaitSliceMs),
                                    std::max(deadline - absl::Now(), absl::ZeroDuration()));
    absl::StatusOr<std::optional<int>> code;
    {
      py::gil_scoped_release release;
      code = c.core().Wait(slice);
    }
    if (code.ok()) {
      // Gone without a record (removed with remove=True) keeps what we saw before, if anything.
      if (code->has_value()) c.observed_exit_code = *code;
      return code->has_value() ? *code : c.observed_exit_code;
    }
    if (!absl::IsDeadlineExceeded(code.status()) || absl::Now() >= deadline) {
      ThrowStatus(code.status());
    }
    CheckSignals();
  }
}

int ToSignal(const py::object& signal) {
  if (py::isinstance<py::str>(signal)) return ValueOrThrow(ParseSignal(signal.cast<std::string>()));
  return signal.cast<int>();  // an int or a signal.Signals member
}

void Remove(PyContainer& c, bool force, bool volumes) {
  WithoutGil([&] { return c.core().Remove(force, volumes); });
}

// Detached, as docker-py's start(): the output goes to the log; dropping the attachment leaves
// the container to its monitor.
void Start(PyContainer& c) {
  std::unique_ptr<Attachment> attachment =
      WithoutGil([&] { return c.core().Start(StartOptions{}); });
  c.attachment = std::move(attachment);
}

void Update(PyContainer& c, const ResourceArgs& args) {
  LinuxResources resources = ToResourceUpdate(args);
  WithoutGil([&] { return c.core().Update(resources); });
}

// docker-py's restart_policy: {"Name": "on-failure", "MaximumRetryCount": 3}, or --restart's
// text ("on-failure:3").
RestartPolicy ToRestartPolicy(const py::object& policy) {
  std::string spec;
  if (py::isinstance<py::dict>(policy)) {
    py::dict d = policy.cast<py::dict>();
    spec = d.contains("Name") ? d["Name"].cast<std::string>() : "";
    int retries = d.contains("MaximumRetryCount") ? d["MaximumRetryCount"].cast<int>() : 0;
    if (retries != 0) absl::StrAppend(&spec, ":", retries);
  } else {
    spec = policy.cast<std::string>();
  }
  return ValueOrThrow(ParseRestartPolicy(spec));
}

void UpdateWithPolicy(PyContainer& c, const py::object& memory, const py::object& memory_swap,
                      const py::object& cpus, std::optional<int64_t> cpu_shares,
                      std::optional<int64_t> pids_limit, const py::object& restart_policy,
                      int64_t cpu_period, int64_t cpu_quota, int64_t blkio_weight) {
  bool limits = !memory.is_none() || !memory_swap.is_none() || !cpus.is_none() || cpu_shares ||
                pids_limit || cpu_period != 0 || cpu_quota != 0 || blkio_weight != 0;
  if (restart_policy.is_none() || limits) {
    Update(c, {.memory = memory,
               .memory_swap = memory_swap,
               .cpus = cpus,
               .cpu_shares = cpu_shares,
               .pids_limit = pids_limit,
               .cpu_period = cpu_period,
               .cpu_quota = cpu_quota,
               .blkio_weight = blkio_weight});
  }
  if (restart_policy.is_none()) return;
  RestartPolicy policy = ToRestartPolicy(restart_policy);
  WithoutGil([&] { return c.core().UpdateRestartPolicy(policy); });
}

void Rename(PyContainer& c, const std::string& new_name) {
  WithoutGil([&] { return c.core().Rename(new_name); });
  c.set_cached_name(new_name);
}

// `with` removes the container whatever happened, tolerating one already gone (remove=True).
void Exit(PyContainer& c, const py::args&) {
  WithoutGil([&] {
    absl::Status removed = c.core().Remove(/*force=*/true);
    return absl::IsNotFound(removed) ? absl::OkStatus() : removed;
  });
}

// A view of the library's (mydocker/views.h), parsed by Python's json module.
py::object Inspect(PyContainer& c) {
  std::string view = WithoutGil([&]() -> absl::StatusOr<std::string> {
    MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, c.core().State());
    MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, c.core().Config());
    return views::ContainerInspect(state, config, views::JsonStyle::kCompact, c.core().Networks());
  });
  return JsonToPython(view);
}

}  // namespace

void RegisterContainer(py::module_& m) {
  py::class_<PyContainer> cls(m, "Container",
                              "A container of a Runtime. Properties read the container's record "
                              "afresh on every access. Used in a with block, the container is "
                              "removed (forcibly) when the block ends.");
  cls.def_property_readonly("id", &PyContainer::id, "The full id: 64 hex digits.")
      .def_property_readonly(
          "short_id", [](PyContainer& c) { return ShortId(c.id()); },
          "The first 12 digits of the id.")
      .def_property_readonly(
          "name",
          [](PyContainer& c) {
            auto state = StateOrGone(c);
            return state ? state->name : c.cached_name();
          },
          "The container's name.")
      .def_property_readonly("status", &Status,
                             "'created', 'running', 'paused', 'stopped', 'restarting' (its "
                             "restart policy waits to start it again), or 'removed' once the "
                             "container no longer exists.")
      .def_property_readonly("pid", &Pid,
                             "The host pid of the container's init process while it runs, "
                             "else None.")
      .def_property_readonly("exit_code", &ExitCode,
                             "How the container's process ended (128+N when killed by signal "
                             "N); None while it runs, if it never ran, or if the end was not "
                             "seen. After removal, the code wait() or run() observed.")
      .def_property_readonly(
          "image",
          [](PyContainer& c) { return WithoutGil([&] { return c.core().State(); }).image; },
          "The image reference the container was created from.")
      .def_property_readonly(
          "restart_count",
          [](PyContainer& c) { return WithoutGil([&] { return c.core().State(); }).restart_count; },
          "How many times its restart policy restarted it since a user last started it "
          "(Docker's RestartCount).")
      .def_property_readonly(
          "health",
          [](PyContainer& c) -> std::string {
            auto state = StateOrGone(c);
            return state && state->health ? state->health->status : "unknown";
          },
          "The health check's status, as docker-py's Container.health: 'starting', "
          "'healthy', 'unhealthy', or 'unknown' without a check (State.Health of inspect() has "
          "the failing streak and the last results).")
      .def_property_readonly(
          "oom_killed",
          [](PyContainer& c) { return WithoutGil([&] { return c.core().State(); }).oom_killed; },
          "True if the kernel's OOM killer ended the container.")
      .def_property_readonly(
          "output",
          [](PyContainer& c) -> py::object {
            if (!c.output) return py::none();
            return py::bytes(*c.output);
          },
          "What a foreground run() (detach=False) captured of stdout and stderr, interleaved "
          "in the order written; None for a detached container.")
      .def_property_readonly(
          "ports",
          [](PyContainer& c) -> py::object {
            py::dict view = Inspect(c).cast<py::dict>();
            if (!view.contains("NetworkSettings")) return py::dict();
            py::dict settings = view["NetworkSettings"].cast<py::dict>();
            return settings.contains("Ports") ? py::object(settings["Ports"]) : py::dict();
          },
          "`port` as data, as docker-py's Container.ports: {'80/tcp': [{'HostIp': '0.0.0.0', "
          "'HostPort': '8080'}], ...}, a port exposed but not published mapping to None; {} "
          "without a network of its own.")
      .def("inspect", &Inspect,
           "The container as `docker inspect` shows it, as a dict: Id, Created, Path, Args, "
           "State, Image, Name, HostConfig, GraphDriver, Config and Spec (the OCI-shaped "
           "configuration it runs with). Raises NotFound once the container is removed.")
      .def("wait", &Wait, py::arg("timeout") = py::none(),
           "Blocks until the container has ended and its resources are released; returns its "
           "exit code, or None if unknown. The handle that started the container (run(), "
           "start()) hears the code from its monitor, so it has it even after remove=True took "
           "the record; another handle has only the record. Raises Timeout after timeout "
           "seconds. Ctrl-C interrupts the wait, not the container.")
      .def("logs", &ContainerLogs, py::kw_only(), py::arg("follow") = false,
           py::arg("tail") = py::none(), py::arg("stdout") = true, py::arg("stderr") = true,
           py::arg("since") = py::none(), py::arg("until") = py::none(),
           "The container's output from its log. Without follow: everything written so far, "
           "as one str. With follow: a LogStream yielding lines as they are written, until the "
           "container ends. tail keeps only the last N lines; stdout and stderr choose the "
           "streams; since and until (--since, --until) keep the lines written in between: a "
           "datetime, a Unix time in seconds, or Docker's text (RFC 3339, '1700000000.5', "
           "'10m' before now). Raises InvalidArgument for a bad time, Conflict for a container "
           "whose log driver is 'none'.")
      .def("start", &Start,
           "Starts a created or stopped container, detached: returns once its command runs; "
           "its output goes to the log. Raises Conflict if it is running or paused, "
           "CommandError if the command cannot be run (the container stays as it was).")
      .def(
          "stop",
          [](PyContainer& c, double timeout) {
            WithoutGil([&] { return c.core().StopAsConfigured(absl::Seconds(timeout)); });
          },
          py::arg("timeout") = 10.0,
          "Sends its stop signal (stop_signal, the image's STOPSIGNAL, else SIGTERM), then "
          "SIGKILL after timeout seconds; returns once the container has "
          "ended and its resources are released. Does nothing if it is not running.")
      .def(
          "restart",
          [](PyContainer& c, double timeout) {
            WithoutGil([&] { return c.core().Restart(absl::Seconds(timeout)); });
          },
          py::arg("timeout") = 10.0,
          "stop(timeout) then start(): a running or paused container is stopped first, a "
          "created or stopped one just started. One run with remove=True is kept across the "
          "restart, as with Docker.")
      .def("update", &UpdateWithPolicy, py::kw_only(), py::arg("memory") = py::none(),
           py::arg("memory_swap") = py::none(), py::arg("cpus") = py::none(),
           py::arg("cpu_shares") = py::none(), py::arg("pids_limit") = py::none(),
           py::arg("restart_policy") = py::none(), py::arg("cpu_period") = 0,
           py::arg("cpu_quota") = 0, py::arg("blkio_weight") = 0,
           R"doc(Changes resource limits: at once for a running or paused container, and in
its configuration for later starts. Arguments left None (or 0) keep their limit; the units are
run()'s. memory_swap: memory+swap, -1 for unlimited swap. pids_limit 0 or -1 lifts the limit.
cpu_period, cpu_quota: the CFS period and quota in microseconds (not with cpus); blkio_weight:
10 to 1000, where the host's I/O scheduler has weights.
restart_policy (`update --restart`): "always", "on-failure:3", ... or docker-py's
{"Name": "on-failure", "MaximumRetryCount": 3}, applied by the monitor from the next end of the
process on (InvalidArgument for a remove=True container).

A memory limit above the container's memory+swap limit (twice its memory limit unless set) is
refused unless memory_swap is given too, as Docker does. Raises InvalidArgument for a bad or
refused value (no limit is changed then) or when neither a limit nor a policy is given.)doc")
      .def("rename", &Rename, py::arg("new_name"),
           "Renames the container. Raises Conflict if new_name is in use, InvalidArgument if it "
           "is not a valid name or already the container's.")
      .def(
          "top", [](PyContainer& c) { return WithoutGil([&] { return c.core().Top(); }); },
          "The processes of the running (or paused) container, as a list of ProcessInfo "
          "ordered by pid; host pids, like Docker's top. Raises Conflict unless it is running "
          "or paused.")
      .def(
          "kill",
          [](PyContainer& c, const py::object& signal) {
            int signo = ToSignal(signal);
            WithoutGil([&] { return c.core().Kill(signo); });
          },
          py::arg("signal") = static_cast<int>(SIGKILL),
          "Sends a signal (a number, a signal.Signals member or a name such as 'TERM') to the "
          "container's init process. Raises Conflict if it is not running.")
      .def("remove", &Remove, py::kw_only(), py::arg("force") = false, py::arg("volumes") = false,
           "Removes the container and everything it holds. Raises Conflict while it runs "
           "unless force (which kills it first); volumes also removes its anonymous volumes.")
      .def(
          "stats", [](PyContainer& c) { return WithoutGil([&] { return c.core().Stats(); }); },
          "Resource usage from the container's cgroup. Raises Conflict unless it is running "
          "or paused.")
      .def(
          "pause", [](PyContainer& c) { WithoutGil([&] { return c.core().Pause(); }); },
          "Freezes every process of the container. Raises Conflict unless it is running.")
      .def(
          "resume", [](PyContainer& c) { WithoutGil([&] { return c.core().Unpause(); }); },
          "Thaws a paused container. Raises Conflict unless it is paused.")
      .def("__enter__", [](PyContainer& c) -> PyContainer& { return c; })
      .def("__exit__", &Exit)
      .def("__eq__",
           [](const PyContainer& a, const py::object& b) {
             return py::isinstance<PyContainer>(b) && a.id() == b.cast<PyContainer&>().id();
           })
      .def("__hash__", [](const PyContainer& c) { return py::hash(py::str(c.id())); })
      .def("__repr__", [](const PyContainer& c) {
        return absl::StrCat("<Container ", ShortId(c.id()), " name=", c.cached_name(), ">");
      });
  DefineContainerFiles(cls);
  DefineContainerExec(m, cls);
}

}  // namespace mydocker::python
