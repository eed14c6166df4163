// Stopping a container: Kill, Stop, Restart and Wait.
#include <csignal>

#include "absl/strings/str_cat.h"
#include "cleanup.h"
#include "container/container_internal.h"
#include "container_events.h"
#include "host/host.h"
#include "mydocker/runtime.h"
#include "mydocker/signals.h"
#include "mydocker/status_macros.h"

namespace mydocker {

namespace {

// Docker's rule (daemon killWithSignal): a kill ends the restart policy's current run when it
// is a SIGKILL or the container's stop signal, or when the container has no stop signal set.
bool KillEndsPolicy(const ContainerConfig& config, int signal) {
  if (config.stop_signal.empty() || signal == SIGKILL) return true;
  absl::StatusOr<int> stop = ParseSignal(config.stop_signal);
  return stop.ok() && *stop == signal;
}

}  // namespace

absl::Status Container::Kill(int signal) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (state.IsActive()) {
    MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, Config());
    MYDOCKER_ASSIGN_OR_RETURN(state,
                              RecordUserStop(*runtime_, id_, KillEndsPolicy(config, signal)));
    // Waiting to restart: the mark is all there is to do (Docker's kill does the same).
    if (state.status == ContainerStatus::kRestarting) return absl::OkStatus();
  }
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd init, OpenRunningInit(runtime_->host(), state));
  MYDOCKER_RETURN_IF_ERROR(Annotate(runtime_->host().SignalProcess(init.get(), signal),
                                    absl::StrCat("kill container ", ShortId(id_))));
  RecordContainerEvent(runtime_->state(), state, "kill", {{"signal", absl::StrCat(signal)}});
  return absl::OkStatus();
}

absl::Status Container::Stop(absl::Duration timeout, int signal) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (!state.IsActive()) return absl::OkStatus();
  // Not restarted after this, whatever its policy; a monitor waiting to restart it ends.
  MYDOCKER_ASSIGN_OR_RETURN(state, RecordUserStop(*runtime_, id_, /*cancel=*/true));
  if (!state.IsActive()) return absl::OkStatus();
  // A frozen process cannot act on SIGTERM (nor die of SIGKILL on cgroup v1): thaw it first.
  if (state.status == ContainerStatus::kPaused) {
    absl::Status thawed = Unpause();
    if (!thawed.ok() && !absl::IsFailedPrecondition(thawed)) return thawed;
  }
  auto init = runtime_->host().OpenProcess(state.init);
  auto monitor = runtime_->host().OpenProcess(state.monitor);
  if (init.ok() && state.HasProcess()) {
    // A paused container cannot act on SIGTERM; it still dies of SIGKILL. Each signal is a
    // "kill" event, as Docker's stop writes them.
    bool sent = runtime_->host().SignalProcess(init->get(), signal).ok();
    if (sent) {
      RecordContainerEvent(runtime_->state(), state, "kill", {{"signal", absl::StrCat(signal)}});
    }
    if (sent && !runtime_->host().WaitProcess(init->get(), runtime_->host().Now() + timeout)) {
      runtime_->host().SignalProcess(init->get(), SIGKILL).IgnoreError();
      RecordContainerEvent(runtime_->state(), state, "kill", {{"signal", "9"}});
      runtime_->host().WaitProcess(init->get(), runtime_->host().Now() + absl::Seconds(10));
    }
  }
  if (monitor.ok() &&
      !runtime_->host().WaitProcess(monitor->get(), runtime_->host().Now() + absl::Seconds(30))) {
    return absl::DeadlineExceededError(
        absl::StrCat("container ", ShortId(id_), " did not finish stopping"));
  }
  if (monitor.ok()) {
    // The monitor's last work, releasing the network, runs in a child that holds the
    // container's lock (process/monitor.cc): once the lock is free, the container is stopped.
    absl::StatusOr<FileLock> released = runtime_->state().Lock(id_);
    released.IgnoreError();
  } else {
    // Nobody will record the end or release the resources: do the release here.
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
    MYDOCKER_RETURN_IF_ERROR(ReleaseResources(runtime_->host(), runtime_->cgroups(),
                                              runtime_->state().ContainerDir(id_), state));
  }
  RecordContainerEvent(runtime_->state(), state, "stop");
  return absl::OkStatus();
}

absl::Status Container::StopAsConfigured(std::optional<absl::Duration> timeout) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, Config());
  int signal = SIGTERM;
  if (!config.stop_signal.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(signal, ParseSignal(config.stop_signal));
  }
  if (!timeout.has_value()) {
    int seconds = config.stop_timeout.value_or(10);
    timeout = seconds < 0 ? absl::InfiniteDuration() : absl::Seconds(seconds);
  }
  return Stop(*timeout, signal);
}

absl::Status Container::Restart(std::optional<absl::Duration> timeout) {
  ProcessRef marked;
  {
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
    MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
    state = UndoDeadCommit(*runtime_, std::move(state));  // we hold the lock
    if (state.IsActive() && state.auto_remove) {
      // Names the run being stopped: only its monitor keeps the container, so a restart that
      // raced with ours and stops the next run does not count as ours.
      marked = state.init;
      state.restarting = marked;
      MYDOCKER_RETURN_IF_ERROR(runtime_->state().SaveState(state));
    }
  }
  absl::Status status = StopAsConfigured(timeout);
  if (status.ok()) status = Start(StartOptions{}).status();
  if (!status.ok() && !marked.empty()) {
    // Not restarted. As with Docker, the container is kept (stopped, with its error); the mark
    // goes, so that a later run of it is removed when it ends.
    auto lock = runtime_->state().Lock(id_);
    auto state = runtime_->state().LoadState(id_);
    if (lock.ok() && state.ok() && state->restarting == marked) {
      state->restarting = ProcessRef{};
      runtime_->state().SaveState(*state).IgnoreError();
    }
  }
  if (status.ok()) {
    if (auto state = State(); state.ok())
      RecordContainerEvent(runtime_->state(), *state, "restart");
  }
  return status;
}

absl::StatusOr<std::optional<int>> Container::Wait(absl::Duration timeout) {
  absl::Time deadline = timeout == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                                            : runtime_->host().Now() + timeout;
  for (;;) {
    auto state = State();
    if (!state.ok()) {
      // A --rm container is gone once it ended; its exit code went with it.
      if (absl::IsNotFound(state.status())) return std::optional<int>();
      return state.status();
    }
    auto monitor = runtime_->host().OpenProcess(state->monitor);
    if (!state->IsActive() && !monitor.ok()) return state->exit_code;
    if (monitor.ok()) {
      if (!runtime_->host().WaitProcess(monitor->get(), deadline)) {
        return absl::DeadlineExceededError(
            absl::StrCat("container ", ShortId(id_), " is still running"));
      }
      continue;  // re-read the record the monitor wrote before exiting
    }
    if (!state->IsActive()) return state->exit_code;
  }
}

}  // namespace mydocker
