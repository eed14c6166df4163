// pymydocker: Python bindings over libcontainer (the C++ core). See docs/python.md.
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "mydocker/views.h"
#include "status.h"

namespace mydocker::python {

void CheckSignals() {
  if (PyErr_CheckSignals() != 0) throw pybind11::error_already_set();
}

pybind11::object ToDatetime(absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return pybind11::none();
  pybind11::module_ datetime = pybind11::module_::import("datetime");
  pybind11::object utc = datetime.attr("timezone").attr("utc");
  return datetime.attr("datetime")
      .attr("fromtimestamp")(absl::ToDoubleSeconds(t - absl::UnixEpoch()), utc);
}

pybind11::object JsonToPython(const std::string& json) {
  return pybind11::module_::import("json").attr("loads")(pybind11::str(json));
}

}  // namespace mydocker::python

PYBIND11_MODULE(_core, m) {
  namespace mp = mydocker::python;
  m.doc() = "The compiled part of pymydocker; import pymydocker instead.";
  m.attr("__version__") = MYDOCKER_VERSION;
  m.def(
      "features",
      [] {
        return mp::JsonToPython(mydocker::views::Features({MYDOCKER_VERSION, ""}));
      },
      "What this build supports, as a dict shaped like the OCI runtime spec's features "
      "document (`runc features`): ociVersionMin, ociVersionMax, linux (namespaces, cgroup, "
      "seccomp actions, operators and archs) and annotations with mydocker's version "
      "(io.mydocker.version), as the C API's mydocker_features() gives it.");
  mp::RegisterExceptions(m);
  mp::RegisterStats(m);
  mp::RegisterProcessInfo(m);
  mp::RegisterImages(m);
  mp::RegisterLogStream(m);
  mp::RegisterEventStream(m);
  mp::RegisterContainer(m);
  mp::RegisterContainers(m);
  mp::RegisterNetworks(m);
  mp::RegisterVolumes(m);
  mp::RegisterRuntime(m);
  mp::RegisterBundles(m);
}
