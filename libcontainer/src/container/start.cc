// Container::Start: a new monitor for the container, which creates its init. Runtime::Run:
// the same monitor started before the container is created, so the two overlap.
#include <sys/socket.h>

#include <algorithm>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "container/exec_request.h"
#include "host/host.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "process/detach_keys.h"
#include "process/monitor.h"
#include "process/protocol.h"

namespace mydocker {

using process::ControlType;

namespace {

// A monitor's process as spawned: the intermediate process (it exits once it has forked the
// monitor) and the client's end of the control socket.
struct SpawnedMonitor {
  UniqueFd control;
  ChildProcess intermediate;
};

// Spawns the helper in monitor mode for container `id`, or, with an empty `id`, one that waits
// for it (--await-id).
absl::StatusOr<SpawnedMonitor> SpawnMonitor(Runtime& runtime, const StartOptions& options,
                                            const std::string& id) {
  process::MonitorRequest request;
  request.root = runtime.state().root();
  request.id = id;
  request.await_id = id.empty();
  request.attach = options.attach;
  request.relay_stdin = options.attach && options.stdio.in >= 0;
  request.console_size = options.console_size;
  if (request.relay_stdin && !options.detach_keys.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(request.detach_keys, process::ParseDetachKeys(options.detach_keys));
  }
  request.mount_setattr = runtime.kernel().mount_setattr;
  request.cgroup.v2_root_override = runtime.options().cgroup.v2_root_override;
  request.cgroup.v1_roots_override = runtime.options().cgroup.v1_roots_override;
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return LastErrnoError("socketpair");
  }
  SpawnedMonitor spawned;
  spawned.control.reset(pair[0]);
  UniqueFd monitor_end(pair[1]);
  StdioFds stdio = options.attach ? options.stdio : StdioFds{};
  const int fds[3] = {stdio.in, stdio.out, stdio.err};
  SpawnRequest spawn;
  spawn.argv = process::MonitorArgv(runtime.options().helper_path, request);
  std::copy(std::begin(fds), std::end(fds), spawn.stdio);
  spawn.fds = {{monitor_end.get(), process::kMonitorControlFd}};
  // Executed through a copy no process can write to: the container's init is the monitor's
  // clone and runs its binary until its execve, so a command that is /proc/self/exe (or a script
  // whose interpreter it is) would otherwise run the host's helper in the container, where any
  // process can open /proc/1/exe and keep it to write once the file is no longer busy
  // (CVE-2019-5736).
  spawn.protect_executable = true;
  spawn.protect_lower = SealLowerDir(request.root);
  MYDOCKER_ASSIGN_OR_RETURN(spawned.intermediate, runtime.host().Spawn(spawn));
  return spawned;
}

// The monitor's answer to a start: its first message.
absl::StatusOr<process::ControlMessage> AwaitAnswer(SpawnedMonitor& monitor,
                                                    const std::string& id) {
  auto msg = process::ReceiveControl(monitor.control.get());
  // The intermediate process exits right after forking the monitor.
  monitor.intermediate.Wait().IgnoreError();
  if (!msg.ok()) {
    return absl::InternalError(absl::StrCat("monitor of container ", ShortId(id),
                                            " ended before starting it: ", msg.status().message()));
  }
  return msg;
}

absl::StatusOr<std::unique_ptr<Attachment>> Started(SpawnedMonitor& monitor,
                                                    const process::ControlMessage& msg) {
  if (msg.type == ControlType::kStartFailed) return process::StartFailure(msg.value, msg.text);
  if (msg.type != ControlType::kStarted) {
    return absl::InternalError("unexpected message from the container's monitor");
  }
  return std::make_unique<Attachment>(std::move(monitor.control), msg.value);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Attachment>> Container::Start(const StartOptions& options) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (!state.CanStart()) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " is already running"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(SpawnedMonitor monitor, SpawnMonitor(*runtime_, options, id_));
  MYDOCKER_ASSIGN_OR_RETURN(process::ControlMessage msg, AwaitAnswer(monitor, id_));
  return Started(monitor, msg);
}

struct PendingMonitor::Impl {
  SpawnedMonitor monitor;
  StartOptions start;  // for a helper older than --await-id: a start as before
};

PendingMonitor::PendingMonitor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PendingMonitor::PendingMonitor(PendingMonitor&&) noexcept = default;
PendingMonitor& PendingMonitor::operator=(PendingMonitor&&) noexcept = default;
PendingMonitor::~PendingMonitor() = default;

absl::StatusOr<PendingMonitor> Runtime::StartMonitorAhead(const StartOptions& start) {
  auto impl = std::make_unique<PendingMonitor::Impl>();
  MYDOCKER_ASSIGN_OR_RETURN(impl->monitor, SpawnMonitor(*this, start, ""));
  impl->start = start;
  return PendingMonitor(std::move(impl));
}

Runtime::RunResult Runtime::Run(const CreateOptions& create, const StartOptions& start) {
  absl::StatusOr<PendingMonitor> monitor = StartMonitorAhead(start);
  if (!monitor.ok()) return RunResult{nullptr, monitor.status()};
  return Run(create, *std::move(monitor));
}

Runtime::RunResult Runtime::Run(const CreateOptions& create, PendingMonitor pending) {
  RunResult result{nullptr, absl::UnknownError("not started")};
  SpawnedMonitor& monitor = pending.impl_->monitor;
  // A failed create drops `pending`: its process sees the socket close and exits.
  absl::StatusOr<std::unique_ptr<Container>> made = Create(create);
  if (!made.ok()) {
    result.started = made.status();
    return result;
  }
  result.container = *std::move(made);
  const std::string& id = result.container->id();
  // Read the answer even when this send fails: a monitor that gave up has said why first.
  process::SendControl(monitor.control.get(), process::MakeControl(ControlType::kBegin, 0, 0, id))
      .IgnoreError();
  absl::StatusOr<process::ControlMessage> msg = AwaitAnswer(monitor, id);
  // A helper older than --await-id refuses it before reading anything: start as before.
  if (msg.ok() && msg->type == ControlType::kStartFailed &&
      absl::StrContains(msg->text, "--await-id")) {
    result.started = result.container->Start(pending.impl_->start);
    return result;
  }
  if (!msg.ok()) {
    result.started = msg.status();
    return result;
  }
  result.started = Started(monitor, *msg);
  return result;
}

}  // namespace mydocker
