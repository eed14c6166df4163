// mydocker image inspect [-f FORMAT] IMAGE...   (a JSON array shaped like Docker's)
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "inspect_print.h"

namespace mydocker::cli {
void RegisterImageInspect(CLI::App& image, Context& ctx) {
  auto refs = std::make_shared<std::vector<std::string>>();
  auto format = std::make_shared<std::string>();
  CLI::App* cmd = image.add_subcommand("inspect", "Show images' configuration as JSON");
  AddInspectFormat(*cmd, *format);
  cmd->add_option("images", *refs, "Images (NAME[:TAG], ID or ID prefix)")->required();
  // Like Docker: every image found is printed; one not found makes the exit status 1.
  cmd->callback(
      [&ctx, refs, format] { PrintInspect(ctx, *refs, *format, InspectLookupFor(ctx, "image")); });
}

}  // namespace mydocker::cli
