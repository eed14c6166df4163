// The keyword arguments of Runtime.run() turned into the core's CreateOptions.
#ifndef MYDOCKER_BINDINGS_PYTHON_RUN_OPTIONS_H_
#define MYDOCKER_BINDINGS_PYTHON_RUN_OPTIONS_H_

#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include "mydocker/container.h"

namespace mydocker::python {

struct RunArgs {
  std::string image;
  pybind11::object command;  // None, a str (split like a shell) or a sequence of str
  std::string name;
  pybind11::object env;      // None, a mapping or a sequence of "KEY=VALUE"
  pybind11::object volumes;  // None, a mapping (source -> destination) or a sequence of specs
  pybind11::object memory;   // None, bytes as int, or "512m"
  pybind11::object cpus;     // None, a number or a str ("1.5")
  std::optional<int64_t> pids_limit;
  std::string workdir;
  std::string hostname;
  bool remove = false;
};

// Raises InvalidArgument (or TypeError for a value of the wrong type). REQUIRES: the GIL.
CreateOptions ToCreateOptions(const RunArgs& args);

// A command: a str is split like a shell would (shlex.split), a sequence taken as it is.
std::vector<std::string> ToArgv(const pybind11::object& command);

// An environment: a mapping or a sequence of "KEY=VALUE".
std::vector<std::string> ToEnv(const pybind11::object& env);

}  // namespace mydocker::python

#endif  // MYDOCKER_BINDINGS_PYTHON_RUN_OPTIONS_H_
