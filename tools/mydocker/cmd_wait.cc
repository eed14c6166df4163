// mydocker wait CONTAINER...  (prints each exit code)
#include <iostream>

#include "commands.h"

namespace mydocker::cli {

void RegisterWait(CLI::App& app, Context& ctx) {
  auto containers = std::make_shared<std::vector<std::string>>();
  CLI::App* wait =
      app.add_subcommand("wait", "Block until containers stop, then print their exit codes");
  wait->add_option("containers", *containers, "Containers")->required();
  wait->callback([&ctx, containers] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    for (const std::string& ref : *containers) {
      auto container = rt->Get(ref);
      auto code = container.ok() ? (*container)->Wait() : container.status();
      if (!code.ok()) {
        ctx.Fail(code.status(), 1);
      } else if (code->has_value()) {
        std::cout << **code << std::endl;
      } else {
        // The end was not observed (its monitor was killed): there is no code to print.
        ctx.Fail(absl::UnknownError(ref + ": exit code unknown"), 1);
      }
    }
  });
}

}  // namespace mydocker::cli
