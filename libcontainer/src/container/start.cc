// Container::Start: a new monitor for the container, which creates its init.
#include <sys/socket.h>

#include <algorithm>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "host/host.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "process/detach_keys.h"
#include "process/monitor.h"
#include "process/protocol.h"

namespace mydocker {

using process::ControlType;

absl::StatusOr<std::unique_ptr<Attachment>> Container::Start(const StartOptions& options) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (!state.CanStart()) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " is already running"));
  }
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return LastErrnoError("socketpair");
  }
  UniqueFd control(pair[0]);
  UniqueFd monitor_end(pair[1]);
  process::MonitorRequest request;
  request.root = runtime_->state().root();
  request.id = id_;
  request.attach = options.attach;
  request.relay_stdin = options.attach && options.stdio.in >= 0;
  request.console_size = options.console_size;
  if (request.relay_stdin && !options.detach_keys.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(request.detach_keys, process::ParseDetachKeys(options.detach_keys));
  }
  request.mount_setattr = runtime_->kernel().mount_setattr;
  request.cgroup.v2_root_override = runtime_->options().cgroup.v2_root_override;
  request.cgroup.v1_roots_override = runtime_->options().cgroup.v1_roots_override;
  StdioFds stdio = options.attach ? options.stdio : StdioFds{};
  const int fds[3] = {stdio.in, stdio.out, stdio.err};
  SpawnRequest spawn;
  spawn.argv = process::MonitorArgv(runtime_->options().helper_path, request);
  std::copy(std::begin(fds), std::end(fds), spawn.stdio);
  spawn.fds = {{monitor_end.get(), process::kMonitorControlFd}};
  MYDOCKER_ASSIGN_OR_RETURN(ChildProcess intermediate, runtime_->host().Spawn(spawn));
  monitor_end.reset();
  auto msg = process::ReceiveControl(control.get());
  // The intermediate process exits right after forking the monitor.
  intermediate.Wait().IgnoreError();
  if (!msg.ok()) {
    return absl::InternalError(absl::StrCat("monitor of container ", ShortId(id_),
                                            " ended before starting it: ", msg.status().message()));
  }
  if (msg->type == ControlType::kStartFailed) {
    return process::StartFailure(msg->value, msg->text);
  }
  if (msg->type != ControlType::kStarted) {
    return absl::InternalError("unexpected message from the container's monitor");
  }
  return std::make_unique<Attachment>(std::move(control), msg->value);
}

}  // namespace mydocker
