// `exec`: a new process in a created or running container, through the same nsenter stub as the
// Docker-like `exec` (container/exec_request.h), here executed from this runtime's own binary
// (it links the stub). The stub joins the container's cgroup and every namespace through its
// init's pidfd, forks into the PID namespace and runs the exec tail with the process's
// capabilities, rlimits, environment, working directory and user.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <csignal>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "host/host.h"
#include "host/pidfd.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "oci/runtime.h"
#include "process/protocol.h"

namespace mydocker::oci {
namespace {

// "UID" or "UID:GID", numbers only (as runc).
absl::Status ApplyUser(const std::string& user, UserSpec& spec) {
  std::vector<std::string> parts = absl::StrSplit(user, absl::MaxSplits(':', 1));
  if (!absl::SimpleAtoi(parts[0], &spec.uid) ||
      (parts.size() == 2 && !absl::SimpleAtoi(parts[1], &spec.gid))) {
    return absl::InvalidArgumentError(
        absl::StrCat("--user \"", user, "\": expected UID or UID:GID (numbers)"));
  }
  return absl::OkStatus();
}

void SetEnv(std::vector<std::string>& env, const std::string& kv) {
  std::string key = kv.substr(0, kv.find('='));
  std::erase_if(env, [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
  env.push_back(kv);
}

// runc's flags on top of config.json's process.
absl::Status ApplyFlags(const ExecArgs& args, Spec& spec) {
  ProcessSpec& p = spec.config.process;
  p.args = args.args;
  p.terminal = args.tty;
  if (!args.cwd.empty()) p.cwd = args.cwd;
  for (const std::string& kv : args.env) {
    if (kv.find('=') == std::string::npos || kv[0] == '=') {
      return absl::InvalidArgumentError(absl::StrCat("--env \"", kv, "\": expected KEY=VALUE"));
    }
    SetEnv(p.env, kv);
  }
  if (!args.user.empty()) MYDOCKER_RETURN_IF_ERROR(ApplyUser(args.user, p.user));
  if (!args.additional_gids.empty()) p.user.additional_gids = args.additional_gids;
  if (args.no_new_privs) p.no_new_privileges = true;
  if (!args.caps.empty() && spec.capabilities.has_value()) {
    CapabilitySets& c = *spec.capabilities;
    for (const std::string& cap : args.caps) {
      for (auto* set : {&c.bounding, &c.effective, &c.permitted}) set->push_back(cap);
    }
  }
  return absl::OkStatus();
}

absl::Status CheckProcess(const ProcessSpec& p, const ExecArgs& args) {
  if (p.args.empty() || p.args[0].empty()) {
    return absl::InvalidArgumentError("exec needs a command (arguments or process.args)");
  }
  if (p.cwd.empty() || p.cwd[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("the working directory \"", p.cwd, "\" must be an absolute path"));
  }
  if (p.terminal && args.console_socket.empty()) {
    return absl::InvalidArgumentError(
        "a terminal (--tty, process.terminal) needs --console-socket");
  }
  if (!p.terminal && !args.console_socket.empty()) {
    return absl::InvalidArgumentError("--console-socket is only for a terminal (--tty)");
  }
  return CheckParentDir(args.pid_file, "pid file");
}

// The request for the stub: options and extras from the process.
absl::StatusOr<ExecRequest> Request(const Spec& spec, const Record& record, CgroupManager& cgroups,
                                    bool detach, const std::string& executable = "") {
  const ProcessSpec& p = spec.config.process;
  ExecOptions options;
  options.args = p.args;
  options.workdir = p.cwd;
  options.tty = p.terminal;
  options.console_size = p.console_size;
  options.detach = detach;
  ExecRequestExtras extras;
  extras.env = p.env;
  extras.report_pid = true;
  extras.executable = executable;
  if (record.root_mount_id != 0) extras.root = record.rootfs;
  if (spec.capabilities.has_value()) {
    MYDOCKER_ASSIGN_OR_RETURN(extras.capabilities, CapabilityMasks(*spec.capabilities));
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> join_files,
                            cgroups.JoinFiles(record.cgroup_path));
  MYDOCKER_ASSIGN_OR_RETURN(std::string clone_into, cgroups.CloneIntoDir(record.cgroup_path));
  ContainerState state;
  state.init = record.init;
  // The namespaces given by path are init's too: the stub joins them through its pidfd with the
  // new ones (a pod's shared network namespace).
  ContainerConfig config = spec.config;
  for (const auto& [type, path] : spec.join) config.linux_spec.namespaces.push_back(type);
  return BuildExecRequest(state, config, "", join_files, clone_into, options, extras);
}

// Our own binary holds the stub; it re-executes itself from a sealed copy first. Started by
// its path, not as /proc/self/exe, which under valgrind is valgrind's own binary.
std::string OwnBinary() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) self[n] = '\0';
  return n > 0 && self[0] == '/' && ::access(self, X_OK) == 0
             ? std::string(self, static_cast<size_t>(n))
             : std::string("/proc/self/exe");
}

// The stub started on `request` in the container of `init`, the request sent: the socket its
// reports come on and the stub. `stdio[i]` < 0 is /dev/null; `preserve_fds` and `pass` as
// SpawnExecHelper takes them.
struct StartedStub {
  UniqueFd sock;
  ChildProcess helper;
};
absl::StatusOr<StartedStub> StartStub(const ProcessRef& init, const ExecRequest& request,
                                      const int stdio[3], unsigned preserve_fds,
                                      const std::vector<int>& pass = {}) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd pidfd, OpenPidfd(init));
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return LastErrnoError("socketpair");
  }
  StartedStub stub;
  stub.sock.reset(pair[0]);
  UniqueFd helper_end(pair[1]);
  MYDOCKER_ASSIGN_OR_RETURN(
      stub.helper, SpawnExecHelper(RealHost(), OwnBinary(), helper_end.get(), pidfd.get(), stdio,
                                   /*seal_lower=*/"", preserve_fds, pass));
  helper_end.reset();
  MYDOCKER_RETURN_IF_ERROR(SendExecRequest(stub.sock.get(), request.payload));
  return stub;
}

volatile int forward_to = -1;  // the stub's pidfd: never another process once it is reaped
// Without pidfds (old kernels, valgrind): the stub's pid, which stays its own until we reap it
// (it is our child), and the handler is gone by then.
volatile pid_t forward_pid = 0;
// Signals that came before there was a stub to pass them to (bit per signal number).
volatile sig_atomic_t held = 0;

constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

void Forward(int signal) {
  if (forward_to >= 0) {
    ::syscall(SYS_pidfd_send_signal, forward_to, signal, nullptr, 0);
  } else if (forward_pid > 0) {
    ::kill(forward_pid, signal);
  } else {
    held = held | (1 << signal);
  }
}

// Signals this process gets go to the stub, which passes them on to the command (as runc
// forwards them to the process it waits for). The handlers are in place before the stub starts:
// a signal sent once the command runs (which can be before this process has gone on from
// starting the stub) is held until there is a stub to pass it to, and does not end this process.
void HoldSignals() {
  struct sigaction sa = {};
  sa.sa_handler = Forward;
  sa.sa_flags = SA_RESTART;
  for (int signal : kForwarded) ::sigaction(signal, &sa, nullptr);
}

// From now on to the stub, with what was held.
void ForwardSignals(int helper_pidfd, pid_t helper_pid) {
  forward_to = helper_pidfd;
  forward_pid = helper_pid;
  for (int signal : kForwarded) {
    if (held & (1 << signal)) Forward(signal);
  }
  held = 0;
}

// No stub after all: the signals' own actions again, and what was held delivered to us.
void ReleaseSignals() {
  struct sigaction sa = {};
  sa.sa_handler = SIG_DFL;
  for (int signal : kForwarded) ::sigaction(signal, &sa, nullptr);
  for (int signal : kForwarded) {
    if (held & (1 << signal)) ::raise(signal);
  }
  held = 0;
}

}  // namespace

absl::StatusOr<Spec> Runtime::ExecSpec(const Record& record, const ExecArgs& args) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string text, ReadFile(Dir(record.id) + "/config.json"));
  if (!args.process_file.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string process, ReadFile(args.process_file));
    MYDOCKER_ASSIGN_OR_RETURN(
        text, SpliceJson(text, "config.json", {"process"}, process, args.process_file));
  }
  absl::StatusOr<Spec> spec = ParseSpec(text, record.bundle);
  if (!spec.ok()) {
    return Annotate(spec.status(), args.process_file.empty() ? "config.json" : args.process_file);
  }
  if (args.process_file.empty()) MYDOCKER_RETURN_IF_ERROR(ApplyFlags(args, *spec));
  MYDOCKER_RETURN_IF_ERROR(CheckProcess(spec->config.process, args));
  return spec;
}

absl::StatusOr<int> Runtime::Exec(const std::string& id, const ExecArgs& args, pid_t* pid_out) {
  MYDOCKER_ASSIGN_OR_RETURN(Record record, Load(id));
  Status status = StatusOf(record);
  if (status == Status::kStopped || status == Status::kPaused) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot exec in a ", StatusName(status), " container"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(Spec spec, ExecSpec(record, args));
  MYDOCKER_ASSIGN_OR_RETURN(ExecRequest request, Request(spec, record, *cgroups_, args.detach));
  const int stdio[3] = {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO};
  HoldSignals();
  absl::StatusOr<StartedStub> started_stub =
      StartStub(record.init, request, stdio, args.preserve_fds);
  if (!started_stub.ok()) {
    ReleaseSignals();
    return started_stub.status();
  }
  StartedStub stub = *std::move(started_stub);
  ChildProcess& helper = stub.helper;
  // Signals are forwarded from a handler, through the pidfd where there is one.
  ForwardSignals(helper.pidfd(), helper.pid());
  pid_t pid = 0;
  absl::Status started = AwaitExecReports(
      stub.sock.get(),
      [&args](UniqueFd master) { return SendConsole(args.console_socket, master.get()); }, &pid);
  if (!started.ok()) {
    // The stub reaps its child in the container (which could not run the command) and ends.
    // Killed at once, it would leave that child to the nearest subreaper, a caller of the C
    // API or pymydocker, as a zombie it never asked for: so given a moment to end first.
    const absl::Time deadline = absl::Now() + absl::Seconds(2);
    while (!helper.Ended() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
    return started;
  }
  if (!args.pid_file.empty()) {
    MYDOCKER_RETURN_IF_ERROR(WriteFileAtomic(args.pid_file, absl::StrCat(pid), 0644));
  }
  if (pid_out != nullptr) *pid_out = pid;
  // With --detach the stub has ended once the command runs; the command is reparented to the
  // nearest subreaper (conmon, the containerd shim).
  if (helper.pidfd() < 0) {
    // Ended but not reaped, then no more forwarding by pid: the pid is never someone else's.
    siginfo_t info;
    while (::waitid(P_PID, static_cast<id_t>(helper.pid()), &info, WEXITED | WNOWAIT) != 0 &&
           errno == EINTR) {
    }
    forward_pid = 0;
  }
  MYDOCKER_ASSIGN_OR_RETURN(int wait_status, helper.Wait());
  const int code = process::ExitCodeFromWaitStatus(wait_status);
  if (args.detach && code != 0) return absl::InternalError("exec helper failed");
  return code;
}

absl::Status Runtime::RunHookInContainer(const Hook& hook, const Record& record,
                                         const std::string& state, bool path_in_runtime) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string text, ReadFile(Dir(record.id) + "/config.json"));
  MYDOCKER_ASSIGN_OR_RETURN(Spec spec, ParseSpec(text, record.bundle));
  // The hook's own process: its args and env, as the namespace's root with every capability
  // this runtime holds, no seccomp filter and no no_new_privs, as runc runs hooks before it
  // applies the container's process settings.
  ProcessSpec& p = spec.config.process;
  p.args = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  p.env = hook.env;
  p.cwd = "/";
  p.user = UserSpec{};
  p.terminal = false;
  p.no_new_privileges = false;
  p.rlimits.clear();
  spec.config.linux_spec.seccomp.reset();
  CapabilitySets all;
  for (int cap = 0; cap <= process::LastCapability(); ++cap) {
    absl::string_view name = process::CapabilityName(cap);
    if (name.empty()) continue;
    for (auto* set : {&all.bounding, &all.effective, &all.permitted}) {
      set->push_back(absl::StrCat("CAP_", name));
    }
  }
  spec.capabilities = all;
  // createContainer: the path resolves here, in the runtime's namespaces; the file is opened
  // now and executed in the container as its descriptor 3 (/proc/self/fd/3: the container
  // needs its /proc).
  UniqueFd file;
  std::vector<int> pass;
  std::string executable = hook.path;
  if (path_in_runtime) {
    file.reset(::open(hook.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file) return LastErrnoError("open hook " + hook.path);
    pass.push_back(file.get());
    executable = "/proc/self/fd/3";
  }
  MYDOCKER_ASSIGN_OR_RETURN(ExecRequest request,
                            Request(spec, record, *cgroups_, /*detach=*/false, executable));
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  UniqueFd read_end(in[0]), write_end(in[1]);
  const int stdio[3] = {read_end.get(), STDOUT_FILENO, STDERR_FILENO};
  MYDOCKER_ASSIGN_OR_RETURN(StartedStub stub, StartStub(record.init, request, stdio, 0, pass));
  ChildProcess& helper = stub.helper;
  read_end.reset();
  file.reset();
  pid_t pid = 0;
  absl::Status started = AwaitExecReports(
      stub.sock.get(), [](UniqueFd) { return absl::InternalError("a hook has no terminal"); },
      &pid);
  if (!started.ok()) return Annotate(started, "run hook " + hook.path);
  // Held from now on, so a timeout kills the hook and never a process that took its pid.
  UniqueFd hook_process(pid > 0 ? static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)) : -1);
  (void)WriteAll(write_end.get(), state, "hook stdin");  // a hook need not read it
  write_end.reset();
  const absl::Time deadline =
      hook.timeout ? absl::Now() + absl::Seconds(*hook.timeout) : absl::InfiniteFuture();
  while (!helper.Ended()) {
    if (absl::Now() > deadline) {
      // The stub's child: killed, the stub reaps it and ends. Without a pidfd the container's
      // cgroup, which the failed lifecycle removes, still holds it.
      if (hook_process) ::syscall(SYS_pidfd_send_signal, hook_process.get(), SIGKILL, nullptr, 0);
      (void)helper.Wait();
      return absl::DeadlineExceededError(absl::StrCat("hook ", hook.path, " timed out"));
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  MYDOCKER_ASSIGN_OR_RETURN(int wait_status, helper.Wait());
  const int code = process::ExitCodeFromWaitStatus(wait_status);
  if (code != 0) {
    return absl::InternalError(
        absl::StrCat("hook ", hook.path, " failed (exit status ", code, ")"));
  }
  return absl::OkStatus();
}

}  // namespace mydocker::oci
