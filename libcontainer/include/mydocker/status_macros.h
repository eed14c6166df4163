// Small helpers around absl::Status. Our Abseil (20220623) has no return-if-error macros.
#ifndef MYDOCKER_STATUS_MACROS_H_
#define MYDOCKER_STATUS_MACROS_H_

#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#define MYDOCKER_CONCAT_INNER_(a, b) a##b
#define MYDOCKER_CONCAT_(a, b) MYDOCKER_CONCAT_INNER_(a, b)

// Returns from the current function if `expr` (an absl::Status) is not OK.
#define MYDOCKER_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::absl::Status mydocker_status_ = (expr);            \
    if (!mydocker_status_.ok()) return mydocker_status_; \
  } while (0)

// `lhs` = value of `expr` (an absl::StatusOr<T>), or returns its error.
#define MYDOCKER_ASSIGN_OR_RETURN(lhs, expr) \
  MYDOCKER_ASSIGN_OR_RETURN_IMPL_(MYDOCKER_CONCAT_(mydocker_statusor_, __LINE__), lhs, expr)
#define MYDOCKER_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return std::move(tmp).status();        \
  lhs = std::move(tmp).value()

namespace mydocker {

// An error status for a failed system call: "what: strerror(err)", with the code errno maps to.
inline absl::Status ErrnoError(int err, absl::string_view what) {
  return absl::ErrnoToStatus(err, what);
}

// Same, reading errno now.
inline absl::Status LastErrnoError(absl::string_view what) { return ErrnoError(errno, what); }

// Prefixes a status's message with context, keeping its code and payloads.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

// The process exit status a failed operation should give (Docker's conventions): 126 when the
// command cannot be invoked, 127 when it was not found, 125 for the runtime's own errors. The
// first two are carried as a payload set by WithExitCode.
int ExitCodeOf(const absl::Status& status);
absl::Status WithExitCode(absl::Status status, int exit_code);

}  // namespace mydocker

#endif  // MYDOCKER_STATUS_MACROS_H_
