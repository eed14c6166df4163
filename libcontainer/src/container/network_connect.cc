// Container::Networks, ConnectNetwork and DisconnectNetwork (`network connect|disconnect`).
#include <fcntl.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "host/host.h"
#include "mydocker/events.h"
#include "mydocker/network_store.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "network/attach.h"
#include "network/store.h"

namespace mydocker {
namespace {

// Docker's refusal for a container that has no namespace of its own to connect.
absl::Status CheckOwnNamespace(const std::vector<NetworkAttachment>& list) {
  if (!list.empty() && list[0].host) {
    return absl::FailedPreconditionError(
        "container cannot be disconnected from host network or connected to host network");
  }
  if (!list.empty() && !list[0].join_container.empty()) {
    return absl::FailedPreconditionError(
        "container sharing network namespace with another container or host cannot be "
        "connected to any other network");
  }
  return absl::OkStatus();
}

std::vector<NetworkAttachment>::const_iterator Find(const std::vector<NetworkAttachment>& list,
                                                    const std::string& network) {
  return std::find_if(list.begin(), list.end(),
                      [&](const NetworkAttachment& a) { return a.network == network; });
}

// eth0, eth1, ...: the first name no attachment has.
std::string FreeInterface(const std::vector<NetworkAttachment>& list) {
  for (int i = 0;; ++i) {
    std::string name = absl::StrCat("eth", i);
    if (std::none_of(list.begin(), list.end(),
                     [&](const NetworkAttachment& a) { return a.interface == name; })) {
      return name;
    }
  }
}

// The running container's network namespace, or an invalid descriptor if it is not running.
// Opened through /proc and then checked against the init's pidfd, so a recycled pid is never
// taken for the container.
absl::StatusOr<UniqueFd> OpenNetns(Host& host, const ContainerState& state) {
  absl::StatusOr<UniqueFd> init = OpenRunningInit(host, state);
  if (!init.ok()) return UniqueFd();
  UniqueFd netns(
      ::open(absl::StrCat("/proc/", state.init.pid, "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns.valid() || !host.SignalProcess(init->get(), 0).ok()) return UniqueFd();
  return netns;
}

}  // namespace

std::vector<NetworkAttachment> Container::Networks() const {
  return network::AttachmentsOf(runtime_->state().ContainerDir(id_));
}

absl::Status Container::ConnectNetwork(const std::string& name,
                                       const NetworkConnectOptions& options) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime_->state().LoadState(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, runtime_->state().LoadConfig(id_));
  const std::string dir = runtime_->state().ContainerDir(id_);
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<NetworkAttachment> list, network::LoadAttachments(dir));
  MYDOCKER_RETURN_IF_ERROR(CheckOwnNamespace(list));
  network::NetworkStore networks(runtime_->options().root);
  MYDOCKER_ASSIGN_OR_RETURN(NetworkRecord record, networks.Get(name));
  if (Find(list, record.name) != list.end()) {
    return absl::AlreadyExistsError(absl::StrCat("endpoint with name ", state.name,
                                                 " already exists in network ", record.name));
  }
  network::AllocationRequest request;
  request.container_id = id_;
  request.names = {state.name, config.hostname};
  request.names.insert(request.names.end(), options.aliases.begin(), options.aliases.end());
  request.ip = options.ip;
  request.interface = FreeInterface(list);
  MYDOCKER_ASSIGN_OR_RETURN(NetworkAttachment a, networks.Allocate(record, request));
  a.aliases = options.aliases;
  absl::Status s;
  // A running container gets its interface now; a stopped one at its next start.
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd netns, OpenNetns(runtime_->host(), state));
  if (netns.valid()) {
    s = network::ConnectContainer(a, id_, netns.get(), !network::HasDefaultRoute(list));
  }
  list.push_back(a);
  if (s.ok()) s = network::SaveAttachments(dir, list);
  if (!s.ok()) {
    if (netns.valid()) network::DisconnectContainer(a, id_).IgnoreError();
    networks.Release(id_, a).IgnoreError();
    return s;
  }
  networks.RefreshHosts(record.name);
  RecordEvent(runtime_->state().root(),
              {"network",
               "connect",
               record.id,
               {{"container", id_}, {"name", record.name}, {"type", record.driver}}});
  return absl::OkStatus();
}

absl::Status Container::DisconnectNetwork(const std::string& name) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime_->state().LoadState(id_));
  const std::string dir = runtime_->state().ContainerDir(id_);
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<NetworkAttachment> list, network::LoadAttachments(dir));
  MYDOCKER_RETURN_IF_ERROR(CheckOwnNamespace(list));
  network::NetworkStore networks(runtime_->options().root);
  // By name or id, as Docker; a network already removed can still be named.
  absl::StatusOr<NetworkRecord> record = networks.Get(name);
  auto it = Find(list, record.ok() ? record->name : name);
  if (it == list.end()) {
    return absl::NotFoundError(
        absl::StrCat("container ", ShortId(id_), " is not connected to network ", name));
  }
  NetworkAttachment a = *it;
  list.erase(it);
  // The record first: whatever fails next, the address is no longer the container's.
  MYDOCKER_RETURN_IF_ERROR(network::SaveAttachments(dir, list));
  // Deleting the host's end removes the container's end with it.
  absl::Status s = network::DisconnectContainer(a, id_);
  s.Update(networks.Release(id_, a));
  RecordEvent(runtime_->state().root(),
              {"network",
               "disconnect",
               record.ok() ? record->id : name,
               {{"container", id_}, {"name", a.network}, {"type", "bridge"}}});
  return s;
}

}  // namespace mydocker
