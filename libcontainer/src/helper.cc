#include "mydocker/helper.h"

#include <unistd.h>

#include "absl/strings/string_view.h"
#include "process/monitor.h"
#include "process/protocol.h"

namespace mydocker {

int RunHelperMode(int argc, char** argv) {
  if (argc < 2 || absl::string_view(argv[1]) != kMonitorMode) return -1;
  auto request = process::ParseMonitorArgv(argc, argv);
  if (!request.ok()) {
    process::SendControl(process::kMonitorControlFd,
                         process::MakeControl(process::ControlType::kStartFailed, 125, 0,
                                              request.status().message()))
        .IgnoreError();
    return 125;
  }
  // Double fork: the client reaps this intermediate process at once, so a long-lived caller
  // (a server, a Python program) never collects zombie monitors; the monitor itself is
  // reparented and lives on in the session the client's posix_spawn created.
  pid_t pid = ::fork();
  if (pid < 0) return 125;
  if (pid > 0) ::_exit(0);
  return process::MonitorMain(*request);
}

}  // namespace mydocker
