// Networks: runtime.networks (`network create|ls|inspect|rm|prune`) and Container.connect() /
// disconnect() (`network connect|disconnect`). See docs/networking.md.
#include <pybind11/stl.h>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/network_store.h"
#include "mydocker/views.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

// runtime.networks: a view, holding the runtime.
struct Networks {
  RuntimePtr runtime;
  network::NetworkStore store() const { return network::NetworkStore(runtime->state().root()); }
};

std::string InspectJson(network::NetworkStore& store, const NetworkRecord& r) {
  return views::NetworkInspect(r, store.Users(r.name).value_or(std::vector<std::string>{}));
}

py::object Create(Networks& self, const std::string& name, const std::string& subnet,
                  const std::string& gateway, bool internal,
                  const std::map<std::string, std::string>& labels) {
  NetworkCreateOptions o;
  o.name = name;
  o.subnet = subnet;
  o.gateway = gateway;
  o.internal = internal;
  for (const auto& [k, v] : labels) o.labels.push_back(absl::StrCat(k, "=", v));
  std::string json = WithoutGil([&]() -> absl::StatusOr<std::string> {
    network::NetworkStore store = self.store();
    absl::StatusOr<NetworkRecord> r = store.Create(o);
    if (!r.ok()) return r.status();
    return InspectJson(store, *r);
  });
  return JsonToPython(json);
}

py::object List(Networks& self) {
  std::string json = WithoutGil([&]() -> absl::StatusOr<std::string> {
    network::NetworkStore store = self.store();
    absl::StatusOr<std::vector<NetworkRecord>> all = store.List();
    if (!all.ok()) return all.status();
    std::vector<std::string> views;
    for (const NetworkRecord& r : *all) views.push_back(InspectJson(store, r));
    return views::Array(views);
  });
  return JsonToPython(json);
}

py::object Get(Networks& self, const std::string& name) {
  std::string json = WithoutGil([&]() -> absl::StatusOr<std::string> {
    network::NetworkStore store = self.store();
    absl::StatusOr<NetworkRecord> r = store.Get(name);
    if (!r.ok()) return r.status();
    return InspectJson(store, *r);
  });
  return JsonToPython(json);
}

void Connect(PyContainer& c, const std::string& network, const std::string& ip,
             const std::vector<std::string>& aliases) {
  NetworkConnectOptions o{ip, aliases};
  WithoutGil([&] { return c.core().ConnectNetwork(network, o); });
}

}  // namespace

py::object MakeNetworks(const RuntimePtr& runtime) { return py::cast(Networks{runtime}); }

void RegisterNetworks(py::module_& m) {
  py::class_<Networks>(m, "Networks", "The networks of a runtime (Runtime.networks).")
      .def("create", &Create, py::arg("name"), py::kw_only(), py::arg("subnet") = "",
           py::arg("gateway") = "", py::arg("internal") = false,
           py::arg("labels") = std::map<std::string, std::string>{},
           "Creates a bridge network (`network create`); returns its inspect dict. subnet: "
           "CIDR, else the first free 172.N.0.0/16; gateway: else the subnet's first address; "
           "internal: no traffic in or out. Raises InvalidArgument for a bad or overlapping "
           "subnet, AlreadyExists for a name in use.")
      .def("list", &List, "Every network as a list of inspect dicts (`network ls`).")
      .def("get", &Get, py::arg("name"),
           "`network inspect NAME` (name, id or unique id prefix) as a dict: Name, Id, Driver, "
           "Subnet, Gateway, Internal, Labels, IPAM, Containers (ids). Raises NotFound.")
      .def(
          "remove",
          [](Networks& self, const std::string& name) {
            WithoutGil([&] { return self.store().Remove(name); });
          },
          py::arg("name"), "`network rm`: raises FailedPrecondition while a container is on it.")
      .def(
          "prune",
          [](Networks& self, const py::object& filters) -> py::object {
            if (filters.is_none()) {
              return py::cast(WithoutGil([&] { return self.store().Prune(); }));
            }
            return PruneWith(self.runtime, views::kPruneNetworks, filters)["NetworksDeleted"];
          },
          py::arg("filters") = py::none(),
          "Removes every user network no container is on (and that filters select: until, "
          "label, label! as Containers.prune's); returns their names.")
      .def("__repr__", [](const Networks& self) {
        return absl::StrCat("<Networks root=", self.runtime->options().root, ">");
      });
  auto container = py::reinterpret_borrow<py::class_<PyContainer>>(m.attr("Container"));
  container
      .def("connect", &Connect, py::arg("network"), py::kw_only(), py::arg("ip") = "",
           py::arg("aliases") = std::vector<std::string>{},
           "`network connect`: an address and an interface (eth1, ...) on network, at once if "
           "running, else at the next start. Raises AlreadyExists if it is on it already.")
      .def(
          "disconnect",
          [](PyContainer& c, const std::string& network) {
            WithoutGil([&] { return c.core().DisconnectNetwork(network); });
          },
          py::arg("network"), "`network disconnect`: raises NotFound if it is not on it.")
      .def_property_readonly(
          "networks",
          [](PyContainer& c) {
            std::vector<std::string> names;
            for (const NetworkAttachment& a : c.core().Networks()) {
              if (!a.network.empty()) names.push_back(a.network);
            }
            return names;
          },
          "The names of the networks it is on, its first (run's network) first.");
}

}  // namespace mydocker::python
