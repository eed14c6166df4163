// The network part of Runtime::Create: options checked and turned into a plan without side
// effects (PlanNetwork), then the address and ports allocated (NetworkStore::Allocate) and the
// container's files written once its directory exists (WriteNetworkFiles).
#ifndef MYDOCKER_CONTAINER_NETWORK_SETUP_H_
#define MYDOCKER_CONTAINER_NETWORK_SETUP_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "mydocker/container.h"
#include "mydocker/image_store.h"
#include "mydocker/network.h"
#include "mydocker/state_store.h"
#include "network/store.h"

namespace mydocker {

struct NetworkPlan {
  // Absent: the container's own namespace with only lo, no files (the default).
  std::optional<NetworkAttachment> attachment;
  std::optional<NetworkRecord> network;  // bridge networks
  network::AllocationRequest request;    // bridge networks
  std::string hosts_base, resolv_conf;   // the files' contents (hosts without peers)
  std::string hostname;
  std::string share_files_of;  // container:ID: that container's directory
};

// Checks every network option (one line for a bad one) and edits `config`: no network
// namespace for host, bind mounts of /etc/hosts, /etc/resolv.conf and /etc/hostname.
absl::StatusOr<NetworkPlan> PlanNetwork(const CreateOptions& options, const ImageConfig& image,
                                        const std::string& container_dir, StateStore& store,
                                        network::NetworkStore& networks, ContainerConfig& config);

// Allocates the plan's address and ports (bridge networks); sets plan.attachment's fields.
absl::Status AllocateNetwork(NetworkPlan& plan, network::NetworkStore& networks);

// Writes network.json and the /etc files into the container's directory, and refreshes the
// /etc/hosts of the network's containers.
absl::Status WriteNetworkFiles(const NetworkPlan& plan, const std::string& container_dir,
                               network::NetworkStore& networks);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_NETWORK_SETUP_H_
