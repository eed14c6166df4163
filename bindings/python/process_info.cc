// ProcessInfo: one process of a running container, as Container.top() lists it.
#include <pybind11/pybind11.h>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/container.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

// The host's name for a uid, as `ps` and `mydocker top` show it; the number if it has none.
std::string UserName(const ProcessInfo& p) {
  try {
    return py::module_::import("pwd").attr("getpwuid")(p.uid).attr("pw_name").cast<std::string>();
  } catch (py::error_already_set& e) {
    if (!e.matches(PyExc_KeyError)) throw;
    return absl::StrCat(p.uid);
  }
}

}  // namespace

void RegisterProcessInfo(py::module_& m) {
  py::class_<ProcessInfo>(m, "ProcessInfo",
                          "One process of a running container (Container.top() lists them). "
                          "Pids are the host's, as in Docker's top.")
      .def_readonly("pid", &ProcessInfo::pid, "The process id on the host.")
      .def_readonly("ppid", &ProcessInfo::ppid, "The parent's process id on the host.")
      .def_readonly("uid", &ProcessInfo::uid, "The real user id, as the host sees it.")
      .def_property_readonly("user", &UserName,
                             "The host's name for uid (the number as a str if it has none).")
      .def_property_readonly(
          "state", [](const ProcessInfo& p) { return std::string(1, p.state); },
          "The kernel's one-letter state: R running, S sleeping, D disk wait, T stopped, "
          "Z zombie, ...")
      .def_readonly("cpu_seconds", &ProcessInfo::cpu_seconds,
                    "CPU time used so far (user and system), in seconds.")
      .def_readonly("command", &ProcessInfo::command,
                    "The command line, its arguments joined by spaces; [name] when it has "
                    "none (a zombie).")
      .def("__repr__", [](const ProcessInfo& p) {
        return absl::StrCat("ProcessInfo(pid=", p.pid, ", ppid=", p.ppid, ", uid=", p.uid,
                            ", state='", std::string(1, p.state), "', cpu_seconds=", p.cpu_seconds,
                            ", command=", py::repr(py::str(p.command)).cast<std::string>(), ")");
      });
}

}  // namespace mydocker::python
