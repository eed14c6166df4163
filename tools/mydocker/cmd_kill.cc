// mydocker kill [-s SIGNAL] CONTAINER...
#include "cli_util.h"
#include "commands.h"
#include "mydocker/signals.h"

namespace mydocker::cli {
namespace {

struct KillFlags {
  std::string signal = "KILL";  // as given
  int number = 0;               // parsed, before any container is touched
};

}  // namespace

void RegisterKill(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<KillFlags>();
  CLI::App* kill = AddContainersCommand(
      app, ctx, "kill", "Send a signal to one or more running containers",
      [flags](Container& c) { return c.Kill(flags->number); },
      [flags]() -> absl::Status {
        absl::StatusOr<int> number = ParseSignal(flags->signal);
        if (!number.ok()) return number.status();
        flags->number = *number;
        return absl::OkStatus();
      });
  kill->add_option("-s,--signal", flags->signal, "Signal name or number (default KILL)");
}

}  // namespace mydocker::cli
