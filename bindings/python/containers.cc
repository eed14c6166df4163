// Containers: the containers of a runtime's state root.
#include <pybind11/stl.h>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/views.h"
#include "run_options.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

// runtime.containers: a view, holding the runtime.
struct Containers {
  RuntimePtr runtime;
};

std::vector<PyContainer> List(Containers& self, bool all) {
  auto states = WithoutGil([&] { return self.runtime->List(all); });
  std::vector<PyContainer> out;
  out.reserve(states.size());
  for (ContainerState& s : states) out.emplace_back(self.runtime, s.id, s.name);
  return out;
}

PyContainer Get(Containers& self, const std::string& ref) {
  auto state = WithoutGil([&]() -> absl::StatusOr<ContainerState> {
    auto container = self.runtime->Get(ref);
    if (!container.ok()) return container.status();
    return (*container)->State();
  });
  return PyContainer(self.runtime, state.id, state.name);
}

PyContainer Create(Containers& self, const RunArgs& args) {
  return CreateContainer(self.runtime, args);
}

}  // namespace

PyContainer CreateContainer(const RuntimePtr& runtime, const RunArgs& args) {
  CreateOptions options = ToCreateOptions(args);
  ContainerState state = WithoutGil([&]() -> absl::StatusOr<ContainerState> {
    auto container = runtime->Create(options);
    if (!container.ok()) return container.status();
    return (*container)->State();
  });
  return PyContainer(runtime, state.id, state.name);
}

void RegisterContainers(py::module_& m) {
  py::class_<Containers> containers(m, "Containers",
                                    "The containers of a runtime (Runtime.containers).");
  containers
      .def("list", &List, py::kw_only(), py::arg("all") = false,
           "The running and paused containers, or with all=True every container.")
      .def("get", &Get, py::arg("ref"),
           "The container named ref: a name, a full id or a unique id prefix. Raises NotFound.")
      .def(
          "prune",
          [](Containers& self, const py::object& filters) {
            return PruneWith(self.runtime, views::kPruneContainers, filters);
          },
          py::arg("filters") = py::none(),
          "`container prune`: removes every container that is not running, paused or "
          "restarting. filters (docker-py's): a dict or a list of 'KEY=VALUE': until (created "
          "before: a datetime, Unix seconds or Docker's text such as '24h'), label ('k' or "
          "'k=v'), label! (has not). Returns {'ContainersDeleted': [ids], 'SpaceReclaimed': "
          "bytes}. Raises InvalidArgument for a bad filter, nothing removed.")
      .def("__repr__", [](const Containers& self) {
        return absl::StrCat("<Containers root=", self.runtime->options().root, ">");
      });
  DefWithRunArgs<>(containers, "create", &Create,
                   R"doc(Creates a container from image without starting it; returns its
Container, status "created". Container.start() runs it, detached.

The arguments are Runtime.run()'s (less detach). remove=True removes the container when,
once started, it ends.

Raises NotFound (no such image), Conflict (name in use), InvalidArgument (bad option).)doc");
}

py::object MakeContainers(const RuntimePtr& runtime) { return py::cast(Containers{runtime}); }

}  // namespace mydocker::python
