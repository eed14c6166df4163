// mydocker inspect CONTAINER...
#include "commands.h"

namespace mydocker::cli {
void RegisterInspect(CLI::App&, Context&) {}
}  // namespace mydocker::cli
