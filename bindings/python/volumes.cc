// Volumes: the volumes of a runtime's state root (`mydocker volume ...`), as dicts shaped like
// `volume inspect`'s objects.
#include <pybind11/stl.h>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/state_store.h"
#include "mydocker/views.h"
#include "mydocker/volume_store.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

// runtime.volumes: a view, holding the runtime.
struct Volumes {
  RuntimePtr runtime;
};

py::object ToDict(const Volume& v) { return JsonToPython(views::VolumeInspect(v)); }

}  // namespace

void RegisterVolumes(py::module_& m) {
  py::class_<Volumes>(m, "Volumes",
                      "The volumes of a runtime (Runtime.volumes). A volume is a dict as `volume "
                      "inspect` shows it: Name, Driver ('local'), Mountpoint (its directory on "
                      "the host), CreatedAt, Anonymous (made for a container's '-v /path'), "
                      "Scope.")
      .def(
          "create",
          [](Volumes& self, std::optional<std::string> name) {
            std::string chosen = name && !name->empty() ? *name : NewContainerId();
            return ToDict(WithoutGil([&] { return self.runtime->volumes().Ensure(chosen); }));
          },
          py::arg("name") = py::none(),
          "`volume create [NAME]`: makes the volume, or returns the one of that name, as Docker "
          "does; None: a generated name. Raises InvalidArgument for a name Docker refuses.")
      .def(
          "list",
          [](Volumes& self) {
            std::vector<Volume> volumes =
                WithoutGil([&] { return self.runtime->volumes().List(); });
            py::list out;
            for (const Volume& v : volumes) out.append(ToDict(v));
            return out;
          },
          "`volume ls`: every volume, as a list of dicts.")
      .def(
          "get",
          [](Volumes& self, const std::string& name) {
            return ToDict(WithoutGil([&] { return self.runtime->volumes().Get(name); }));
          },
          py::arg("name"), "`volume inspect NAME`, as a dict. Raises NotFound.")
      .def(
          "remove",
          [](Volumes& self, const std::string& name, bool force) {
            WithoutGil([&] { return self.runtime->RemoveVolume(name, force); });
          },
          py::arg("name"), py::kw_only(), py::arg("force") = false,
          "`volume rm [-f] NAME`: the volume and its content. Raises NotFound, or Conflict "
          "while a container uses it unless force.")
      .def(
          "prune",
          [](Volumes& self, bool all) {
            return WithoutGil([&] { return self.runtime->PruneVolumes(all); });
          },
          py::kw_only(), py::arg("all") = false,
          "`volume prune [-a]`: removes every anonymous volume no container uses (all=True: "
          "named ones too); returns the removed names.")
      .def("__repr__", [](const Volumes& self) {
        return absl::StrCat("<Volumes root=", self.runtime->options().root, ">");
      });
}

py::object MakeVolumes(const RuntimePtr& runtime) { return py::cast(Volumes{runtime}); }

}  // namespace mydocker::python
