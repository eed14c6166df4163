// exec [--process F | ID ARGS...] (runc's flags): a new process in a container (docs/oci.md).
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "args.h"
#include "commands.h"
#include "mydocker/status_macros.h"
#include "oci/runtime.h"

namespace mydocker::runc {
namespace {

const FlagSpec kExecFlags{
    {"process", "p", "pid-file", "console-socket", "cwd", "env", "e", "user", "u",
     "additional-gids", "g", "cap", "c", "preserve-fds", "process-label", "apparmor", "cgroup"},
    {"detach", "d", "tty", "t", "no-new-privs", "ignore-paused", "no-subreaper"}};

// What this runtime cannot do, refused by name rather than ignored.
absl::Status RefuseUnsupported(const Parsed& p) {
  if (!p.Get("apparmor").empty()) {
    return absl::InvalidArgumentError("--apparmor: this host has no AppArmor");
  }
  if (!p.Get("process-label").empty()) {
    return absl::InvalidArgumentError("--process-label: this host has no SELinux");
  }
  if (p.Has("cgroup")) return absl::InvalidArgumentError("--cgroup: sub-cgroups are not supported");
  return absl::OkStatus();
}

absl::StatusOr<oci::ExecArgs> ExecArgsOf(const Parsed& p) {
  MYDOCKER_RETURN_IF_ERROR(RefuseUnsupported(p));
  oci::ExecArgs a;
  a.process_file = p.Get("process", p.Get("p"));
  a.args.assign(p.args.begin() + 1, p.args.end());
  if (!a.process_file.empty() && !a.args.empty()) {
    return absl::InvalidArgumentError("exec: give either --process or a command, not both");
  }
  a.cwd = p.Get("cwd");
  a.user = p.Get("user", p.Get("u"));
  a.env = p.All("env", "e");
  a.caps = p.All("cap", "c");
  for (const std::string& g : p.All("additional-gids", "g")) {
    uint32_t gid = 0;
    if (!absl::SimpleAtoi(g, &gid)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--additional-gids \"", g, "\": not a number"));
    }
    a.additional_gids.push_back(gid);
  }
  a.tty = p.Has("tty") || p.Has("t");
  a.no_new_privs = p.Has("no-new-privs");
  a.detach = p.Has("detach") || p.Has("d");
  a.pid_file = p.Get("pid-file");
  a.console_socket = p.Get("console-socket");
  if (p.Has("preserve-fds") && !absl::SimpleAtoi(p.Get("preserve-fds"), &a.preserve_fds)) {
    return absl::InvalidArgumentError("--preserve-fds must be a number");
  }
  if (a.preserve_fds > 4096) return absl::InvalidArgumentError("--preserve-fds is too large");
  return a;
}

}  // namespace

absl::Status CmdExec(Context& ctx) {
  size_t next = 0;
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, ParseFlags(ctx.argv, ctx.next, kExecFlags, &next));
  p.args.assign(ctx.argv.begin() + static_cast<long>(next), ctx.argv.end());
  if (p.args.empty()) return absl::InvalidArgumentError("exec: expects the container id");
  MYDOCKER_ASSIGN_OR_RETURN(oci::ExecArgs args, ExecArgsOf(p));
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  pid_t pid = 0;
  MYDOCKER_ASSIGN_OR_RETURN(int code, runtime.Exec(p.args[0], args, &pid));
  if (code != 0) return ExitWith(code);
  // A library that ran us (oci/client.h) learns the detached process's pid.
  if (args.detach && ctx.report_fd >= 0) {
    const std::string text = absl::StrCat("0\n", pid);
    (void)!::write(ctx.report_fd, text.data(), text.size());
  }
  return absl::OkStatus();
}

}  // namespace mydocker::runc
