#include "process/monitor.h"

#include <fcntl.h>
#include <linux/sched.h>  // struct clone_args, CLONE_INTO_CGROUP
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cleanup.h"
#include "container/exec_request.h"
#include "container_events.h"
#include "host/host.h"
#include "host/pidfd.h"
#include "monitor_liveness.h"
#include "mydocker/cgroup_manager.h"
#include "mydocker/fs_util.h"
#include "mydocker/rootfs.h"
#include "mydocker/state_store.h"
#include "mydocker/status_macros.h"
#include "mydocker/volume_store.h"
#include "network/attach.h"
#include "process/attach_server.h"
#include "process/clone_init.h"
#include "process/health_checker.h"
#include "process/init_plan.h"
#include "process/log_writer.h"
#include "process/monitor_decisions.h"
#include "process/protocol.h"
#include "process/restart_policy.h"
#include "process/sealed_exe.h"
#include "process/stdio_relay.h"
#include "security/seccomp.h"

namespace mydocker::process {
namespace {

constexpr int kForwardedSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
constexpr absl::Duration kStartDeadline = absl::Minutes(2);

absl::StatusOr<unsigned long> CloneFlags(const std::vector<NamespaceType>& namespaces) {
  unsigned long flags = NamespaceFlags(namespaces);
  if (flags & CLONE_NEWUSER)
    return absl::UnimplementedError("user namespaces are not supported yet");
  if (!(flags & CLONE_NEWNS)) return absl::InvalidArgumentError("a mount namespace is required");
  return flags;
}

// What the monitor sets aside at start in the container's directory and frees at the end, so
// that a full disk (the container's own writes fill the state root) cannot keep it from
// recording the exit code, nor from logging the last lines of output (LogWriter keeps 64 KiB).
constexpr off_t kReserveBytes = 256 * 1024;

std::string ReservePath(const std::string& dir) { return dir + "/reserve"; }

absl::Status Reserve(const std::string& dir) {
  UniqueFd fd(::open(ReservePath(dir).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return LastErrnoError("create " + ReservePath(dir));
  int err = ::posix_fallocate(fd.get(), 0, kReserveBytes);
  // A file system without fallocate (EOPNOTSUPP) gets no reserve; a full one fails the start.
  if (err != 0 && err != EOPNOTSUPP && err != EINVAL) {
    return ErrnoError(err, "reserve room to record the container's end");
  }
  return absl::OkStatus();
}

// How long after the start the poll loop trims the resident image (see Loop).
constexpr absl::Duration kTrimAfter = absl::Milliseconds(20);

// Takes this binary's pages out of the resident set once the monitor has started its container:
// a long-lived monitor then keeps only what its poll loop touches (a few hundred KiB in all)
// rather than every page that start-up or the kernel's fault-around mapped. Only mappings of
// the binary that hold no private (written) page are dropped: code and read-only data, which
// come back unchanged from the page cache on the next touch; relocated data is left alone.
void TrimResidentImage() {
  // The ranges are collected first and every string and vector freed before the madvise
  // calls, so no code runs after them that the poll loop would not run anyway.
  struct Range {
    uint64_t start, end;
  } ranges[16];
  int count = 0;
  {
    auto smaps = ReadFile("/proc/self/smaps");
    if (!smaps.ok()) return;
    const uintptr_t here = reinterpret_cast<uintptr_t>(&TrimResidentImage);
    struct Mapping {
      uint64_t start = 0, end = 0;
      std::string perms, file;  // file: "dev inode"
      bool written = true;
    };
    std::vector<Mapping> maps;
    std::string own_file;
    for (absl::string_view line : absl::StrSplit(*smaps, '\n')) {
      std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (f.size() >= 5 && absl::StrContains(f[0], "-") && f[1].size() == 4) {
        Mapping m;
        std::pair<absl::string_view, absl::string_view> range = absl::StrSplit(f[0], '-');
        if (!absl::SimpleHexAtoi(range.first, &m.start) ||
            !absl::SimpleHexAtoi(range.second, &m.end)) {
          return;
        }
        m.perms = std::string(f[1]);
        m.file = absl::StrCat(f[3], " ", f[4]);
        if (here >= m.start && here < m.end) own_file = m.file;
        maps.push_back(std::move(m));
      } else if (f.size() >= 2 && f[0] == "Anonymous:" && !maps.empty()) {
        maps.back().written = f[1] != "0";
      }
    }
    for (const Mapping& m : maps) {
      if (m.file != own_file || m.written || (m.perms != "r-xp" && m.perms != "r--p")) continue;
      if (count < 16) ranges[count++] = {m.start, m.end};
    }
  }
  for (int i = 0; i < count; ++i) {
    ::madvise(reinterpret_cast<void*>(ranges[i].start), ranges[i].end - ranges[i].start,
              MADV_DONTNEED);
  }
}

class Monitor {
 public:
  explicit Monitor(const MonitorRequest& request)
      : request_(request), control_(kMonitorControlFd) {}
  int Run();

 private:
  // The state, cgroup and volume stores (none depends on the container).
  absl::Status OpenStores();
  absl::Status Prepare();
  absl::Status StartInit();
  void HoldMountNamespace();
  absl::Status AwaitExec();
  // The network descriptors of the plan: a sync socket with init for a network, or the
  // namespace of the container whose network is shared.
  absl::Status PrepareNetwork();
  absl::Status JoinContainerNamespaces(unsigned long& flags);
  // Once init has created its namespace: connects it (network/attach.h) while init mounts, then
  // tells init it may go on.
  absl::Status ConnectNetwork();
  // The container's stdio when it has no terminal: pipes whose far ends go to `child_stdio`.
  absl::Status MakePipes(UniqueFd child_stdio[3]);
  absl::Status RecordStarted();
  void FailStart(const absl::Status& status);
  void Loop();
  void HandleSignal();
  void HandleControl();
  void HandleInput();
  void DetachClient();
  void ResizeTerminal(int rows, int cols);
  // The attach socket, once the container runs (failure only means no later attach).
  void ListenForAttach();
  void Relay(int from, int to, absl::string_view stream, bool* open);
  void ReleaseNetworksInBackground(const std::vector<NetworkAttachment>& attachments, int lock_fd);
  // Records the end; returns the wait before the restart policy starts the process again.
  std::optional<absl::Duration> Finish();
  // Sets `record` (the end as recorded) waiting to restart if the policy says so.
  std::optional<absl::Duration> PlanRestart(ContainerState& record);
  // Waits out the back-off; false if a signal (a user's stop, rm -f) ended the policy.
  bool AwaitRestart(absl::Duration delay);
  // Records a container that waited to restart as stopped (its policy ended meanwhile).
  void EndRestartWait();
  // One start and run of the process; the restart policy's wait, if any, after it.
  std::optional<absl::Duration> RunOnce();
  // Forgets the last run's process and descriptors before the next.
  void ResetRun();
  // The health check of this run, if the container has one (docs/health.md).
  void StartHealthChecks();
  absl::StatusOr<HealthChecker::Request> HealthRequest(const std::vector<std::string>& args);
  void Tell(ControlType type, int value, absl::string_view text = {});

  MonitorRequest request_;
  UniqueFd control_;
  // The stores a monitor needs, opened directly rather than through Runtime: the helper binary
  // then links neither the image store nor libarchive and libcrypto (see docs/performance.md).
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<CgroupManager> cgroups_;
  std::unique_ptr<VolumeStore> volumes_;
  std::optional<FileLock> lock_;
  ContainerState state_;
  ContainerConfig config_;
  std::string dir_;
  std::optional<LogWriter> log_;
  InitPlan plan_;
  std::vector<NetworkAttachment> networks_;  // network.json: the first is run's --network
  UniqueFd net_sync_;                        // monitor's end of the network sync socket
  UniqueFd net_init_;                        // init's end
  UniqueFd join_netns_;                      // --network container:ID
  UniqueFd signal_fd_;
  UniqueFd sync_;      // monitor's end of the init socket
  UniqueFd stdin_w_;   // container stdin (pipe write end), or the terminal master
  UniqueFd stdout_r_;  // container stdout, or the terminal master
  UniqueFd stderr_r_;
  UniqueFd terminal_;
  pid_t init_pid_ = -1;
  ChildProcess init_;  // kills and reaps init on every path that does not wait for it
  int wait_status_ = 0;
  bool init_exited_ = false;
  bool client_connected_ = true;
  // The client's input to the container. Writes to the container never block the loop (a
  // container that does not read its input must not stop the monitor from reaping, relaying
  // output or forwarding signals).
  InputPump stdin_;
  AttachServer attach_;   // clients that attach later (`mydocker attach`)
  UniqueFd dir_fd_;       // the container's directory, where the attach socket lives
  UniqueFd init_binary_;  // --init: the sealed copy of this binary that init executes
  // Held from the first recorded start until this process exits (monitor_liveness.h).
  UniqueFd liveness_;
  // The container's mount namespace, held from init's creation until the client has heard of
  // the end: the kernel then takes the container's mounts down (an RCU grace period) here, after
  // the client is told, rather than in the exit of the container's last process, before it.
  // Released before anything is removed under the container's root (a start that failed, the
  // files of a removed container, a restart).
  UniqueFd mount_ns_;
  bool out_open_ = false;
  bool err_open_ = false;
  bool client_out_ok_ = true;
  bool owns_start_ = false;
  bool trim_pending_ = false;
  bool start_failed_ = false;  // the user's start failed
  bool restarting_ = false;    // this start is the restart policy's, not a user's
  RestartBackoff backoff_;
  HealthChecker health_;
};

void Monitor::Tell(ControlType type, int value, absl::string_view text) {
  if (!client_connected_) return;
  if (!SendControl(control_.get(), MakeControl(type, value, 0, text)).ok()) DetachClient();
}

absl::Status Monitor::OpenStores() {
  if (store_ == nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(store_, StateStore::Open(request_.root));
  }
  if (cgroups_ == nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(cgroups_, CgroupManager::Detect(request_.cgroup));
  }
  if (volumes_ == nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(volumes_, VolumeStore::Open(store_->root()));
  }
  return absl::OkStatus();
}

absl::Status Monitor::Prepare() {
  MYDOCKER_RETURN_IF_ERROR(OpenStores());
  dir_ = store_->ContainerDir(request_.id);
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, store_->Lock(request_.id));
  lock_.emplace(std::move(lock));
  MYDOCKER_ASSIGN_OR_RETURN(state_, store_->LoadState(request_.id));
  if (restarting_ && (state_.status != ContainerStatus::kRestarting || state_.restart_cancelled)) {
    return absl::CancelledError("the restart policy was ended");  // stop or rm -f meanwhile
  }
  if ((state_.HasProcess() && state_.init.Alive()) ||
      (!restarting_ && state_.status == ContainerStatus::kRestarting && state_.monitor.Alive())) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", state_.id.substr(0, 12), " is already running"));
  }
  // From here on this monitor owns the container's start: a failure releases its resources
  // and records the error. Before, they may belong to a running instance and are not touched.
  owns_start_ = true;
  MYDOCKER_ASSIGN_OR_RETURN(config_, store_->LoadConfig(request_.id));
  if (request_.console_size) config_.process.console_size = request_.console_size;
  MYDOCKER_ASSIGN_OR_RETURN(plan_, BuildInitPlan(config_, SeccompCacheDir(store_->root())));
  if (!request_.mount_setattr) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string mountinfo, ReadFile("/proc/self/mountinfo"));
    MYDOCKER_RETURN_IF_ERROR(PlanMountFallback(mountinfo, plan_));
  }
  if (config_.init) {
    // A copy no process of the container can write to (CVE-2019-5736), unlike this binary.
    const char* what = "";
    init_binary_.reset(
        mydocker_sealed_self_copy("mydocker-init", SealLowerDir(store_->root()).c_str(), &what));
    if (!init_binary_) return LastErrnoError(what);
    PlanInitProcess(init_binary_.get(), plan_);
  }
  // PlanRootMove reads mountinfo once and decides; ordinary hosts stop at the statfs.
  if (RootMayBeInitramfs()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string mountinfo, ReadFile("/proc/self/mountinfo"));
    MYDOCKER_RETURN_IF_ERROR(PlanRootMove(mountinfo, plan_));
  }
  MYDOCKER_ASSIGN_OR_RETURN(networks_, network::LoadAttachments(dir_));
  MYDOCKER_ASSIGN_OR_RETURN(LogRotation rotation, LogRotationOf(config_.log_config));
  MYDOCKER_ASSIGN_OR_RETURN(
      LogWriter log,
      LogWriter::Open(state_.log_path, ParseLogFormat(config_.log_config.type), rotation));
  log_.emplace(std::move(log));
  // A restarted container begins from clean resources, whatever a crash left behind. Its
  // networks' leftovers are replaced where they are made again: a veth pair whose name is taken
  // is deleted first (network::ConnectContainer), and a port table's script deletes the old
  // table in the same transaction.
  MYDOCKER_RETURN_IF_ERROR(
      ReleaseResources(RealHost(), *cgroups_, dir_, state_, /*networks=*/false));
  // Unmounted by ReleaseResources when the container stops, which ends its daemon.
  if (!plan_.fuse_overlay_options.empty()) {
    MYDOCKER_RETURN_IF_ERROR(MountFuseOverlay(plan_.fuse_overlay_options, plan_.rootfs));
  }
  return absl::OkStatus();  // the cgroup is made by StartInit
}

absl::Status Monitor::MakePipes(UniqueFd child_stdio[3]) {
  int p[2];
  // Docker's -i, started detached (`run -di`, `start`): the container's stdin stays open for the
  // clients that attach later. A client that attaches at start without stdin (`start -a`)
  // gives the container end of input at once, as before.
  if (request_.relay_stdin || (config_.process.open_stdin && !request_.attach)) {
    if (::pipe2(p, O_CLOEXEC) != 0) return LastErrnoError("pipe");
    child_stdio[0].reset(p[0]);
    stdin_w_.reset(p[1]);
  } else {
    child_stdio[0].reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  if (::pipe2(p, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  stdout_r_.reset(p[0]);
  child_stdio[1].reset(p[1]);
  if (::pipe2(p, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  stderr_r_.reset(p[0]);
  child_stdio[2].reset(p[1]);
  return absl::OkStatus();
}

void Monitor::HoldMountNamespace() {
  // Best effort: without it, the container's mounts go with its last process, as before.
  mount_ns_.reset(
      ::open(absl::StrCat("/proc/", init_pid_, "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC));
}

absl::Status Monitor::StartInit() {
  MYDOCKER_ASSIGN_OR_RETURN(unsigned long flags, CloneFlags(config_.linux_spec.namespaces));
  int sync_pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sync_pair) != 0) {
    return LastErrnoError("socketpair");
  }
  sync_.reset(sync_pair[0]);
  UniqueFd init_end(sync_pair[1]);
  UniqueFd child_stdio[3];
  if (!config_.process.terminal) MYDOCKER_RETURN_IF_ERROR(MakePipes(child_stdio));
  plan_.sync_fd = init_end.get();
  for (int i = 0; i < 3; ++i) plan_.stdio[i] = child_stdio[i].get();
  MYDOCKER_RETURN_IF_ERROR(PrepareNetwork());
  MYDOCKER_RETURN_IF_ERROR(JoinContainerNamespaces(flags));
  // Where init joins its cgroup itself (v1; v2 clones it into the cgroup, which must exist
  // first), the cgroup is made while the kernel creates init and its namespaces: init waits on
  // `ready` before it joins (InitPlan::cgroup_ready_fd).
  MYDOCKER_ASSIGN_OR_RETURN(std::string clone_into, cgroups_->CloneIntoDir(state_.cgroup_path));
  const bool cgroup_meanwhile = clone_into.empty() && !plan_.wait_for_id_maps;
  UniqueFd ready_w, ready_r;
  if (cgroup_meanwhile) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return LastErrnoError("pipe");
    ready_r.reset(p[0]);
    ready_w.reset(p[1]);
    plan_.cgroup_ready_fd = ready_r.get();
  } else {
    MYDOCKER_RETURN_IF_ERROR(cgroups_->Create(state_.cgroup_path, config_.linux_spec.resources));
  }
  MYDOCKER_ASSIGN_OR_RETURN(pid_t pid, CloneInit(*cgroups_, state_.cgroup_path, flags, plan_));
  plan_.cgroup_ready_fd = -1;
  ready_r.reset();
  init_pid_ = pid;
  // Our child: signals to its pid are safe until we reap it, so no pidfd is needed.
  init_ = ChildProcess(&RealHost(), init_pid_, UniqueFd());
  if (flags & CLONE_NEWNS) HoldMountNamespace();
  if (cgroup_meanwhile) {
    // A failure here closes `ready_w` unwritten: init stops, and FailStart kills it.
    MYDOCKER_RETURN_IF_ERROR(cgroups_->Create(state_.cgroup_path, config_.linux_spec.resources));
    if (::write(ready_w.get(), "", 1) != 1) return LastErrnoError("release init into its cgroup");
    ready_w.reset();
  }
  // While init makes its mounts: a full disk fails the start here, init killed by FailStart.
  MYDOCKER_RETURN_IF_ERROR(Reserve(dir_));
  init_end.reset();
  for (UniqueFd& fd : child_stdio) fd.reset();
  net_init_.reset();
  join_netns_.reset();
  absl::Status network = ConnectNetwork();
  if (network.ok()) return AwaitExec();
  // Init goes on with its mounts meanwhile. Its own failure comes first (a dead namespace also
  // fails the connection); else it stops at the socket closed here, and the cause is ours.
  net_sync_.reset();
  absl::Status init = AwaitExec();
  if (init.ok() || absl::StrContains(init.message(), kAwaitNetworkStep)) return network;
  return init;
}

// --pid/--ipc container:ID: this monitor enters that container's namespace before it creates
// init, which then gets no new one (a PID namespace applies to the children made after the
// setns). The namespace is opened first and the process checked after, so a pid reused since
// the record was written is never joined.
absl::Status Monitor::JoinContainerNamespaces(unsigned long& flags) {
  const std::tuple<const std::string&, int, const char*, const char*> joins[] = {
      {config_.pid_mode, CLONE_NEWPID, "pid", "PID"},
      {config_.ipc_mode, CLONE_NEWIPC, "ipc", "IPC"}};
  for (const auto& [mode, flag, file, what] : joins) {
    if (!absl::StartsWith(mode, "container:")) continue;
    std::string id = mode.substr(std::string("container:").size());
    MYDOCKER_ASSIGN_OR_RETURN(ContainerState other, store_->LoadState(id));
    UniqueFd ns(
        ::open(absl::StrCat("/proc/", other.init.pid, "/ns/", file).c_str(), O_RDONLY | O_CLOEXEC));
    auto start = ProcessStartTime(other.init.pid);
    if (!other.IsActive() || !ns.valid() || !start.ok() || *start != other.init.start_time) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot join ", what, " of a non running container: ", other.id.substr(0, 12)));
    }
    if (::setns(ns.get(), flag) != 0) {
      return LastErrnoError(
          absl::StrCat("join the ", what, " namespace of container ", other.id.substr(0, 12)));
    }
    flags &= ~static_cast<unsigned long>(flag);
  }
  return absl::OkStatus();
}

absl::Status Monitor::PrepareNetwork() {
  if (networks_.empty() || networks_[0].host) return absl::OkStatus();
  if (!networks_[0].join_container.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(ContainerState other, store_->LoadState(networks_[0].join_container));
    auto start = ProcessStartTime(other.init.pid);
    if (!other.IsActive() || !start.ok() || *start != other.init.start_time) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot join the network of container ", other.id.substr(0, 12), ": it is not running"));
    }
    join_netns_.reset(
        ::open(absl::StrCat("/proc/", other.init.pid, "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
    if (!join_netns_.valid()) return LastErrnoError("open the network namespace to join");
    plan_.join_netns_fd = join_netns_.get();
    return absl::OkStatus();
  }
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return LastErrnoError("socketpair");
  }
  net_sync_.reset(pair[0]);
  net_init_.reset(pair[1]);
  plan_.net_sync_fd = net_init_.get();
  return absl::OkStatus();
}

absl::Status Monitor::ConnectNetwork() {
  if (!net_sync_.valid()) return absl::OkStatus();
  char byte;
  struct pollfd p = {net_sync_.get(), POLLIN, 0};
  int n;
  while ((n = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(kStartDeadline)))) < 0 &&
         errno == EINTR) {
  }
  // End of stream: init failed before its namespace existed; AwaitExec reads why.
  if (n <= 0 || ::read(net_sync_.get(), &byte, 1) != 1) return absl::OkStatus();
  UniqueFd netns(
      ::open(absl::StrCat("/proc/", init_pid_, "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns.valid()) return LastErrnoError("open the container's network namespace");
  bool routed = false;
  for (const NetworkAttachment& a : networks_) {
    MYDOCKER_RETURN_IF_ERROR(network::ConnectContainer(a, state_.id, netns.get(), !routed));
    routed = routed || !a.internal;
  }
  if (::write(net_sync_.get(), &byte, 1) != 1) return LastErrnoError("release init");
  net_sync_.reset();
  return absl::OkStatus();
}

absl::Status Monitor::AwaitExec() {
  bool ready = false;
  // Setting up a container takes milliseconds; a step that hangs (a volume on a dead network
  // file system) must not hold the container's lock and the client forever.
  const absl::Time deadline = absl::Now() + kStartDeadline;
  for (;;) {
    struct pollfd p = {sync_.get(), POLLIN, 0};
    int left = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    int n = ::poll(&p, 1, std::max(left, 0));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) {
      return absl::DeadlineExceededError(absl::StrCat("container init did not reach execve within ",
                                                      absl::FormatDuration(kStartDeadline)));
    }
    MYDOCKER_ASSIGN_OR_RETURN(ExecReport report, ReceiveExecReport(sync_.get()));
    switch (report.kind) {
      case ExecReport::kTerminal:
        terminal_ = std::move(report.terminal);
        continue;
      case ExecReport::kReady:
        ready = true;
        continue;
      case ExecReport::kError:
        return StartFailure(report.error.exit_code, DescribeInitError(report.error));
      case ExecReport::kCreated:  // only an OCI-mode init sends it; this one never waits
      case ExecReport::kPid:      // only the exec stub sends it, when asked
      case ExecReport::kClosed:
        break;
    }
    break;
  }
  sync_.reset();
  if (!ready) {
    // The stream ended without the last step being reached: init died (killed) before execve.
    return absl::AbortedError("container init ended before executing its command");
  }
  // execve succeeded. The command may already have exited; Loop() reaps it and reports its code.
  return absl::OkStatus();
}

absl::Status Monitor::RecordStarted() {
  init_binary_.reset();  // init has it mapped now
  state_.status = ContainerStatus::kRunning;
  state_.started = absl::Now();
  state_.finished = absl::InfinitePast();
  state_.exit_code.reset();
  state_.oom_killed = false;
  state_.error.clear();
  state_.restarting = ProcessRef{};
  if (!restarting_) {  // a user's start: the policy begins anew (Docker resets the same)
    state_.restart_count = 0;
    state_.manually_stopped = false;
    state_.restart_cancelled = false;
  }
  state_.init = DescribeProcess(init_pid_);
  state_.monitor = DescribeProcess(::getpid());
  if (!liveness_) {
    // Best effort: without it, readers ask the kernel about this process instead.
    absl::StatusOr<UniqueFd> held = MonitorLiveness::Hold(store_->root(), state_.monitor);
    if (held.ok()) liveness_ = *std::move(held);
  }
  MYDOCKER_RETURN_IF_ERROR(store_->SaveState(state_));
  lock_.reset();
  RecordNetworkEvents(*store_, state_.id, networks_, "connect");
  RecordContainerEventWithLabels(*store_, state_, config_.labels, "start");
  return absl::OkStatus();
}

void Monitor::FailStart(const absl::Status& status) {
  if (init_.owns()) init_.KillAndWait().IgnoreError();
  mount_ns_.reset();
  init_pid_ = -1;
  if (owns_start_) {
    ReleaseResources(RealHost(), *cgroups_, dir_, state_).IgnoreError();
    RecordOutcome outcome = DecideFailedStart(state_, status);
    if (outcome.remove) {
      DeleteContainerFiles(*store_, *volumes_, state_.id, /*anonymous_volumes=*/true).IgnoreError();
    } else {
      store_->SaveState(outcome.record).IgnoreError();
    }
  }
  Tell(ControlType::kStartFailed, ExitCodeOf(status), status.message());
}

void Monitor::Relay(int from, int to, absl::string_view stream, bool* open) {
  *open = RelayOutput(from, [&](absl::string_view data) {
    log_->Add(stream, data);
    if (request_.attach && client_out_ok_ && to >= 0) client_out_ok_ = WriteAll(to, data);
    attach_.Output(to == STDERR_FILENO ? 2 : 1, data);
  });
  if (!*open) log_->Flush(stream);
}

void Monitor::HandleSignal() {
  struct signalfd_siginfo si;
  if (::read(signal_fd_.get(), &si, sizeof si) != sizeof si) return;
  if (si.ssi_signo != SIGCHLD) {
    if (!init_exited_) init_.Signal(static_cast<int>(si.ssi_signo)).IgnoreError();
    return;
  }
  int status;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == init_pid_) {
      init_.Release();  // reaped here
      init_exited_ = true;
      wait_status_ = status;
    } else {
      health_.Reaped(pid, status);
    }
  }
}

void Monitor::DetachClient() {
  // The client went away (exited or was killed); the container goes on. Its stdio must not be
  // held open here: a reader of the client's output would otherwise never see end of file.
  client_connected_ = false;
  control_.reset();
  // What is left to run is the poll loop and the end; the code of the start and of the client
  // link need not stay resident for the container's whole life.
  trim_pending_ = false;
  TrimResidentImage();
  if (!request_.attach) return;
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  for (int fd = 0; fd < 3; ++fd) ::dup3(null.get(), fd, 0);
  client_out_ok_ = false;
  if (stdin_.open()) {
    stdin_.Close();
    if (!terminal_) stdin_w_.reset();  // the container sees end of input, as with docker attach
    attach_.SetInput(stdin_w_.get());
  }
}

void Monitor::HandleControl() {
  auto msg = ReceiveControl(control_.get());
  if (!msg.ok()) {
    DetachClient();
    return;
  }
  if (msg->type == ControlType::kSignal && !init_exited_) {
    init_.Signal(msg->value).IgnoreError();
  } else if (msg->type == ControlType::kResize) {
    ResizeTerminal(msg->value, msg->value2);
  }
}

void Monitor::ResizeTerminal(int rows, int cols) {
  if (!terminal_) return;
  struct winsize ws = {};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  ::ioctl(terminal_.get(), TIOCSWINSZ, &ws);
}

void Monitor::HandleInput() {
  if (stdin_.Pump()) return;
  // At the end of input the container sees end of file (a terminal stays: it is also stdout),
  // as it does when the client detaches (Docker's StdinOnce).
  bool detached = stdin_.detached();
  if (!terminal_) stdin_w_.reset();
  attach_.SetInput(stdin_w_.get());
  if (detached) {
    Tell(ControlType::kDetached, 0);
    DetachClient();
  }
}

void Monitor::ListenForAttach() {
  dir_fd_.reset(::open(dir_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd_) attach_.Listen(dir_fd_.get()).IgnoreError();
}

void Monitor::Loop() {
  if (terminal_) {
    stdout_r_.reset(::fcntl(terminal_.get(), F_DUPFD_CLOEXEC, 0));
    if (request_.relay_stdin || config_.process.open_stdin) {
      stdin_w_.reset(::fcntl(terminal_.get(), F_DUPFD_CLOEXEC, 0));
    }
  }
  out_open_ = stdout_r_.valid();
  err_open_ = stderr_r_.valid();
  if (request_.relay_stdin && stdin_w_.valid()) {
    // Detach keys only with a terminal, as Docker: a pipe's input passes as it is.
    stdin_ = InputPump(STDIN_FILENO, stdin_w_.get(), terminal_ ? request_.detach_keys : "");
  }
  if (stdin_w_.valid()) {
    ::fcntl(stdin_w_.get(), F_SETFL, ::fcntl(stdin_w_.get(), F_GETFL) | O_NONBLOCK);
    attach_.SetInput(stdin_w_.get());
  }
  const AttachServer::Callbacks callbacks = {
      [this](int sig) {
        if (!init_exited_) init_.Signal(sig).IgnoreError();
      },
      [this](int rows, int cols) { ResizeTerminal(rows, cols); }};
  std::vector<struct pollfd> fds;
  absl::string_view out_stream = "stdout";
  absl::Time drain_deadline = absl::InfiniteFuture();
  const absl::Time trim_at = absl::Now() + kTrimAfter;
  while (out_open_ || err_open_ || !init_exited_) {
    if (init_exited_ && drain_deadline == absl::InfiniteFuture()) {
      // Every process of the PID namespace is gone once init is reaped, so the pipes reach
      // end of stream; the deadline only guards against a writer we do not know of.
      drain_deadline = absl::Now() + absl::Seconds(2);
    }
    if (absl::Now() > drain_deadline) break;
    fds.clear();
    fds.resize(5);
    int n = 0;
    fds[n++] = {signal_fd_.get(), POLLIN, 0};
    int control_i = client_connected_ ? n++ : -1;
    if (control_i >= 0) fds[control_i] = {control_.get(), POLLIN, 0};
    // A backlogged attach client holds the container's output (not this loop) for a while.
    // Once init has ended, the output is drained whatever the clients do (the log needs it).
    const bool backlog = !init_exited_ && attach_.Backlogged();
    int out_i = out_open_ && !backlog ? n++ : -1;
    if (out_i >= 0) fds[out_i] = {stdout_r_.get(), POLLIN, 0};
    int err_i = err_open_ && !backlog ? n++ : -1;
    if (err_i >= 0) fds[err_i] = {stderr_r_.get(), POLLIN, 0};
    int in_i = stdin_.open() && !init_exited_ ? n++ : -1;
    if (in_i >= 0) fds[in_i] = stdin_.PollFd();
    fds.resize(static_cast<size_t>(n));
    attach_.AddPollFds(fds);
    health_.AddPollFds(fds);
    int timeout = init_exited_ || backlog ? 100 : -1;
    // The resident image is trimmed a moment after the start, whatever the container does: a
    // command that ends within it (`run --rm ... true`) is reaped and reported without that
    // detour, and a monitor about to exit never trims.
    if (trim_pending_ && !init_exited_) {
      int64_t left = absl::ToInt64Milliseconds(trim_at - absl::Now());
      if (left <= 0) {
        trim_pending_ = false;
        TrimResidentImage();
        continue;
      }
      timeout = static_cast<int>(left);
    }
    int health_ms = init_exited_ ? -1 : health_.TimeoutMs(absl::Now());
    if (health_ms >= 0 && (timeout < 0 || health_ms < timeout)) timeout = health_ms;
    if (::poll(fds.data(), fds.size(), timeout) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) HandleSignal();
    if (control_i >= 0 && fds[control_i].revents) HandleControl();
    if (out_i >= 0 && fds[out_i].revents)
      Relay(stdout_r_.get(), STDOUT_FILENO, out_stream, &out_open_);
    if (err_i >= 0 && fds[err_i].revents)
      Relay(stderr_r_.get(), STDERR_FILENO, "stderr", &err_open_);
    if (in_i >= 0 && fds[in_i].revents) HandleInput();
    attach_.Handle(fds, static_cast<size_t>(n), callbacks);
    if (backlog) attach_.DropStalled(absl::Now());
    if (!init_exited_) health_.Handle(fds, absl::Now());
  }
  log_->Flush("stdout");
  log_->Flush("stderr");
}

// Deleting a veth takes the kernel 10-20 ms (RCU grace periods under the rtnl lock), longer
// than the rest of a container's end: a child does it, so that the client hears of the exit
// (and `run --rm` returns) without waiting. The child shares the container's lock (flock
// belongs to the open file, which it inherits) until it is done, so a `start`, `rm` or
// `network connect` that takes the lock next finds the pair gone and the port table deleted.
// Without a fork, the monitor does it itself. The monitor is single-threaded, so the child may
// do anything; it keeps only the lock's descriptor, so no client waits on its copies.
void Monitor::ReleaseNetworksInBackground(const std::vector<NetworkAttachment>& attachments,
                                          int lock_fd) {
  // --network host or container:ID: no pair and no port table of its own.
  if (std::none_of(attachments.begin(), attachments.end(), [](const NetworkAttachment& a) {
        return !a.host_veth.empty() || !a.ports.empty();
      })) {
    return;
  }
  pid_t child = ::fork();
  if (child != 0) {
    if (child < 0) ReleaseNetworks(attachments, state_.id).IgnoreError();
    return;
  }
  if (lock_fd > 3) ::syscall(SYS_close_range, 3U, lock_fd - 1U, 0U);
  ::syscall(SYS_close_range, lock_fd < 3 ? 3U : lock_fd + 1U, ~0U, 0U);
  ReleaseNetworks(attachments, state_.id).IgnoreError();
  ::_exit(0);
}

std::optional<absl::Duration> Monitor::Finish() {
  // On a full disk the reserve is the room to record the end and the output not yet logged.
  // (The reserve is four times what the log keeps, so the record still fits after it.)
  ::unlink(ReservePath(dir_).c_str());
  log_->Retry();
  auto lock = store_->Lock(request_.id);
  // Only a SIGKILL can be the OOM killer's; only then are the cgroup's counters read.
  bool oom = false;
  if (MayBeOomKill(wait_status_)) {
    auto stats = cgroups_->Stats(state_.cgroup_path);
    oom = stats.ok() && stats->oom_kills > 0;
  }
  // Released between runs too: a restart sets the container up again as a start does (the
  // rootfs' upper layer, the addresses, the cgroup's path and the log are the container's).
  ReleaseResources(RealHost(), *cgroups_, dir_, state_, /*networks=*/false).IgnoreError();
  // Read before a removal moves the directory away.
  const std::vector<NetworkAttachment> attachments = network::AttachmentsOf(dir_);
  bool removed = false;
  std::string trash;
  std::optional<absl::Duration> restart;
  // Without the lock (its file cannot be opened, say) the end is still recorded: the record is
  // replaced atomically, and an unrecorded end would leave "running" for reconciliation to
  // turn into an unknown exit code.
  if (auto current = store_->LoadState(request_.id); current.ok()) {
    RecordOutcome outcome =
        DecideEnd(*current, state_.init, wait_status_, oom, lock.ok(), absl::Now());
    // Labels do not change after create: the configuration read at the start has them.
    if (oom) RecordContainerEventWithLabels(*store_, *current, config_.labels, "oom");
    RecordContainerEventWithLabels(
        *store_, *current, config_.labels, "die",
        {{"exitCode", absl::StrCat(ExitCodeFromWaitStatus(wait_status_))}});
    RecordNetworkEvents(*store_, request_.id, attachments, "disconnect");
    if (outcome.remove) {
      removed = DeleteContainerFiles(*store_, *volumes_, request_.id,
                                     /*anonymous_volumes=*/true, &trash, &config_)
                    .ok();
      if (removed) RecordContainerEventWithLabels(*store_, *current, config_.labels, "destroy");
    } else {
      if (lock.ok()) restart = PlanRestart(outcome.record);
      store_->SaveState(outcome.record).IgnoreError();
    }
  }
  Tell(ControlType::kExited, ExitCodeFromWaitStatus(wait_status_));
  mount_ns_.reset();
  attach_.Exited(ExitCodeFromWaitStatus(wait_status_));
  // After the client has heard of the exit: the fork and the pages it makes this process copy
  // are no part of `run --rm`'s time. The child still takes the lock with it.
  ReleaseNetworksInBackground(attachments, lock.ok() ? lock->fd() : -1);
  // Once detached, the container is gone for every reader (not listed, its name free, its
  // cgroup removed): deleting its files need not keep the client waiting. This monitor still
  // holds the lock on the directory while it does, and a remover that dies half-way leaves
  // trash that the next Purge deletes.
  if (removed) store_->Purge(trash).IgnoreError();
  return restart;
}

std::optional<absl::Duration> Monitor::PlanRestart(ContainerState& record) {
  // Read again: `update --restart` may have changed the policy since the start.
  absl::StatusOr<ContainerConfig> config = store_->LoadConfig(request_.id);
  if (!config.ok()) return std::nullopt;
  std::optional<absl::Duration> delay = DecideRestart(
      config->restart_policy, record, record.exit_code, absl::Now() - state_.started, backoff_);
  if (!delay) return std::nullopt;
  record.status = ContainerStatus::kRestarting;
  record.restart_count++;
  record.init = ProcessRef{};
  return delay;
}

bool Monitor::AwaitRestart(absl::Duration delay) {
  const absl::Time deadline = absl::Now() + delay;
  for (;;) {
    int left = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (left <= 0) return true;
    struct pollfd p = {signal_fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) continue;
    struct signalfd_siginfo si;
    if (::read(signal_fd_.get(), &si, sizeof si) != sizeof si) continue;
    if (si.ssi_signo == SIGCHLD) {
      while (::waitpid(-1, nullptr, WNOHANG) > 0) {
      }
      continue;
    }
    return false;  // SIGTERM from a user's stop or rm -f, or the host shutting down
  }
}

void Monitor::EndRestartWait() {
  auto lock = store_->Lock(request_.id);
  absl::StatusOr<ContainerState> record = store_->LoadState(request_.id);
  if (!lock.ok() || !record.ok() || record->status != ContainerStatus::kRestarting) return;
  record->status = ContainerStatus::kStopped;
  store_->SaveState(*record).IgnoreError();
}

void Monitor::ResetRun() {
  // The client heard the first end (as Docker's `run` returns it); later runs are detached.
  if (client_connected_) DetachClient();
  request_.attach = false;
  request_.relay_stdin = false;
  restarting_ = true;
  init_pid_ = -1;
  mount_ns_.reset();
  init_exited_ = false;
  wait_status_ = 0;
  stdin_ = InputPump();
  stdin_w_.reset();
  stdout_r_.reset();
  stderr_r_.reset();
  terminal_.reset();
  owns_start_ = false;
}

void Monitor::StartHealthChecks() {
  if (!config_.healthcheck || !config_.healthcheck->Enabled()) return;
  health_ = HealthChecker(
      *config_.healthcheck, store_->HealthPath(request_.id),
      [this](const std::vector<std::string>& args) { return HealthRequest(args); },
      [this] {
        absl::StatusOr<ContainerState> record = store_->LoadState(request_.id);
        return record.ok() && record->status == ContainerStatus::kPaused;
      });
  health_.Start(state_.started);
}

absl::StatusOr<HealthChecker::Request> Monitor::HealthRequest(
    const std::vector<std::string>& args) {
  HealthChecker::Request request;
  MYDOCKER_ASSIGN_OR_RETURN(request.init_pidfd, OpenPidfd(state_.init));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> join_files,
                            cgroups_->JoinFiles(state_.cgroup_path));
  MYDOCKER_ASSIGN_OR_RETURN(std::string clone_into, cgroups_->CloneIntoDir(state_.cgroup_path));
  ExecOptions options;
  options.args = args;
  MYDOCKER_ASSIGN_OR_RETURN(ExecRequest exec,
                            BuildExecRequest(state_, config_, SeccompCacheDir(store_->root()),
                                             join_files, clone_into, options));
  request.payload = std::move(exec.payload);
  request.seal_lower = SealLowerDir(store_->root());
  return request;
}

std::optional<absl::Duration> Monitor::RunOnce() {
  absl::Status status = Prepare();
  if (status.ok()) status = StartInit();
  if (status.ok()) status = RecordStarted();
  if (!status.ok()) {
    if (absl::IsCancelled(status)) {
      lock_.reset();
      EndRestartWait();
    }
    FailStart(status);
    start_failed_ = !restarting_;
    return std::nullopt;
  }
  if (!restarting_) trim_pending_ = true;  // done by Loop() kTrimAfter from now, or on detach
  ListenForAttach();    // before the client hears of the start: `run -d` then `attach` works
  StartHealthChecks();  // before the client hears of the start: `inspect` shows "starting"
  Tell(ControlType::kStarted, init_pid_);
  Loop();
  health_.Stop();       // the probe in flight dies with the container's PID namespace; reaped here
  if (!init_exited_) {  // gave up draining; make sure init is gone before recording
    absl::StatusOr<int> status = init_.KillAndWait();
    if (status.ok()) wait_status_ = *status;
  }
  return Finish();
}

int Monitor::Run() {
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  for (int sig : kForwardedSignals) sigaddset(&mask, sig);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_.reset(::signalfd(-1, &mask, SFD_CLOEXEC));

  if (request_.await_id) {
    // Runtime::Run: the container is being created meanwhile. What needs no id is done first
    // (a failure is reported by Prepare, once the client listens for it).
    OpenStores().IgnoreError();
    if (!AwaitContainerId(control_.get(), request_)) return 0;  // the create failed
  }
  // The restart policy's loop: the monitor stays the container's for as long as it restarts.
  std::optional<absl::Duration> delay = RunOnce();
  while (delay.has_value()) {
    ResetRun();
    if (!AwaitRestart(*delay)) {
      EndRestartWait();
      break;
    }
    delay = RunOnce();
  }
  return start_failed_ ? 1 : 0;
}

}  // namespace

bool AwaitContainerId(int control_fd, MonitorRequest& request) {
  absl::StatusOr<ControlMessage> msg = ReceiveControl(control_fd);
  if (!msg.ok() || msg->type != ControlType::kBegin) return false;
  const absl::string_view id(msg->text, ::strnlen(msg->text, sizeof msg->text));
  // Only a full id names a directory of the state root: nothing else is ever opened.
  if (!IsFullContainerId(id)) return false;
  request.id = std::string(id);
  if (request.id_slot != nullptr && ::strlen(request.id_slot) == id.size()) {
    ::memcpy(request.id_slot, id.data(), id.size());  // the command line `ps` shows
  }
  return true;
}

int MonitorMain(const MonitorRequest& request) {
  // Descriptors that leaked in from the client are not ours to keep.
  ::syscall(SYS_close_range, kMonitorControlFd + 1, ~0U, 0);
  // Hold no directory of the client's busy for the container's whole life.
  if (::chdir("/") != 0) return 125;
  Monitor monitor(request);
  return monitor.Run();
}

}  // namespace mydocker::process
