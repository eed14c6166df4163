// mydocker inspect CONTAINER...  (a JSON array, shaped like Docker's, with the OCI config)
#include <iostream>

#include "commands.h"
#include "mydocker/network_store.h"
#include "mydocker/views.h"

namespace mydocker::cli {

void RegisterInspect(CLI::App& app, Context& ctx) {
  auto refs = std::make_shared<std::vector<std::string>>();
  CLI::App* inspect = app.add_subcommand("inspect", "Show low-level information on containers");
  inspect->add_option("containers", *refs, "Containers")->required();
  inspect->callback([&ctx, refs] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    std::vector<std::string> objects;
    for (const std::string& ref : *refs) {
      auto container = rt->Get(ref);
      absl::StatusOr<ContainerState> state =
          container.ok() ? (*container)->State() : container.status();
      absl::StatusOr<ContainerConfig> config = state.ok() ? (*container)->Config() : state.status();
      if (!config.ok()) {
        ctx.Fail(config.status(), 1);
        continue;
      }
      objects.push_back(views::ContainerInspect(*state, *config, views::JsonStyle::kIndented,
                                                (*container)->Networks()));
    }
    std::cout << views::Array(objects, views::JsonStyle::kIndented) << "\n";
  });
}

}  // namespace mydocker::cli
