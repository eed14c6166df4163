// `top CONTAINER [ps OPTIONS]` as Docker does it: the host's `ps` with the options, its lines
// kept for the container's processes only (by the PID column).
#ifndef MYDOCKER_TOOLS_PS_OUTPUT_H_
#define MYDOCKER_TOOLS_PS_OUTPUT_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::cli {

// Docker's check of the options: no column but pid may be titled PID (`-o user=PID`), which
// would mislead the filtering. InvalidArgument with Docker's words otherwise.
absl::Status CheckPsArgs(const std::vector<std::string>& args);

// The output of the host's `ps ARGS` (found on PATH; its stderr passes through).
absl::StatusOr<std::string> RunPs(const std::vector<std::string>& args);

// The header and the rows of `ps` output whose PID column is in `pids`; the last column (a
// command line) keeps its spaces. InvalidArgument when there is no PID column or a PID is not a
// number.
absl::StatusOr<std::vector<std::vector<std::string>>> FilterPsOutput(absl::string_view output,
                                                                     const std::set<int>& pids);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_PS_OUTPUT_H_
