// mydocker-runc: mydocker as an OCI runtime, with runc's command line, for podman (conmon) and
// containerd's runc shim. See docs/oci.md.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "args.h"
#include "commands.h"
#include "mydocker/status_macros.h"
#include "oci/runtime.h"
#include "process/sealed_exe.h"

namespace {

using mydocker::runc::Command;
using mydocker::runc::Context;

constexpr std::pair<const char*, Command> kCommands[] = {
    {"create", mydocker::runc::CmdCreate}, {"run", mydocker::runc::CmdRun},
    {"start", mydocker::runc::CmdStart},   {"state", mydocker::runc::CmdState},
    {"kill", mydocker::runc::CmdKill},     {"delete", mydocker::runc::CmdDelete},
    {"pause", mydocker::runc::CmdPause},   {"resume", mydocker::runc::CmdResume},
    {"ps", mydocker::runc::CmdPs},         {"list", mydocker::runc::CmdList},
    {"spec", mydocker::runc::CmdSpec},     {"features", mydocker::runc::CmdFeatures},
    {"exec", mydocker::runc::CmdExec},     {"update", mydocker::runc::CmdUpdate},
    {"events", mydocker::runc::CmdEvents},
};

constexpr char kUsage[] =
    "usage: mydocker-runc [--root DIR] [--log FILE] [--log-format text|json] [--debug]\n"
    "                     [--systemd-cgroup] COMMAND [OPTIONS] ID\n"
    "commands: create run start exec state kill delete pause resume ps list update events\n        "
    "  spec features\n";

// The descriptor the C API reads how a command failed from (oci::kRuncReportFdEnv). Taken out
// of the environment (hooks do not see it) and made close-on-exec (neither do they nor init).
int TakeReportFd() {
  const char* value = std::getenv(mydocker::oci::kRuncReportFdEnv);
  int fd = -1;
  if (value == nullptr || !absl::SimpleAtoi(value, &fd) || fd < 3 ||
      ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    fd = -1;
  }
  ::unsetenv(mydocker::oci::kRuncReportFdEnv);
  return fd;
}

// `create` and `run` clone the container's init from this process, and init runs this binary
// until its execve; a process of the container could then reach the host's file through
// /proc/1/exe (a command that is /proc/self/exe, or any process joining a created container)
// and keep it to write once no mydocker-runc runs (CVE-2019-5736). So they first re-execute
// this binary from a copy no process can write to (mydocker_sealed_self_copy: a private
// read-only overlay, else a sealed memfd), with the same arguments, environment and
// descriptors. Returns OK when it already runs from such a copy, else why it could not.
absl::Status ReexecProtected(char** argv) {
  if (mydocker_running_sealed()) {
    ::prctl(PR_SET_NAME, "mydocker-runc", 0, 0, 0);  // not the descriptor's number, in ps
    return absl::OkStatus();
  }
  const char* what = "";
  const int exe = mydocker_sealed_self_copy("mydocker-runc", nullptr, &what);
  if (exe < 0) return mydocker::LastErrnoError(what);
  ::syscall(SYS_execveat, exe, "", argv, environ, AT_EMPTY_PATH);
  absl::Status status = mydocker::LastErrnoError("execute the protected copy of mydocker-runc");
  ::close(exe);
  return status;
}

void Report(int fd, const absl::Status& status) {
  if (fd < 0) return;
  const int exit_code = mydocker::ExitCodeOf(status);
  std::string text = absl::StrCat(static_cast<int>(status.code()),
                                  exit_code != 125 ? absl::StrCat(" ", exit_code) : std::string(),
                                  "\n", status.message());
  (void)!::write(fd, text.data(), text.size());
}

}  // namespace

int main(int argc, char** argv) {
  Context ctx;
  ctx.argv.assign(argv, argv + argc);
  mydocker::runc::FlagSpec globals{{"root", "log", "log-format", "criu", "rootless"},
                                   {"debug", "systemd-cgroup", "help", "h", "version", "v"}};
  auto parsed = mydocker::runc::ParseFlags(ctx.argv, 1, globals, &ctx.next);
  absl::Status protect;
  if (parsed.ok() && ctx.next < ctx.argv.size() &&
      (ctx.argv[ctx.next] == "create" || ctx.argv[ctx.next] == "run")) {
    protect = ReexecProtected(argv);
  }
  // A hook that exits without reading its state must not kill us (init resets it to default).
  std::signal(SIGPIPE, SIG_IGN);
  const int report_fd = TakeReportFd();
  ctx.report_fd = report_fd;
  if (parsed.ok()) {
    ctx.root = parsed->Get("root", "/run/mydocker-runc");
    ctx.log.Open(parsed->Get("log"), parsed->Get("log-format", "text"));
    ctx.log.set_debug(parsed->Has("debug"));
    if (parsed->Has("version") || parsed->Has("v")) {
      std::printf("mydocker-runc version %s\nspec: 1.0.2\n", MYDOCKER_RUNC_VERSION);
      return 0;
    }
  }
  if (!parsed.ok() || ctx.next >= ctx.argv.size() || parsed->Has("help") || parsed->Has("h")) {
    if (!parsed.ok()) {
      Report(report_fd, parsed.status());
      ctx.log.Error(parsed.status().message());
    }
    std::fputs(kUsage, stderr);
    return parsed.ok() && ctx.next < ctx.argv.size() ? 0 : 1;
  }
  if (!protect.ok()) {
    Report(report_fd, protect);
    ctx.log.Error(protect.message());
    return 1;
  }
  const std::string name = ctx.argv[ctx.next++];
  for (const auto& [command, fn] : kCommands) {
    if (name != command) continue;
    absl::Status status = fn(ctx);
    if (status.ok()) return 0;
    Report(report_fd, status);
    int code = mydocker::ExitCodeOf(status);
    if (status.code() != absl::StatusCode::kCancelled) ctx.log.Error(status.message());
    return code > 0 && status.code() == absl::StatusCode::kCancelled ? code : 1;
  }
  Report(report_fd, absl::InvalidArgumentError(absl::StrCat("unknown command \"", name, "\"")));
  ctx.log.Error(absl::StrCat("unknown command \"", name, "\""));
  return 1;
}
