// Stats: resource usage of a container, read from its cgroup.
#include <pybind11/stl.h>

#include "absl/strings/str_cat.h"
#include "bindings.h"
#include "mydocker/cgroup_manager.h"

namespace mydocker::python {
namespace py = pybind11;

void RegisterStats(py::module_& m) {
  py::class_<CgroupStats>(m, "Stats",
                          "Resource usage of a running or paused container, from its cgroup "
                          "(returned by Container.stats()).")
      .def_readonly("cpu_usage_ns", &CgroupStats::cpu_usage_ns,
                    "Cumulative CPU time of every process of the container, in nanoseconds.")
      .def_readonly("memory_usage", &CgroupStats::memory_usage,
                    "Memory in use, in bytes (on cgroup v1 without inactive file cache, like "
                    "Docker).")
      .def_readonly("memory_limit", &CgroupStats::memory_limit,
                    "Memory limit in bytes, or None when unlimited.")
      .def_readonly("pids_current", &CgroupStats::pids_current,
                    "Number of processes (and threads) in the container.")
      .def_readonly("pids_limit", &CgroupStats::pids_limit,
                    "Process limit, or None when unlimited.")
      .def_readonly("oom_kills", &CgroupStats::oom_kills,
                    "How many times the kernel's OOM killer struck inside the container.")
      .def_readonly("net_rx_bytes", &CgroupStats::net_rx_bytes,
                    "Bytes received on its network interfaces but lo (0 with the host's network "
                    "or only lo).")
      .def_readonly("net_tx_bytes", &CgroupStats::net_tx_bytes,
                    "Bytes sent on its network interfaces but lo.")
      .def("__repr__", [](const CgroupStats& s) {
        return absl::StrCat(
            "Stats(cpu_usage_ns=", s.cpu_usage_ns, ", memory_usage=", s.memory_usage,
            ", memory_limit=", s.memory_limit ? absl::StrCat(*s.memory_limit) : "None",
            ", pids_current=", s.pids_current,
            ", pids_limit=", s.pids_limit ? absl::StrCat(*s.pids_limit) : "None",
            ", oom_kills=", s.oom_kills, ", net_rx_bytes=", s.net_rx_bytes,
            ", net_tx_bytes=", s.net_tx_bytes, ")");
      });
}

}  // namespace mydocker::python
