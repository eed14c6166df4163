// create, run, start, state, kill, delete, pause, resume.
#include <sys/wait.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "args.h"
#include "commands.h"
#include "mydocker/signals.h"
#include "mydocker/status_macros.h"
#include "oci/runtime.h"
#include "process/protocol.h"

namespace mydocker::runc {
namespace {

const FlagSpec kCreateFlags{{"bundle", "b", "pid-file", "console-socket", "preserve-fds"},
                            {"no-pivot", "no-new-keyring", "detach", "d", "keep"}};

// The command's flags, then exactly `min`..`max` arguments.
absl::StatusOr<Parsed> Parse(Context& ctx, const FlagSpec& spec, size_t min, size_t max) {
  size_t next = 0;
  MYDOCKER_ASSIGN_OR_RETURN(Parsed parsed, ParseFlags(ctx.argv, ctx.next, spec, &next));
  parsed.args.assign(ctx.argv.begin() + static_cast<long>(next), ctx.argv.end());
  if (parsed.args.size() < min || parsed.args.size() > max) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.argv[ctx.next - 1], ": expects ", min == max ? "" : "at least ", min,
                     min == 1 ? " argument (the container id)" : " arguments"));
  }
  return parsed;
}

absl::StatusOr<oci::CreateOptions> CreateOptionsOf(const Parsed& p) {
  oci::CreateOptions o;
  o.bundle = p.Get("bundle", p.Get("b", "."));
  o.pid_file = p.Get("pid-file");
  o.console_socket = p.Get("console-socket");
  o.no_pivot = p.Has("no-pivot");
  o.no_new_keyring = p.Has("no-new-keyring");
  if (p.Has("preserve-fds") && !absl::SimpleAtoi(p.Get("preserve-fds"), &o.preserve_fds)) {
    return absl::InvalidArgumentError("--preserve-fds must be a number");
  }
  if (o.preserve_fds > 4096) return absl::InvalidArgumentError("--preserve-fds is too large");
  return o;
}

// One argument, the id, and the runtime.
absl::StatusOr<std::pair<std::string, oci::Runtime>> IdAndRuntime(Context& ctx,
                                                                  const FlagSpec& spec = {}) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, Parse(ctx, spec, 1, 1));
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  return std::make_pair(p.args[0], std::move(runtime));
}

}  // namespace

absl::Status ExitWith(int code) { return WithExitCode(absl::CancelledError("exit"), code); }

absl::Status CmdCreate(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, Parse(ctx, kCreateFlags, 1, 1));
  MYDOCKER_ASSIGN_OR_RETURN(oci::CreateOptions options, CreateOptionsOf(p));
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  return runtime.Create(p.args[0], options).status();
}

// create + start; without --detach, waits for the container's init (our child) and deletes it.
absl::Status CmdRun(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, Parse(ctx, kCreateFlags, 1, 1));
  MYDOCKER_ASSIGN_OR_RETURN(oci::CreateOptions options, CreateOptionsOf(p));
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  const std::string& id = p.args[0];
  MYDOCKER_ASSIGN_OR_RETURN(pid_t pid, runtime.Create(id, options));
  absl::Status started = runtime.Start(id);
  if (!started.ok()) {
    (void)runtime.Delete(id, /*force=*/true);
    return started;
  }
  if (p.Has("detach") || p.Has("d")) return absl::OkStatus();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!p.Has("keep")) MYDOCKER_RETURN_IF_ERROR(runtime.Delete(id, /*force=*/true));
  int code = process::ExitCodeFromWaitStatus(status);
  return code == 0 ? absl::OkStatus() : ExitWith(code);
}

absl::Status CmdStart(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(auto id_rt, IdAndRuntime(ctx));
  return id_rt.second.Start(id_rt.first);
}

absl::Status CmdState(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(auto id_rt, IdAndRuntime(ctx));
  MYDOCKER_ASSIGN_OR_RETURN(std::string state, id_rt.second.State(id_rt.first));
  std::printf("%s\n", state.c_str());
  return absl::OkStatus();
}

absl::Status CmdKill(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, Parse(ctx, {{}, {"all", "a"}}, 1, 2));
  int signal = SIGTERM;
  if (p.args.size() == 2) {
    MYDOCKER_ASSIGN_OR_RETURN(signal, ParseSignal(p.args[1]));
  }
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  return runtime.Kill(p.args[0], signal, p.Has("all") || p.Has("a"));
}

absl::Status CmdDelete(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, Parse(ctx, {{}, {"force", "f"}}, 1, 1));
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  return runtime.Delete(p.args[0], p.Has("force") || p.Has("f"));
}

absl::Status CmdPause(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(auto id_rt, IdAndRuntime(ctx));
  return id_rt.second.Pause(id_rt.first, true);
}

absl::Status CmdResume(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(auto id_rt, IdAndRuntime(ctx));
  return id_rt.second.Pause(id_rt.first, false);
}

}  // namespace mydocker::runc
