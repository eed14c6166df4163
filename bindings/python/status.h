// The one place where an absl::Status becomes a Python exception, and the helpers every binding
// uses to call the core without the GIL.
#ifndef MYDOCKER_BINDINGS_PYTHON_STATUS_H_
#define MYDOCKER_BINDINGS_PYTHON_STATUS_H_

#include <pybind11/pybind11.h>

#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace mydocker::python {

// Creates MyDockerError and its subclasses as attributes of `module`.
void RegisterExceptions(pybind11::module_& module);

// Raises the Python exception for a non-OK `status`: sets the Python error and throws
// pybind11::error_already_set. REQUIRES: the GIL is held.
[[noreturn]] void ThrowStatus(const absl::Status& status);

inline void ThrowIfError(const absl::Status& status) {
  if (!status.ok()) ThrowStatus(status);
}

template <typename T>
T ValueOrThrow(absl::StatusOr<T> result) {
  if (!result.ok()) ThrowStatus(result.status());
  return std::move(result).value();
}

// Runs `fn` (returning absl::Status or absl::StatusOr<T>) with the GIL released and raises its
// error once the GIL is held again. REQUIRES: the GIL is held on entry; `fn` touches no Python
// object.
template <typename Fn>
auto WithoutGil(Fn&& fn) {
  using Result = std::invoke_result_t<Fn>;
  if constexpr (std::is_same_v<Result, absl::Status>) {
    absl::Status status;
    {
      pybind11::gil_scoped_release release;
      status = fn();
    }
    ThrowIfError(status);
  } else {
    std::optional<Result> result;
    {
      pybind11::gil_scoped_release release;
      result.emplace(fn());
    }
    return ValueOrThrow(std::move(*result));
  }
}

}  // namespace mydocker::python

#endif  // MYDOCKER_BINDINGS_PYTHON_STATUS_H_
