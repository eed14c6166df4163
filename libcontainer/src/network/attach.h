// Connecting a container's network namespace to its network, and undoing it: run by the
// container's monitor (a single-threaded process) between init's creation of the namespace and
// its execve, and by every release of the container's resources.
#ifndef MYDOCKER_NETWORK_ATTACH_H_
#define MYDOCKER_NETWORK_ATTACH_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/network.h"
#include "mydocker/network_store.h"

namespace mydocker::network {

inline constexpr char kAttachmentFile[] = "network.json";

// The bridge (made on first use, with its address and rules), the veth pair with
// `a.interface` inside `netns_fd`, the address, the default route through the gateway if
// `default_route` (never on an internal network), the published ports' rules. Enters the
// namespace on the calling thread only (and leaves it before returning).
absl::Status ConnectContainer(const NetworkAttachment& a, const std::string& container_id,
                              int netns_fd, bool default_route);

// Whether a container on `list` already has its default route: only its first non-internal
// network gives one (as Docker's first network does).
bool HasDefaultRoute(const std::vector<NetworkAttachment>& list);

// Removes the host's end of the pair and the container's port rules; "already gone" is fine.
absl::Status DisconnectContainer(const NetworkAttachment& a, const std::string& container_id);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_ATTACH_H_
