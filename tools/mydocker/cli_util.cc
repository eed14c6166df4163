#include "cli_util.h"

#include <iostream>

namespace mydocker::cli {

std::string DockerStatusName(ContainerStatus status) {
  return status == ContainerStatus::kStopped ? "exited" : std::string(ContainerStatusName(status));
}

int ForEachContainer(Context& ctx, const std::vector<std::string>& refs,
                     const std::function<absl::Status(Container&)>& action) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  // An error for one container does not stop the others; the exit status says one failed.
  for (const std::string& ref : refs) {
    auto container = rt->Get(ref);
    absl::Status s = container.ok() ? action(**container) : container.status();
    if (s.ok()) {
      std::cout << ref << "\n";
    } else {
      ctx.Fail(s, 1);
    }
  }
  return ctx.exit_code;
}

}  // namespace mydocker::cli
