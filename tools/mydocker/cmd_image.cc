// Placeholder until image commands land.
#include "commands.h"

namespace mydocker::cli {
void RegisterImageCommands(CLI::App&, Context&) {}
}  // namespace mydocker::cli
