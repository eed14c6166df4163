// Containers: the containers of a runtime's state root.
#include <pybind11/stl.h>

#include "absl/strings/str_cat.h"
#include "bindings.h"
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

}  // namespace

void RegisterContainers(py::module_& m) {
  py::class_<Containers>(m, "Containers", "The containers of a runtime (Runtime.containers).")
      .def("list", &List, py::kw_only(), py::arg("all") = false,
           "The running and paused containers, or with all=True every container.")
      .def("get", &Get, py::arg("ref"),
           "The container named ref: a name, a full id or a unique id prefix. Raises NotFound.")
      .def("__repr__", [](const Containers& self) {
        return absl::StrCat("<Containers root=", self.runtime->options().root, ">");
      });
}

py::object MakeContainers(const RuntimePtr& runtime) { return py::cast(Containers{runtime}); }

}  // namespace mydocker::python
