// mydocker run [OPTIONS] IMAGE [COMMAND [ARG...]]
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

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

}  // namespace

// The create options of `flags` and the runtime, or nullopt with the failure in `ctx`. With
// `start_ahead`, `monitor` is set to a monitor started for it (Runtime::StartMonitorAhead)
// before the image is looked up or pulled.
std::optional<CreateOptions> PrepareCreate(Context& ctx, const RunFlags& flags,
                                           const StartOptions* start_ahead = nullptr,
                                           std::optional<PendingMonitor>* monitor = nullptr) {
  auto options = BuildCreateOptions(flags, HostEnv);
  if (!options.ok()) {
    ctx.Fail(options.status(), 125);
    return std::nullopt;
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return std::nullopt;
  if (start_ahead != nullptr) {
    absl::StatusOr<PendingMonitor> pending = rt->StartMonitorAhead(*start_ahead);
    if (!pending.ok()) {
      ctx.Fail(pending.status(), 125);
      return std::nullopt;
    }
    monitor->emplace(*std::move(pending));
  }
  if (!PullForRun(ctx, *rt, flags.pull, options->image)) return std::nullopt;
  return *std::move(options);
}

std::unique_ptr<Container> CreateFromFlags(Context& ctx, const RunFlags& flags) {
  std::optional<CreateOptions> options = PrepareCreate(ctx, flags);
  if (!options) return nullptr;
  auto container = ctx.OpenRuntime()->Create(*options);
  if (!container.ok()) {
    ctx.Fail(container.status(), 125);
    return nullptr;
  }
  return std::move(*container);
}

namespace {

int Run(Context& ctx, const RunFlags& flags) {
  AttachFlags attach{flags.interactive, flags.tty, flags.detach_keys};
  if (!flags.detach && !CheckInputTerminal(ctx, attach)) return ctx.exit_code;
  if (absl::Status keys = CheckDetachKeys(flags.detach_keys); !keys.ok()) {
    ctx.Fail(keys, 125);
    return ctx.exit_code;
  }
  // -d: the container's stdin stays open with -i, its terminal with -t, for a later attach.
  StartOptions start = flags.detach ? StartOptions{} : AttachedStart(attach);
  if (flags.detach && flags.tty) start.console_size = TerminalSize(STDOUT_FILENO);
  // The container's monitor starts now and waits for the container: its start overlaps the
  // image's lookup and the container's creation (Runtime::Run).
  std::optional<PendingMonitor> monitor;
  std::optional<CreateOptions> options = PrepareCreate(ctx, flags, &start, &monitor);
  if (!options) return ctx.exit_code;
  SignalForwarder signals;
  if (!flags.detach) {
    return RunAttached(ctx, *ctx.OpenRuntime(), *options, std::move(*monitor), attach, signals);
  }
  Runtime::RunResult run = ctx.OpenRuntime()->Run(*options, std::move(*monitor));
  if (!run.started.ok()) {
    ctx.Fail(run.started.status(),
             run.container == nullptr ? 125 : ExitCodeOf(run.started.status()));
    return ctx.exit_code;
  }
  std::cout << run.container->id() << "\n";
  return 0;
}

void AddHealthFlags(OptionBatch* cmd, HealthFlags& flags) {
  cmd->add_option("--health-cmd", flags.cmd, "Command to run to check health");
  cmd->add_option("--health-interval", flags.interval,
                  "Time between running the check (ms|s|m|h) (default 30s)");
  cmd->add_option("--health-timeout", flags.timeout,
                  "Maximum time to allow one check to run (ms|s|m|h) (default 30s)");
  cmd->add_option("--health-retries", flags.retries,
                  "Consecutive failures needed to report unhealthy (default 3)");
  cmd->add_option("--health-start-period", flags.start_period,
                  "Start period for the container to initialize before failures count "
                  "(ms|s|m|h) (default 0s)");
  cmd->add_option("--health-start-interval", flags.start_interval,
                  "Time between running the check during the start period (ms|s|m|h) "
                  "(default 5s)");
  cmd->add_flag("--no-healthcheck", flags.none, "Disable any container-specified HEALTHCHECK");
}

void AddCreateFlags(OptionBatch* cmd, RunFlags& flags) {
  cmd->add_flag("-i,--interactive", flags.interactive, "Keep STDIN open and relay it");
  cmd->add_flag("-t,--tty", flags.tty, "Allocate a pseudo-terminal");
  cmd->add_flag("--rm", flags.rm, "Remove the container when it exits");
  cmd->add_option("--pull", flags.pull,
                  "Pull the image before running: missing (if not stored), always or never");
  cmd->add_option("--name", flags.name, "Assign a name to the container");
  cmd->add_option("-e,--env", flags.env, "Set environment variables (KEY=VALUE or KEY)")
      ->allow_extra_args(false);
  cmd->add_option("-v,--volume", flags.volumes,
                  "Bind mount a volume: HOST_PATH:PATH[:ro|rw], NAME:PATH[:ro|rw] or PATH")
      ->allow_extra_args(false);
  cmd->add_option(
         "--mount", flags.mounts,
         "Attach a filesystem mount: type=bind|volume|tmpfs,source=...,target=...[,readonly]"
         "[,bind-propagation=...][,tmpfs-size=...][,tmpfs-mode=...]")
      ->allow_extra_args(false);
  cmd->add_option(
         "--tmpfs", flags.tmpfs,
         "Mount a tmpfs: PATH[:OPTIONS] (default nosuid,nodev,noexec; size=64m, mode=1777)")
      ->allow_extra_args(false);
  cmd->add_option("--volumes-from", flags.volumes_from,
                  "Mount the volumes and binds of a container: CONTAINER[:ro|rw]")
      ->allow_extra_args(false);
  cmd->add_flag("--read-only", flags.read_only, "Mount the container's root filesystem read-only");
  cmd->add_option("--device", flags.devices,
                  "Add a host device: HOST[:CONTAINER[:PERMISSIONS]] (permissions: rwm)")
      ->allow_extra_args(false);
  cmd->add_option("--device-cgroup-rule", flags.device_cgroup_rules,
                  "Add a rule to the device policy: \"TYPE MAJOR:MINOR ACCESS\" (c 1:3 rwm)")
      ->allow_extra_args(false);
  cmd->add_option("--env-file", flags.env_files, "Read environment variables from a file")
      ->allow_extra_args(false);
  cmd->add_option("-l,--label", flags.labels, "Set metadata on the container (KEY=VALUE)")
      ->allow_extra_args(false);
  cmd->add_option("--label-file", flags.label_files, "Read labels from a file (KEY=VALUE lines)")
      ->allow_extra_args(false);
  cmd->add_option("-h,--hostname", flags.hostname, "Container host name");
  cmd->add_option("-w,--workdir", flags.workdir, "Working directory inside the container");
  cmd->add_option("-u,--user", flags.user,
                  "USER[:GROUP] (names or numbers) to run as; default: the image's User");
  cmd->add_option("--cgroup-parent", flags.cgroup_parent, "Parent cgroup for the container");
  cmd->add_option("--cgroupns", flags.cgroupns,
                  "Cgroup namespace: private or host (default: host on cgroup v1, private on v2)");
  cmd->add_option("--security-opt", flags.security_opts,
                  "seccomp=unconfined|PROFILE.json, no-new-privileges[=true|false]")
      ->allow_extra_args(false);
  cmd->add_option("--cap-add", flags.cap_add,
                  "Add Linux capabilities (CHOWN, CAP_SYS_ADMIN, ALL; case-insensitive)")
      ->allow_extra_args(false);
  cmd->add_option("--cap-drop", flags.cap_drop, "Drop Linux capabilities (CHOWN, ALL, ...)")
      ->allow_extra_args(false);
  cmd->add_flag("--privileged", flags.privileged,
                "Give extended privileges: every capability the runtime holds, all host devices, "
                "no seccomp, no masked paths, writable /sys");
  cmd->add_option("-m,--memory", flags.memory, "Memory limit (e.g. 512m, 1g)");
  cmd->add_option("--memory-swap", flags.memory_swap,
                  "Memory plus swap limit; -1 for unlimited swap");
  cmd->add_option("--memory-reservation", flags.memory_reservation,
                  "Memory soft limit, reclaimed down to under pressure (e.g. 256m)");
  cmd->add_option("--memory-swappiness", flags.memory_swappiness,
                  "Tune container memory swappiness (0 to 100; cgroup v1 only)");
  cmd->add_flag("--oom-kill-disable", flags.oom_kill_disable,
                "Disable the OOM killer (cgroup v1 only; use with -m)");
  cmd->add_option("--cpus", flags.cpus, "Number of CPUs (e.g. 1.5)");
  cmd->add_option("--cpu-shares", flags.cpu_shares, "CPU shares (relative weight)");
  cmd->add_option("--cpuset-cpus", flags.cpuset_cpus,
                  "CPUs in which to allow execution (0-3, 0,1)");
  cmd->add_option("--cpuset-mems", flags.cpuset_mems, "Memory nodes in which to allow execution");
  cmd->add_option("--pids-limit", flags.pids_limit, "Process limit (-1 for unlimited)");
  AddCfsAndBlkioFlags(cmd, flags);
  cmd->add_option("--ulimit", flags.ulimits, "Ulimit options: NAME=SOFT[:HARD] (nofile=1024:2048)")
      ->allow_extra_args(false);
  cmd->add_option("--sysctl", flags.sysctls,
                  "Namespaced kernel parameters: NAME=VALUE (net.*, kernel.shm*, kernel.msg*, "
                  "kernel.sem, fs.mqueue.*)")
      ->allow_extra_args(false);
  cmd->add_option("--shm-size", flags.shm_size, "Size of /dev/shm (e.g. 128m; default 64m)");
  cmd->add_option("--group-add", flags.group_add, "Add additional groups to join (name or GID)")
      ->allow_extra_args(false);
  cmd->add_option("--oom-score-adj", flags.oom_score_adj,
                  "Tune the host's OOM preferences for the container (-1000 to 1000)");
  cmd->add_option("--pid", flags.pid_mode, "PID namespace to use: host or container:NAME");
  cmd->add_option("--ipc", flags.ipc_mode,
                  "IPC mode to use: private (the default), shareable, host or container:NAME");
  cmd->add_option("--uts", flags.uts_mode, "UTS namespace to use: host");
  cmd->add_option("--entrypoint", flags.entrypoint,
                  "Overwrite the default ENTRYPOINT of the image (\"\" clears it)");
  cmd->add_flag("--init", flags.init,
                "Run an init inside the container that forwards signals and reaps processes");
  cmd->add_option("--stop-signal", flags.stop_signal,
                  "Signal to stop the container (default: the image's STOPSIGNAL, else SIGTERM)");
  cmd->add_option("--stop-timeout", flags.stop_timeout,
                  "Seconds to wait for the container to stop before killing it (default 10)");
  cmd->add_option("--restart", flags.restart,
                  "Restart policy when the container exits: no, always, unless-stopped, "
                  "on-failure[:max-retries]");
  cmd->add_option("--log-driver", flags.log_driver,
                  "Logging driver: local (compact, the default), json-file (Docker's) or none");
  cmd->add_option("--log-opt", flags.log_options, "Log driver options")->allow_extra_args(false);
  AddHealthFlags(cmd, flags.health);
  AddNetworkOptions(*cmd, flags.network);
}

}  // namespace

void AddCfsAndBlkioFlags(OptionBatch* cmd, ResourceFlags& flags) {
  cmd->add_option("--cpu-period", flags.cpu_period,
                  "Limit CPU CFS (Completely Fair Scheduler) period, microseconds");
  cmd->add_option("--cpu-quota", flags.cpu_quota,
                  "Limit CPU CFS (Completely Fair Scheduler) quota, microseconds per period");
  cmd->add_option("--cpu-rt-period", flags.cpu_rt_period,
                  "Limit CPU real-time period (not supported: refused)");
  cmd->add_option("--cpu-rt-runtime", flags.cpu_rt_runtime,
                  "Limit CPU real-time runtime (not supported: refused)");
  cmd->add_option("--blkio-weight", flags.blkio_weight,
                  "Block IO (relative weight), between 10 and 1000, or 0 to disable");
}

CLI::App* AddCreateCommand(CLI::App& app, const std::string& name, const std::string& description,
                           RunFlags& flags) {
  CLI::App* cmd = app.add_subcommand(name, description);
  cmd->set_help_flag("--help", "Print this help");
  SetUsage(cmd, "[OPTIONS] IMAGE [COMMAND] [ARG...]");
  cmd->prefix_command();  // everything after IMAGE belongs to the container's command
  OptionBatch batch(cmd);
  AddCreateFlags(&batch, flags);
  return cmd;
}

void RegisterRun(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* run =
      AddCreateCommand(app, "run", "Create and run a new container from an image", *flags);
  {
    OptionBatch batch(run);
    batch->add_flag("-d,--detach", flags->detach,
                    "Run in the background and print the container ID");
    batch->add_option(
        "--detach-keys", flags->detach_keys,
        "Override the key sequence for detaching a container (default ctrl-p,ctrl-q)");
  }
  run->callback([&ctx, flags, run] {
    flags->args = run->remaining();
    ctx.exit_code = Run(ctx, *flags);
  });
}

}  // namespace mydocker::cli
