// One container, as seen by a client (the CLI or a library user). The client never becomes
// the container's parent: Start() launches a monitor process that creates and owns the
// container's init process (see docs/architecture.md).
#ifndef MYDOCKER_CONTAINER_H_
#define MYDOCKER_CONTAINER_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mydocker/cgroup_manager.h"
#include "mydocker/container_config.h"
#include "mydocker/container_state.h"
#include "mydocker/logs.h"
#include "mydocker/network.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

class Runtime;

// One process of a running container, as `top` shows it (host pids).
struct ProcessInfo {
  int pid = 0;
  int ppid = 0;
  uint32_t uid = 0;
  char state = '?';
  double cpu_seconds = 0;  // user + system
  std::string command;     // the command line, or [comm] for a kernel-less empty one
};

struct CreateOptions {
  std::string image;                 // name[:tag] or id
  std::string name;                  // empty: generated
  std::vector<std::string> command;  // empty: the image's Entrypoint + Cmd
  std::vector<std::string> env;      // KEY=VALUE, on top of the image's Env
  std::string workdir;               // empty: the image's, else "/"
  std::string user;                  // USER[:GROUP], names or numbers; empty: the image's User
  std::string hostname;              // empty: the first 12 digits of the id
  bool tty = false;                  // -t
  bool open_stdin = false;           // -i
  bool auto_remove = false;          // --rm
  // --entrypoint: replaces the image's ENTRYPOINT; a non-empty one also drops the image's CMD
  // (Docker's rule), an empty one ("") keeps the image's CMD without an entrypoint.
  std::optional<std::vector<std::string>> entrypoint;
  std::string stop_signal;          // --stop-signal; empty: the image's STOPSIGNAL, else SIGTERM
  std::optional<int> stop_timeout;  // --stop-timeout, seconds before SIGKILL; absent: 10
  bool init = false;                // --init: a minimal init as PID 1 (reaps, forwards signals)
  // --restart: what the monitor does when the process ends (refused with auto_remove, as
  // Docker refuses it).
  RestartPolicy restart_policy;
  // --health-*: merged with the image's HEALTHCHECK (a zero field takes the image's); a test
  // of ["NONE"] (--no-healthcheck) disables the image's. Run by the monitor (docs/health.md).
  std::optional<HealthConfig> healthcheck;
  // --log-driver (empty: "local", mydocker's compact log; "json-file" is Docker's format;
  // "none") and --log-opt KEY=VALUE (see MakeLogConfig).
  std::string log_driver;
  std::vector<std::string> log_options;
  // --label / --label-file: "KEY=VALUE" or "KEY" (ParseLabel), in order (a later one for a key
  // wins), on top of the image's labels.
  std::vector<std::string> labels;
  // --ulimit NAME=SOFT[:HARD] with Docker's names (nofile, nproc, core, memlock, stack, ...;
  // -1: unlimited), a later one for a name winning. A hard limit above the runtime's own is
  // refused unless the runtime holds CAP_SYS_RESOURCE. Also applies to exec's commands.
  std::vector<std::string> ulimits;
  // --sysctl NAME=VALUE: only kernel parameters of the container's own namespaces, as Docker
  // and runc allow them: kernel.msg*, kernel.sem, kernel.shm* and fs.mqueue.* (its IPC
  // namespace), net.* (its network namespace: not with --network host or container:),
  // kernel.domainname (its UTS namespace). Written by init.
  std::vector<std::string> sysctls;
  std::optional<int64_t> shm_size;  // --shm-size: bytes of /dev/shm's tmpfs; absent: 64 MiB
  // --group-add: supplementary groups of the container's processes, names (looked up in the
  // image's /etc/group) or numbers, after the user's.
  std::vector<std::string> group_add;
  // --oom-score-adj, -1000 to 1000: the OOM killer's preference for the container's
  // processes. Below the runtime's own needs CAP_SYS_RESOURCE (refused without it).
  std::optional<int> oom_score_adj;
  // --pid host|container:NAME, --ipc host|private|shareable|container:NAME (the container must
  // be running, and shareable), --uts host (not with a hostname); empty: namespaces of its own.
  // A container whose PID namespace another joined takes that one's processes with it when it
  // ends (the kernel ends a PID namespace with its first process), as in Docker.
  std::string pid_mode;
  std::string ipc_mode;
  std::string uts_mode;
  // A memory limit without memory.swap gets memory+swap = 2 x memory where the kernel limits
  // swap (Docker's default); set memory.swap to -1 for unlimited swap.
  LinuxResources resources;
  std::string cgroup_parent;         // empty: "mydocker"
  std::vector<std::string> volumes;  // -v specs (see ParseVolumeSpec)
  // --mount type=bind|volume|tmpfs,... (ParseMountSpec) and --tmpfs PATH[:OPTIONS]
  // (ParseTmpfsSpec), mounted after the -v volumes; every target once ("Duplicate mount point").
  std::vector<std::string> mounts;
  std::vector<std::string> tmpfs;
  // --volumes-from CONTAINER[:ro|rw]: the binds and volumes of another container (its mount
  // points), read-only or read-write (default: as that container has them). A -v, --mount or
  // --tmpfs for the same destination wins; these win over the image's VOLUMEs, which otherwise
  // get anonymous volumes holding the image's content at that path.
  std::vector<std::string> volumes_from;
  // --read-only: the root file system is mounted read-only; /dev, /proc, /sys, /dev/shm,
  // volumes and tmpfs mounts stay as they are.
  bool read_only = false;
  // Host devices given to the container: --device HOST[:CONTAINER[:PERMISSIONS]] (see
  // ResolveDeviceSpec in mydocker/devices.h).
  std::vector<std::string> devices;
  // Extra device cgroup rules: --device-cgroup-rule "c 1:3 rwm" (see ParseDeviceCgroupRule).
  // Every container starts from Docker's default policy (DefaultDeviceRules), then
  // resources.devices, then these and the rules of `devices`, in order.
  std::vector<std::string> device_cgroup_rules;
  // System call filter: empty for the default profile, "unconfined" for none, else the text of
  // a profile (OCI linux.seccomp JSON or Docker's profile format).
  std::string seccomp_profile;
  bool no_new_privileges = false;  // --security-opt no-new-privileges
  // --cap-add / --cap-drop: capability names ("SYS_ADMIN", "cap_net_admin", "ALL"), applied as
  // Docker applies them to its default set; the default seccomp profile follows the result
  // (docs/security.md).
  std::vector<std::string> cap_add;
  std::vector<std::string> cap_drop;
  // --privileged: every capability the runtime itself holds, every host device in /dev with the
  // device cgroup open, no seccomp filter, no masked or read-only paths, /sys writable.
  bool privileged = false;
  // Cgroup namespace (--cgroupns): "private" (the container sees its cgroup as the root),
  // "host", or empty for Docker's default: private on cgroup v2, host on v1.
  std::string cgroupns;
  // --network and its companions (see mydocker/network.h). The default (empty mode) is a
  // namespace of its own with only lo.
  NetworkOptions network;
};

// The caller's descriptors a started container is attached to. -1 = not attached (stdin then
// reads /dev/null; output goes only to the log). The descriptors are duplicated; the caller
// keeps ownership of its own.
struct StdioFds {
  int in = -1;
  int out = -1;
  int err = -1;
};

struct StartOptions {
  bool attach = false;  // false: detached, output only to the log
  StdioFds stdio;
  std::optional<ConsoleSize> console_size;  // initial terminal size for tty containers
  // With stdio.in: keys that detach this client and leave the container running, in Docker's
  // format ("ctrl-p,ctrl-q"); empty: none (the CLI passes Docker's default).
  std::string detach_keys;
};

// A client attached to a running container (`mydocker attach`): several may be at once; output
// goes to every one, input comes from any.
struct AttachOptions {
  // stdio.in -1: no input (--no-stdin); a container created without open_stdin takes none.
  StdioFds stdio;
  std::string detach_keys;  // as in StartOptions
  // Optional signalfd of the caller: signals read from it are forwarded to the container
  // (--sig-proxy), and SIGWINCH resizes its terminal to the size of stdio.out's terminal.
  int signal_fd = -1;
  // Optional: receives the output (stream 1 stdout, 2 stderr) instead of stdio.out/err, on
  // the calling thread; returning false detaches (Attach returns Cancelled).
  std::function<bool(int stream, absl::string_view data)> output;
};

struct ExecOptions {
  std::vector<std::string> args;  // the command; required
  std::vector<std::string> env;   // KEY=VALUE, on top of the container's environment
  std::string workdir;            // empty: the container's working directory
  std::string user;               // USER[:GROUP], names or numbers; empty: the container's user
  bool tty = false;               // give the command its own pseudo-terminal
  bool detach = false;            // return once the command has started
  StdioFds stdio;                 // the caller's descriptors; -1 = not connected
  std::optional<ConsoleSize> console_size;
  // Optional signalfd of the caller: signals read from it are forwarded to the command, and
  // SIGWINCH resizes its terminal to the size of stdio.out's terminal.
  int signal_fd = -1;
  // With tty and stdio.in: keys in Docker's format ("ctrl-p,ctrl-q") that detach the caller
  // (Exec returns Cancelled) and leave the command running, its terminal kept open and its
  // output discarded, as Docker does. Empty: none (the CLI passes Docker's default).
  std::string detach_keys;
};

// A path inside a container, as `cp` looks at it first.
struct ContainerPathStat {
  std::string name;   // the base name
  uint32_t mode = 0;  // st_mode: type and permissions
  int64_t size = 0;
  std::string link_target;  // for a symlink
};

struct CopyFromOptions {
  std::string path;          // inside the container
  bool follow_link = false;  // -L: a symlink at the end of `path` is followed
  // The root entry's name in the stream; empty: the base name of `path` (its contents only if
  // it ends in "/."); "." : a directory's contents only.
  std::string name;
};

struct CopyToOptions {
  std::string path;         // an existing directory inside the container
  bool keep_owner = false;  // -a: the archive's owners; else root (0:0), as Docker
};

// A container's monitor started before the container is created (Runtime::StartMonitorAhead):
// its process gets going while the caller creates the container, then waits for Runtime::Run to
// give it the container. Dropped unused, it ends with nothing made.
class PendingMonitor {
 public:
  PendingMonitor(PendingMonitor&&) noexcept;
  PendingMonitor& operator=(PendingMonitor&&) noexcept;
  ~PendingMonitor();

 private:
  friend class Runtime;
  struct Impl;
  explicit PendingMonitor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A live connection to the monitor of a started container. Destroying it detaches: the
// container goes on under its monitor.
class Attachment {
 public:
  explicit Attachment(UniqueFd control, int pid) : control_(std::move(control)), pid_(pid) {}

  // The container's init process as seen from the host.
  int pid() const { return pid_; }
  // Readable when the monitor has something to say (the container ended); for poll loops.
  int fd() const { return control_.get(); }

  // Delivers `signal` to the container's init (through the monitor, which is its parent, so a
  // recycled pid can never be hit).
  absl::Status Signal(int signal);
  absl::Status Resize(const ConsoleSize& size);

  // Blocks until the container ended and its resources were released; returns its exit code
  // (128+N when killed by signal N). Unavailable if the monitor died before telling; Cancelled
  // when the client typed the detach keys (the container goes on).
  absl::StatusOr<int> Wait();

 private:
  UniqueFd control_;
  int pid_;
};

class Container {
 public:
  Container(Runtime* runtime, std::string id) : runtime_(runtime), id_(std::move(id)) {}

  const std::string& id() const { return id_; }

  // The state record, reconciled with the kernel (a process that is gone shows as stopped).
  absl::StatusOr<ContainerState> State() const;
  absl::StatusOr<ContainerConfig> Config() const;

  // Starts the container's process under a new monitor. Returns once the process has executed
  // its command, or with the reason it could not: ExitCodeOf(status) is 126 (cannot invoke),
  // 127 (not found) or 125 (runtime error). REQUIRES: status created or stopped.
  absl::StatusOr<std::unique_ptr<Attachment>> Start(const StartOptions& options);

  // Runs a command inside the running container: its namespaces, cgroup, root, environment
  // (read from the container's process, with options.env on top) and capabilities. Blocks,
  // relaying the command's stdio, until it ends; returns its exit code (126/127 as
  // ExitCodeOf(status) when it cannot be run). With options.detach returns 0 once it started.
  // FailedPrecondition if the container is not running or is paused.
  absl::StatusOr<int> Exec(const ExecOptions& options);

  // Attaches to the running container's stdio through its monitor and relays until the
  // container ends (returns its exit code) or the detach keys are typed (Cancelled).
  // FailedPrecondition if it is not running or paused, with Docker's messages.
  absl::StatusOr<int> Attach(const AttachOptions& options);

  // Sends a signal to the container's init. FailedPrecondition if it is not running.
  absl::Status Kill(int signal);

  // Sends `signal`, waits up to `timeout` for the container to end, then SIGKILL. Returns once
  // it has ended and its monitor has recorded it and released its resources. OK if it is not
  // running.
  absl::Status Stop(absl::Duration timeout, int signal = 15 /* SIGTERM */);

  // Stop with the container's own stop signal (--stop-signal, the image's STOPSIGNAL, else
  // SIGTERM) and timeout (`timeout` if given, else --stop-timeout, else 10 s), as `stop` does.
  absl::Status StopAsConfigured(std::optional<absl::Duration> timeout = std::nullopt);

  // StopAsConfigured(timeout), then Start() detached. A container created with auto_remove is kept
  // across the restart (its monitor sees the "restarting" mark and records the end instead of
  // removing it), as Docker does.
  absl::Status Restart(std::optional<absl::Duration> timeout);

  // Blocks until the container is not running and its monitor has finished, or `timeout`
  // passes (DeadlineExceeded). Returns the exit code; nullopt when it is unknown (the end was
  // not observed) or the container never ran.
  absl::StatusOr<std::optional<int>> Wait(absl::Duration timeout = absl::InfiniteDuration());

  // Reads the container's output from its log, in order, into `sink`. With options.follow,
  // goes on until the container ends.
  absl::Status Logs(const LogOptions& options, const LogSink& sink) const;

  absl::Status Rename(absl::string_view new_name);

  // `cp`. Paths are resolved inside the container's root (a symlink in it never leads out), in
  // a running container's mount view (its volumes included), or in a stopped one's overlay.
  // NotFound with Docker's message ("Could not find the file P in container C") when missing.
  // StatPath follows a symlink at the end of `path` only with `follow_link` (or a trailing "/").
  absl::StatusOr<ContainerPathStat> StatPath(const std::string& path, bool follow_link) const;
  // Writes `options.path` as an uncompressed tar stream to `out_fd` (not owned).
  absl::Status CopyFrom(const CopyFromOptions& options, int out_fd) const;
  // Unpacks the tar stream (plain or compressed) read from `in_fd` (not owned) into the
  // directory `options.path`: entries replace files of the same name, directories merge.
  // Absolute names, ".." and links out of the directory are refused.
  absl::Status CopyTo(const CopyToOptions& options, int in_fd);

  // Freezes / thaws every process of the container (freezer cgroup); the record says paused.
  // FailedPrecondition unless running (Pause) or paused (Unpause).
  absl::Status Pause();
  absl::Status Unpause();

  // Changes resource limits: applied at once to a running container's cgroup and kept in its
  // configuration for later starts. Fields left empty are not changed.
  absl::Status Update(const LinuxResources& resources);

  // `update --restart`: the policy the monitor applies from the next end of the process on.
  // Refused for an auto_remove container, as Docker refuses it.
  absl::Status UpdateRestartPolicy(const RestartPolicy& policy);

  // Resource usage from the container's cgroup. FailedPrecondition unless running or paused.
  absl::StatusOr<CgroupStats> Stats() const;

  // The processes in the container's cgroup.
  absl::StatusOr<std::vector<ProcessInfo>> Top() const;

  // Its networks (network.json; the first is `run --network`'s); empty with only lo, or when
  // the record cannot be read.
  std::vector<NetworkAttachment> Networks() const;
  // `network connect`: an address on network `name` (name, id or unique id prefix) and an
  // interface (eth1, ...) now if it runs, else at its next start; its peers' /etc/hosts list
  // it. NotFound for an unknown network, AlreadyExists if connected to it already,
  // FailedPrecondition for a container on the host's or another container's namespace.
  absl::Status ConnectNetwork(const std::string& name, const NetworkConnectOptions& options = {});
  // `network disconnect`: the interface, the address and the names go. NotFound if it is not
  // connected to `name`.
  absl::Status DisconnectNetwork(const std::string& name);

  // Removes the container and everything it holds. Refused (FailedPrecondition) while running
  // unless `force`, which kills it first. `remove_volumes` also removes its anonymous volumes
  // (named ones are kept, as in Docker).
  absl::Status Remove(bool force, bool remove_volumes = false);

 private:
  Runtime* runtime_;
  std::string id_;
};

// True if `start --restartable` (meant for a boot unit: there is no daemon to restart
// containers after the host restarted) starts a container with this record and configuration:
// it ran before, is not running, and its restart policy says it should run (see
// docs/restart-policies.md).
bool ShouldStartAtBoot(const ContainerState& state, const ContainerConfig& config);

// OK if `spec` is detach keys in Docker's format (or empty), else InvalidArgument with Docker's
// message.
absl::Status CheckDetachKeys(absl::string_view spec);

// The 12-digit form of an id that messages and tables show.
inline std::string ShortId(const std::string& id) { return id.substr(0, 12); }

// Corrects a record by what the kernel says: a container recorded as running whose process and
// monitor are both gone is reported stopped, with its exit code left unknown.
ContainerState ReconcileState(ContainerState state);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_H_
