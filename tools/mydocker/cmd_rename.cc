// mydocker rename CONTAINER NEW_NAME
#include "commands.h"

namespace mydocker::cli {

void RegisterRename(CLI::App& app, Context& ctx) {
  auto names = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App* rename = app.add_subcommand("rename", "Rename a container");
  rename->add_option("container", names->first, "Container")->required();
  rename->add_option("new_name", names->second, "New name")->required();
  rename->callback([&ctx, names] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto container = rt->Get(names->first);
    absl::Status s = container.ok() ? (*container)->Rename(names->second) : container.status();
    if (!s.ok()) ctx.Fail(s, 1);
  });
}

}  // namespace mydocker::cli
