// Network records and address management under <root>/networks/ (see docs/networking.md):
//   networks/.lock               flock: every change below is made under it
//   networks/<name>.json         the record (NetworkRecord), replaced atomically
//   networks/<name>.ips/<ip>     one file per address given out: "<container id> <names...>"
//   networks/ports/<proto>-<n>   one file per published host port: "<container id>"
// Concurrent creators never get the same address or port: each allocation reads the files and
// creates its own under the lock.
#ifndef MYDOCKER_NETWORK_STORE_PUBLIC_H_
#define MYDOCKER_NETWORK_STORE_PUBLIC_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/fs_util.h"
#include "mydocker/network.h"

namespace mydocker::network {

inline constexpr char kDefaultNetwork[] = "bridge";
inline constexpr char kDefaultBridge[] = "mydocker0";
inline constexpr char kDefaultSubnet[] = "172.17.0.0/16";
// The default network's subnet, if set (read when the record is first made).
inline constexpr char kDefaultSubnetEnv[] = "MYDOCKER_BRIDGE_SUBNET";

// What a new container asks of its network.
struct AllocationRequest {
  std::string container_id;
  std::vector<std::string> names;  // container name, hostname, aliases (for peers' /etc/hosts)
  std::string ip;                  // --ip, or empty
  std::string mac;                 // --mac-address, or empty
  std::vector<PortMapping> ports;  // host_port 0: a free one is chosen
  std::string interface = "eth0";  // inside the container: eth0, eth1, ...
};

// The host's end of the pair for `interface` (at most 15 characters, unique per container):
// "veth" and 11 digits of the id for eth0 (as before), "veth", 8 digits and "n1" for eth1.
std::string HostVethName(const std::string& container_id, const std::string& interface);

class NetworkStore {
 public:
  // `state_root` is the runtime's root; the directory is made on first use.
  explicit NetworkStore(std::string state_root);

  // Validates everything (name, subnet syntax, overlap with other networks and the host's
  // routes, gateway) before writing the record.
  absl::StatusOr<NetworkRecord> Create(const NetworkCreateOptions& options);
  // By name, id or unique id prefix; the default "bridge" is made on first use.
  absl::StatusOr<NetworkRecord> Get(const std::string& name_or_id);
  absl::StatusOr<std::vector<NetworkRecord>> List();
  // FailedPrecondition while a container uses it. Deletes the bridge and the rules.
  absl::Status Remove(const std::string& name_or_id);
  // Removes every user network no container uses (and, given `select`, that it selects);
  // returns their names.
  absl::StatusOr<std::vector<std::string>> Prune(
      const std::function<bool(const NetworkRecord&)>& select = nullptr);
  // Ids of the containers with an address on the network.
  absl::StatusOr<std::vector<std::string>> Users(const std::string& name);

  // Gives the container an address (and host ports) on `network`. InvalidArgument for an --ip
  // outside the subnet, AlreadyExists for one in use or a host port taken.
  absl::StatusOr<NetworkAttachment> Allocate(const NetworkRecord& network,
                                             const AllocationRequest& request);
  // Gives back what Allocate gave; tolerates "already gone". Rewrites the network's other
  // containers' /etc/hosts.
  absl::Status Release(const std::string& container_id, const NetworkAttachment& attachment);
  // Rewrites /etc/hosts of every container on `network` (<root>/containers/<id>/hosts from its
  // hosts.base and the other containers' entries).
  void RefreshHosts(const std::string& network);

 private:
  // Also rewrites the file of container `also` (one that just left `network`).
  void RefreshHostsLocked(const std::string& network, const std::string& also = "");
  std::string RecordPath(const std::string& name) const;
  std::string IpsDir(const std::string& name) const;
  absl::StatusOr<FileLock> Lock();
  absl::StatusOr<std::vector<NetworkRecord>> ListLocked();
  absl::StatusOr<NetworkRecord> MakeDefault();
  absl::Status CheckSubnetFree(const std::string& subnet, const std::vector<NetworkRecord>& all);
  // Removes `ip_file` if its container was never recorded (see kOrphanAge); true if it did.
  bool ReclaimOrphan(const std::string& ip_file);
  absl::StatusOr<std::string> PickIp(const NetworkRecord& network, const std::string& wanted);
  absl::Status ReservePorts(const std::string& id, std::vector<PortMapping>& ports);
  void ReleasePorts(const std::string& id, const std::vector<PortMapping>& ports);

  // The state root, whose journal gets the network events.
  std::string StateRoot() const { return root_.substr(0, root_.rfind('/')); }
  std::string root_;  // <state root>/networks
  std::string containers_;
};

// Validates a network name: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 64 characters.
absl::Status CheckNetworkName(const std::string& name);

// Record (de)serialisation, for the store and `network inspect`.
std::string NetworkToJson(const NetworkRecord& r);
absl::StatusOr<NetworkRecord> NetworkFromJson(absl::string_view json);
std::string AttachmentsToJson(const std::vector<NetworkAttachment>& list);
// Also reads the single object that version 1.1.0 wrote.
absl::StatusOr<std::vector<NetworkAttachment>> AttachmentsFromJson(absl::string_view json);

// A container's attachments (<container_dir>/network.json), in the order they were made (the
// first is `run --network`'s); empty when it has none (its own namespace with only lo).
absl::StatusOr<std::vector<NetworkAttachment>> LoadAttachments(const std::string& container_dir);
// The same for views (mydocker/views.h): empty also when the file cannot be read.
std::vector<NetworkAttachment> AttachmentsOf(const std::string& container_dir);
// Replaces the record atomically (an empty list removes it).
absl::Status SaveAttachments(const std::string& container_dir,
                             const std::vector<NetworkAttachment>& list);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_STORE_PUBLIC_H_
