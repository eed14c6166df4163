// Volumes: the volumes of a runtime's state root (`mydocker volume ...`), as dicts shaped like
// `volume inspect`'s objects.
#include <pybind11/stl.h>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/housekeeping.h"
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
          [](Volumes& self, std::optional<std::string> name, const py::object& labels) {
            std::string chosen = name && !name->empty() ? *name : NewContainerId();
            std::map<std::string, std::string> parsed;
            if (!labels.is_none()) parsed = labels.cast<std::map<std::string, std::string>>();
            return ToDict(WithoutGil([&] {
              return self.runtime->volumes().Ensure(chosen, /*anonymous=*/false, parsed);
            }));
          },
          py::arg("name") = py::none(), py::kw_only(), py::arg("labels") = py::none(),
          "`volume create [--label K=V]... [NAME]`: makes the volume, or returns the one of "
          "that name (which keeps its own labels), as Docker does; None: a generated name. "
          "labels: a dict, the volume's Labels. Raises InvalidArgument for a name Docker "
          "refuses.")
      .def(
          "list",
          [](Volumes& self, const py::object& filters) {
            Filters parsed = ValueOrThrow(ParseVolumeFilters(FilterSpecs(filters)));
            std::vector<Volume> volumes =
                WithoutGil([&] { return self.runtime->ListVolumes(parsed); });
            py::list out;
            for (const Volume& v : volumes) out.append(ToDict(v));
            return out;
          },
          py::kw_only(), py::arg("filters") = py::none(),
          "`volume ls [--filter]`: the volumes, as a list of dicts. filters (docker-py's): a "
          "dict or a list of 'KEY=VALUE': dangling (True: no container uses it), name (an "
          "expression found in the name), driver ('local'), label ('k' or 'k=v'). Raises "
          "InvalidArgument for a bad filter.")
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
