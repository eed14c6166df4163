// mydocker inspect [-f FORMAT] [--type container|image|network|volume] NAME...
// Docker-shaped JSON: a container's with the OCI config, an image's, a network's, a volume's.
#include "commands.h"
#include "inspect_print.h"

namespace mydocker::cli {
namespace {

struct InspectFlags {
  std::vector<std::string> refs;
  std::string format;
  std::string type;
};

}  // namespace

void RegisterInspect(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<InspectFlags>();
  CLI::App* inspect =
      app.add_subcommand("inspect", "Return low-level information on Docker objects");
  AddInspectFormat(*inspect, flags->format);
  inspect->add_option("--type", flags->type, "Only inspect objects of the given type")
      ->check(CLI::IsMember({"container", "image", "network", "volume"}));
  // Named "containers" for the completions, which offer containers first (Docker's order).
  inspect->add_option("containers", flags->refs, "Containers, images, networks or volumes")
      ->required();
  inspect->callback([&ctx, flags] {
    PrintInspect(ctx, flags->refs, flags->format, InspectLookupFor(ctx, flags->type));
  });
}

}  // namespace mydocker::cli
