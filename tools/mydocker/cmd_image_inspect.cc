// mydocker image inspect IMAGE...   (a JSON array shaped like Docker's)
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "mydocker/views.h"

namespace mydocker::cli {
namespace {

int Inspect(Context& ctx, const std::vector<std::string>& refs) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  std::vector<std::string> objects;
  // Like Docker: every image found is printed; one not found makes the exit status 1.
  for (const std::string& ref : refs) {
    auto image = rt->images().Resolve(ref);
    auto config = image.ok() ? rt->images().ConfigJson(*image) : image.status();
    if (!config.ok()) {
      ctx.Fail(config.status(), 1);
      continue;
    }
    objects.push_back(views::ImageInspect(*image, *config, views::JsonStyle::kIndented));
  }
  std::cout << views::Array(objects, views::JsonStyle::kIndented) << "\n";
  return ctx.exit_code;
}

}  // namespace

void RegisterImageInspect(CLI::App& image, Context& ctx) {
  auto refs = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = image.add_subcommand("inspect", "Show images' configuration as JSON");
  cmd->add_option("images", *refs, "Images (NAME[:TAG], ID or ID prefix)")->required();
  cmd->callback([&ctx, refs] { ctx.exit_code = Inspect(ctx, *refs); });
}

}  // namespace mydocker::cli
