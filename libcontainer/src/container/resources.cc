// A running container's resources: Pause, Unpause, Update, Stats and Top.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "container_events.h"
#include "host/host.h"
#include "mydocker/fs_util.h"
#include "mydocker/network_store.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "network/netdev.h"

namespace mydocker {
namespace {

absl::Status RequireActive(const ContainerState& state, const std::string& id) {
  MYDOCKER_RETURN_IF_ERROR(RefuseRestarting(state));
  if (state.IsActive()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("container ", ShortId(id), " is not running"));
}

template <typename T>
void Merge(std::optional<T>& into, const std::optional<T>& from) {
  if (from.has_value()) into = from;
}

void MergeResources(LinuxResources& into, const LinuxResources& from) {
  Merge(into.memory.limit, from.memory.limit);
  Merge(into.memory.swap, from.memory.swap);
  Merge(into.memory.reservation, from.memory.reservation);
  Merge(into.memory.swappiness, from.memory.swappiness);
  Merge(into.memory.disable_oom_killer, from.memory.disable_oom_killer);
  Merge(into.cpu.shares, from.cpu.shares);
  Merge(into.cpu.quota, from.cpu.quota);
  Merge(into.cpu.period, from.cpu.period);
  if (!from.cpu.cpus.empty()) into.cpu.cpus = from.cpu.cpus;
  if (!from.cpu.mems.empty()) into.cpu.mems = from.cpu.mems;
  Merge(into.pids.limit, from.pids.limit);
  Merge(into.block_io.weight, from.block_io.weight);
  if (!from.devices.empty()) into.devices = from.devices;
}

}  // namespace

absl::Status Container::Pause() {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  state = UndoDeadCommit(*runtime_, std::move(state));  // we hold the lock
  if (state.status == ContainerStatus::kPaused) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " is already paused"));
  }
  MYDOCKER_RETURN_IF_ERROR(RequireActive(state, id_));
  MYDOCKER_RETURN_IF_ERROR(runtime_->cgroups().Freeze(state.cgroup_path, true));
  state.status = ContainerStatus::kPaused;
  MYDOCKER_RETURN_IF_ERROR(runtime_->state().SaveState(state));
  RecordContainerEvent(runtime_->state(), state, "pause");
  return absl::OkStatus();
}

absl::Status Container::Unpause() {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  state = UndoDeadCommit(*runtime_, std::move(state));  // we hold the lock
  if (state.status != ContainerStatus::kPaused) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " is not paused"));
  }
  MYDOCKER_RETURN_IF_ERROR(runtime_->cgroups().Freeze(state.cgroup_path, false));
  state.status = ContainerStatus::kRunning;
  MYDOCKER_RETURN_IF_ERROR(runtime_->state().SaveState(state));
  RecordContainerEvent(runtime_->state(), state, "unpause");
  return absl::OkStatus();
}

absl::Status Container::Update(const LinuxResources& resources) {
  // Validated merged with the container's current limits (below): a memory+swap limit alone is
  // fine for a container that has a memory limit, as in Docker.
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  state = UndoDeadCommit(*runtime_, std::move(state));  // we hold the lock
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, Config());
  LinuxResources merged = config.linux_spec.resources;
  MergeResources(merged, resources);
  const std::optional<int64_t>& swap = config.linux_spec.resources.memory.swap;
  if (resources.memory.limit.has_value() && !resources.memory.swap.has_value() &&
      swap.has_value() && *swap != -1 && *resources.memory.limit > *swap) {
    // Docker's rule and message: the memory+swap limit (twice -m by default) does not follow.
    return absl::InvalidArgumentError(absl::StrCat(
        "memory limit ", *resources.memory.limit, " is above the container's memory+swap limit ",
        *swap, "; update the memory+swap limit (--memory-swap) at the same time"));
  }
  MYDOCKER_RETURN_IF_ERROR(runtime_->cgroups().Validate(merged));
  if (state.HasProcess()) {  // else (stopped, or waiting to restart) from the next start on
    LinuxResources live = resources;
    // Memory and memory+swap are written together: a new memory+swap limit with the memory
    // limit it is measured against, and a new memory limit with the memory+swap limit it must
    // keep (v2 stores swap alone, as memory+swap minus memory).
    if (live.memory.swap.has_value() && !live.memory.limit.has_value()) {
      live.memory.limit = merged.memory.limit;
    }
    if (live.memory.limit.has_value() && !live.memory.swap.has_value()) {
      live.memory.swap = merged.memory.swap;
    }
    MYDOCKER_RETURN_IF_ERROR(runtime_->cgroups().Update(state.cgroup_path, live));
  }
  config.linux_spec.resources = merged;
  return runtime_->state().SaveConfig(id_, config);
}

absl::StatusOr<CgroupStats> Container::Stats() const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  MYDOCKER_RETURN_IF_ERROR(RequireActive(state, id_));
  MYDOCKER_ASSIGN_OR_RETURN(CgroupStats stats, runtime_->cgroups().Stats(state.cgroup_path));
  // Only a namespace of its own on a network counts (the host's, or lo only, show 0).
  std::vector<NetworkAttachment> networks =
      network::AttachmentsOf(runtime_->state().ContainerDir(id_));
  if (!networks.empty() && !networks[0].host && networks[0].join_container.empty()) {
    // It may stop while we read: its counters are then simply not there.
    if (auto dev = ReadFile(absl::StrCat("/proc/", state.init.pid, "/net/dev")); dev.ok()) {
      network::NetDevTotals totals = network::ParseNetDev(*dev);
      stats.net_rx_bytes = totals.rx_bytes;
      stats.net_tx_bytes = totals.tx_bytes;
    }
  }
  return stats;
}

absl::StatusOr<std::vector<ProcessInfo>> Container::Top() const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  MYDOCKER_RETURN_IF_ERROR(RequireActive(state, id_));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<pid_t> pids, runtime_->cgroups().Pids(state.cgroup_path));
  std::sort(pids.begin(), pids.end());
  std::vector<ProcessInfo> out;
  for (pid_t pid : pids) {
    auto info = runtime_->host().ReadProcess(pid);
    if (info.ok()) out.push_back(std::move(*info));  // a process may end while we look
  }
  return out;
}

}  // namespace mydocker
