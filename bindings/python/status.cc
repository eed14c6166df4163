#include "status.h"

#include <string>

#include "mydocker/status_macros.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

// Created once at import and never freed: they live as long as the interpreter.
struct ExceptionTypes {
  PyObject* base = nullptr;
  PyObject* not_found = nullptr;
  PyObject* conflict = nullptr;
  PyObject* invalid_argument = nullptr;
  PyObject* timeout = nullptr;
  PyObject* permission_denied = nullptr;
  PyObject* command_error = nullptr;
};
ExceptionTypes types;

PyObject* NewType(py::module_& module, const char* name, const char* doc, py::tuple bases) {
  std::string qualified = std::string(PyModule_GetName(module.ptr())) + "." + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  module.add_object(name, py::reinterpret_borrow<py::object>(type));
  return type;
}

// The exception class for a status. The exit code payload wins: a command that could not be
// run (126, 127) is the caller's problem with the command, whatever the code says.
PyObject* TypeFor(const absl::Status& status, int exit_code) {
  if (exit_code == 126 || exit_code == 127) return types.command_error;
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return types.not_found;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
      return types.conflict;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return types.invalid_argument;
    case absl::StatusCode::kDeadlineExceeded:
      return types.timeout;
    case absl::StatusCode::kPermissionDenied:
      return types.permission_denied;
    default:
      return types.base;
  }
}

}  // namespace

void RegisterExceptions(py::module_& m) {
  py::handle exception(PyExc_Exception);
  types.base =
      NewType(m, "MyDockerError",
              "Base class of every error mydocker raises. Its attributes: code, the core's status "
              "code name (e.g. 'NOT_FOUND'), and exit_code, the exit status Docker's "
              "conventions give the failure: 125 (runtime error), 126 (command cannot "
              "be invoked), 127 (command not found).",
              py::make_tuple(exception));
  py::handle base(types.base);
  types.not_found =
      NewType(m, "NotFound", "No such container, image or volume (also a LookupError).",
              py::make_tuple(base, py::handle(PyExc_LookupError)));
  types.conflict = NewType(m, "Conflict",
                           "The operation conflicts with the current state: a name already in "
                           "use, a running container that must be stopped first, a paused one.",
                           py::make_tuple(base));
  types.invalid_argument = NewType(m, "InvalidArgument",
                                   "A bad argument, e.g. an unparsable memory size (also a "
                                   "ValueError).",
                                   py::make_tuple(base, py::handle(PyExc_ValueError)));
  types.timeout = NewType(m, "Timeout", "A wait ran out of time (also a TimeoutError).",
                          py::make_tuple(base, py::handle(PyExc_TimeoutError)));
  types.permission_denied = NewType(m, "PermissionDenied",
                                    "The operating system refused (also a PermissionError); "
                                    "running containers needs root.",
                                    py::make_tuple(base, py::handle(PyExc_PermissionError)));
  types.command_error = NewType(m, "CommandError",
                                "The container's command could not be run: exit_code is 127 "
                                "when it was not found, 126 when it cannot be invoked.",
                                py::make_tuple(base));
}

void ThrowStatus(const absl::Status& status) {
  int exit_code = ExitCodeOf(status);
  PyObject* type = TypeFor(status, exit_code);
  py::object instance = py::reinterpret_borrow<py::object>(type)(std::string(status.message()));
  instance.attr("code") = absl::StatusCodeToString(status.code());
  instance.attr("exit_code") = exit_code;
  PyErr_SetObject(type, instance.ptr());
  throw py::error_already_set();
}

}  // namespace mydocker::python
