// mydocker run [OPTIONS] IMAGE [COMMAND [ARG...]]
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "attach.h"
#include "cli_parse.h"
#include "commands.h"
#include "mydocker/status_macros.h"
#include "mydocker/utf8.h"
#include "registry_program.h"
#include "run_options.h"
#include "terminal.h"

namespace mydocker::cli {
namespace {

std::optional<std::string> HostEnv(const std::string& key) {
  const char* v = std::getenv(key.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

// --pull: pulls the image when asked (always) or when it is not stored (missing, the default,
// as in Docker), the pull's output on stderr. False, with the exit status set (125), when the
// image is needed and could not be had.
bool PullForRun(Context& ctx, Runtime& rt, const std::string& pull, const std::string& image) {
  if (pull != "missing" && pull != "always" && pull != "never") {
    ctx.Fail(absl::InvalidArgumentError(
                 absl::StrCat("invalid pull option: '", pull,
                              "': must be one of \"missing\", \"always\" or \"never\"")),
             125);
    return false;
  }
  if (pull == "never") return true;
  if (pull == "missing") {
    absl::StatusOr<Image> found = rt.images().Resolve(image);
    if (!absl::IsNotFound(found.status())) return true;  // stored, or an error Create reports
    std::cerr << "Unable to find image '" << Printable(image) << "' locally" << std::endl;
  }
  PullRequest request;
  request.ref = image;
  request.out_fd = STDERR_FILENO;
  if (RunPull(ctx, request) == 0) return true;
  ctx.exit_code = 125;  // the pull printed why, in one line
  return false;
}

int Run(Context& ctx, const RunFlags& flags) {
  if (flags.detach && flags.tty) {
    ctx.Fail(absl::InvalidArgumentError("-d and -t cannot be combined: there is no attach yet"),
             125);
    return ctx.exit_code;
  }
  if (flags.tty && flags.interactive && ::isatty(STDIN_FILENO) != 1) {
    ctx.Fail(absl::InvalidArgumentError("the input device is not a TTY"), 125);
    return ctx.exit_code;
  }
  auto options = BuildCreateOptions(flags, HostEnv);
  if (!options.ok()) {
    ctx.Fail(options.status(), 125);
    return ctx.exit_code;
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  if (!PullForRun(ctx, *rt, flags.pull, options->image)) return ctx.exit_code;
  auto container = rt->Create(*options);
  if (!container.ok()) {
    ctx.Fail(container.status(), 125);
    return ctx.exit_code;
  }
  SignalForwarder signals;

  StartOptions start;
  start.attach = !flags.detach;
  if (start.attach) {
    start.stdio = {flags.interactive ? STDIN_FILENO : -1, STDOUT_FILENO, STDERR_FILENO};
  }
  if (flags.tty) start.console_size = TerminalSize(STDOUT_FILENO);
  // Raw before the container starts: its first output (a shell's prompt) must not pass through
  // the host's line discipline.
  std::optional<RawTerminal> raw;
  if (flags.tty && flags.interactive && !flags.detach) raw.emplace(STDIN_FILENO);
  auto attachment = (*container)->Start(start);
  if (!attachment.ok()) {
    raw.reset();
    ctx.Fail(attachment.status(), ExitCodeOf(attachment.status()));
    return ctx.exit_code;
  }
  if (flags.detach) {
    std::cout << (*container)->id() << "\n";
    return 0;
  }
  return WaitAttached(**attachment, signals, flags.tty);
}

}  // namespace

void RegisterRun(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run = app.add_subcommand("run", "Create and run a new container from an image");
  run->set_help_flag("--help", "Print this help");
  SetUsage(run, "[OPTIONS] IMAGE [COMMAND] [ARG...]");
  run->prefix_command();  // everything after IMAGE belongs to the container's command
  run->add_flag("-i,--interactive", flags->interactive, "Keep STDIN open and relay it");
  run->add_flag("-t,--tty", flags->tty, "Allocate a pseudo-terminal");
  run->add_flag("-d,--detach", flags->detach, "Run in the background and print the container ID");
  run->add_flag("--rm", flags->rm, "Remove the container when it exits");
  run->add_option("--pull", flags->pull,
                  "Pull the image before running: missing (if not stored), always or never");
  run->add_option("--name", flags->name, "Assign a name to the container");
  run->add_option("-e,--env", flags->env, "Set environment variables (KEY=VALUE or KEY)")
      ->allow_extra_args(false);
  run->add_option("-v,--volume", flags->volumes,
                  "Bind mount a volume: HOST_PATH:PATH[:ro|rw], NAME:PATH[:ro|rw] or PATH")
      ->allow_extra_args(false);
  run->add_option("--device", flags->devices,
                  "Add a host device: HOST[:CONTAINER[:PERMISSIONS]] (permissions: rwm)")
      ->allow_extra_args(false);
  run->add_option("--device-cgroup-rule", flags->device_cgroup_rules,
                  "Add a rule to the device policy: \"TYPE MAJOR:MINOR ACCESS\" (c 1:3 rwm)")
      ->allow_extra_args(false);
  run->add_option("--env-file", flags->env_files, "Read environment variables from a file")
      ->allow_extra_args(false);
  run->add_option("-h,--hostname", flags->hostname, "Container host name");
  run->add_option("-w,--workdir", flags->workdir, "Working directory inside the container");
  run->add_option("-u,--user", flags->user,
                  "USER[:GROUP] (names or numbers) to run as; default: the image's User");
  run->add_option("--cgroup-parent", flags->cgroup_parent, "Parent cgroup for the container");
  run->add_option("--cgroupns", flags->cgroupns,
                  "Cgroup namespace: private or host (default: host on cgroup v1, private on v2)");
  run->add_option("--security-opt", flags->security_opts,
                  "seccomp=unconfined|PROFILE.json, no-new-privileges[=true|false]")
      ->allow_extra_args(false);
  run->add_option("-m,--memory", flags->memory, "Memory limit (e.g. 512m, 1g)");
  run->add_option("--memory-swap", flags->memory_swap,
                  "Memory plus swap limit; -1 for unlimited swap");
  run->add_option("--cpus", flags->cpus, "Number of CPUs (e.g. 1.5)");
  run->add_option("--cpu-shares", flags->cpu_shares, "CPU shares (relative weight)");
  run->add_option("--cpuset-cpus", flags->cpuset_cpus,
                  "CPUs in which to allow execution (0-3, 0,1)");
  run->add_option("--cpuset-mems", flags->cpuset_mems, "Memory nodes in which to allow execution");
  run->add_option("--pids-limit", flags->pids_limit, "Process limit (-1 for unlimited)");
  AddNetworkOptions(*run, flags->network);
  run->callback([&ctx, flags, run] {
    flags->args = run->remaining();
    ctx.exit_code = Run(ctx, *flags);
  });
}

}  // namespace mydocker::cli
