// Helpers that several commands share. A helper used by one command stays in that command's file.
#ifndef MYDOCKER_TOOLS_CLI_UTIL_H_
#define MYDOCKER_TOOLS_CLI_UTIL_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "context.h"
#include "mydocker/container.h"
#include "mydocker/container_state.h"

namespace mydocker::cli {

// Docker's name for a status: "created", "running", "paused", "exited".
std::string DockerStatusName(ContainerStatus status);

// Applies `action` to each container named in `refs`, printing the name on success; an error
// for one does not stop the others and makes the exit status 1.
int ForEachContainer(Context& ctx, const std::vector<std::string>& refs,
                     const std::function<absl::Status(Container&)>& action);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_CLI_UTIL_H_
