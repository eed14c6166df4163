#include "mydocker/helper.h"

#include <dlfcn.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/strings/string_view.h"
#include "process/monitor.h"
#include "process/protocol.h"
#include "process/terminal_holder.h"
#include "process/tiny_init.h"
#include "program_path.h"

namespace mydocker {

std::string HelperBeside(const void* address, const std::vector<std::string>& relative_paths) {
  Dl_info info;
  if (::dladdr(address, &info) == 0 || info.dli_fname == nullptr) return "";
  std::unique_ptr<char, decltype(&std::free)> real(::realpath(info.dli_fname, nullptr), &std::free);
  if (real == nullptr) return "";
  std::string dir(real.get());
  dir.resize(dir.rfind('/') + 1);
  for (const std::string& relative : relative_paths) {
    std::string candidate = dir + relative;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

namespace {

// Executed as /proc/self/fd/N (a protected copy of the binary: SpawnMonitor, PlanInitProcess),
// the process would be named "N" in ps and top; it takes the name its argv[0] gives.
void NameAfterArgv0(const char* arg0) {
  const char* slash = std::strrchr(arg0, '/');
  ::prctl(PR_SET_NAME, slash != nullptr ? slash + 1 : arg0, 0, 0, 0);
}

}  // namespace

int RunHelperMode(int argc, char** argv) {
  if (argc >= 2 && absl::string_view(argv[1]) == kInitMode) {
    NameAfterArgv0(argv[0]);
    return process::TinyInitMain(argc, argv);
  }
  if (argc >= 2 && absl::string_view(argv[1]) == kTerminalHolderMode)
    return process::TerminalHolderMain();
  if (argc < 2 || absl::string_view(argv[1]) != kMonitorMode) return -1;
  NameAfterArgv0(argv[0]);
  // /proc/self/exe names the protected copy it runs from, not the host's file, whose real path
  // its client gave as argv[0] (LinuxHost::Spawn).
  if (argv[0][0] == '/') SetSelfPath(argv[0]);
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
