// Declarations shared by the files of the pymydocker extension: one file per bound concept
// (runtime.cc, images.cc, containers.cc, container.cc, log_stream.cc, stats.cc,
// process_info.cc), each with its Register function, called in order by module.cc.
#ifndef MYDOCKER_BINDINGS_PYTHON_BINDINGS_H_
#define MYDOCKER_BINDINGS_PYTHON_BINDINGS_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "mydocker/runtime.h"

namespace mydocker::python {

// Every Python object that reaches into the core holds the Runtime: a Container handle keeps
// the Runtime it came from alive even after the Python Runtime object is gone.
using RuntimePtr = std::shared_ptr<Runtime>;

// A container as Python sees it: a handle on (runtime, id). Properties read the state record
// afresh, so they are never stale; a handle outlives its container (status "removed").
class PyContainer {
 public:
  PyContainer(RuntimePtr runtime, std::string id, std::string name)
      : runtime_(std::move(runtime)),
        container_(runtime_.get(), std::move(id)),
        name_(std::move(name)) {}

  const RuntimePtr& runtime() const { return runtime_; }
  Container& core() { return container_; }
  const std::string& id() const { return container_.id(); }
  const std::string& cached_name() const { return name_; }
  void set_cached_name(std::string name) { name_ = std::move(name); }

  // The exit code seen by wait() or a foreground run(), reported once the record is gone.
  std::optional<int> observed_exit_code;
  // The link to the monitor of the run this handle started (run(detach=True), start()): the
  // monitor tells it the exit code, which outlives the record of a remove=True container.
  // Dropped once it has told. Other handles on the same container wait on the record.
  std::shared_ptr<Attachment> attachment;
  // What a foreground run() captured of the container's stdout and stderr.
  std::optional<std::string> output;

 private:
  RuntimePtr runtime_;
  Container container_;
  std::string name_;
};

// Ctrl-C must stay usable while Python waits on a container: blocking waits run in slices of
// this length with the GIL released and check for pending signals in between.
inline constexpr int kWaitSliceMs = 100;

// Raises KeyboardInterrupt (or whatever a signal handler raised) if a signal is pending.
// REQUIRES: the GIL is held.
void CheckSignals();

// An aware datetime in UTC; None for an unset time (absl::InfinitePast). REQUIRES: the GIL.
pybind11::object ToDatetime(absl::Time t);

// A JSON text (a view of mydocker/views.h) as Python objects (json.loads). REQUIRES: the GIL.
pybind11::object JsonToPython(const std::string& json);

struct RunArgs;

// Creates a container (status "created") from run()'s arguments; Runtime.run() and
// Containers.create(). Raises as ToCreateOptions and Runtime::Create fail. REQUIRES: the GIL.
PyContainer CreateContainer(const RuntimePtr& runtime, const RunArgs& args);

// The runtime.images and runtime.containers views.
pybind11::object MakeImages(const RuntimePtr& runtime);
pybind11::object MakeContainers(const RuntimePtr& runtime);
pybind11::object MakeNetworks(const RuntimePtr& runtime);
pybind11::object MakeVolumes(const RuntimePtr& runtime);
void RegisterVolumes(pybind11::module_& m);

void RegisterStats(pybind11::module_& m);
void RegisterProcessInfo(pybind11::module_& m);
void RegisterImages(pybind11::module_& m);
void RegisterLogStream(pybind11::module_& m);
void RegisterContainer(pybind11::module_& m);
// Container's cp, export, diff and commit methods; in container_files.cc.
void DefineContainerFiles(pybind11::class_<PyContainer>& cls);
// Container.exec() and its ExecStream; in exec_run.cc.
void DefineContainerExec(pybind11::module_& m, pybind11::class_<PyContainer>& cls);
void RegisterContainers(pybind11::module_& m);
void RegisterRuntime(pybind11::module_& m);
// Bundles and Bundle: containers from OCI bundles through mydocker-runc; in bundles.cc.
void RegisterBundles(pybind11::module_& m);
// After RegisterContainer: adds connect(), disconnect() and networks to Container.
void RegisterNetworks(pybind11::module_& m);

// docker-py's since/until: a datetime, a Unix time (int or float seconds) or Docker's text
// (RFC 3339, Unix seconds, a duration before now such as "10m"); None: `if_none`. In
// log_stream.cc. REQUIRES: the GIL.
absl::Time ToLogTime(const pybind11::object& value, const char* what, absl::Time if_none);

// Housekeeping (housekeeping.cc). REQUIRES: the GIL.
// docker-py's filters: a dict (a value may be a list of alternatives; booleans are "true" and
// "false") or a list of "KEY=VALUE" strings; None: none.
std::vector<std::string> FilterSpecs(const pybind11::object& filters);
// Runs the prune of `sections` (one views::PruneSection, or all of them: `system prune`); its
// report as docker-py's dict ({"ContainersDeleted", ..., "SpaceReclaimed"}).
pybind11::object PruneWith(const RuntimePtr& runtime, unsigned sections,
                           const pybind11::object& filters, bool all = false, bool volumes = false);
// Runtime.df(): views::DiskUsageJson as a dict.
pybind11::object DiskUsageOf(const RuntimePtr& runtime, bool verbose);
// Runtime.events(): an iterator of events (JSON str, or dicts with `decode`).
pybind11::object EventsOf(const RuntimePtr& runtime, const pybind11::object& since,
                          const pybind11::object& until, const pybind11::object& filters,
                          bool decode);
void RegisterEventStream(pybind11::module_& m);

// Images.pull() and push(), Runtime.login() and logout(); in registry.cc. REQUIRES: the GIL.
Image PullImage(Runtime& runtime, const std::string& ref,
                const std::optional<std::string>& platform, const pybind11::object& progress);
std::string PushImage(Runtime& runtime, const std::string& ref, const pybind11::object& progress);
void LoginToServer(const std::string& server, const std::string& username,
                   const std::string& password);
// False when no credentials were stored for `server`.
bool LogoutFromServer(const std::string& server);

// Container.logs(); in log_stream.cc.
pybind11::object ContainerLogs(PyContainer& container, bool follow, std::optional<size_t> tail,
                               bool stdout, bool stderr, const pybind11::object& since,
                               const pybind11::object& until);

}  // namespace mydocker::python

#endif  // MYDOCKER_BINDINGS_PYTHON_BINDINGS_H_
