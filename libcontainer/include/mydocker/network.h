// Networks: records of bridge networks, a container's attachment to one, and the options of
// `run --network ...`. See docs/networking.md.
#ifndef MYDOCKER_NETWORK_H_
#define MYDOCKER_NETWORK_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace mydocker {

// One published port: -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp].
struct PortMapping {
  std::string host_ip;  // empty: every local address
  uint16_t host_port = 0;
  uint16_t container_port = 0;
  std::string protocol = "tcp";  // "tcp" or "udp"
  bool operator==(const PortMapping&) const = default;
};

// How a new container is networked (the `run` options).
struct NetworkOptions {
  // "" or "none": its own namespace with only lo; "host": the host's; "bridge" or a network's
  // name: a veth on that network's bridge; "container:ID": another container's namespace.
  std::string mode;
  std::string ip;                      // --ip, inside the network's subnet
  std::string mac;                     // --mac-address
  std::vector<std::string> aliases;    // --network-alias
  std::vector<std::string> add_hosts;  // --add-host NAME:IP
  std::vector<std::string> dns, dns_search, dns_options;
  std::vector<std::string> publish;  // -p specs
  bool publish_all = false;          // -P: the image's ExposedPorts and --expose
  std::vector<std::string> expose;   // --expose PORT[/PROTO]
};

struct NetworkCreateOptions {
  std::string name;
  std::string driver = "bridge";
  std::string subnet;   // CIDR; empty: a free /24 of 172.18.0.0/16 .. 172.31.0.0/16
  std::string gateway;  // empty: the subnet's first address
  bool internal = false;
  std::vector<std::string> labels;  // KEY=VALUE
};

struct NetworkRecord {
  std::string name;
  std::string id;  // 64 hex digits
  std::string driver = "bridge";
  std::string bridge;  // the host's bridge device
  std::string subnet;  // CIDR
  std::string gateway;
  bool internal = false;
  std::map<std::string, std::string> labels;
  absl::Time created = absl::UnixEpoch();
};

// A container's place on one network (one element of network.json in its directory): what its
// monitor sets up and what removal releases. The first is the one `run --network` gave; `network
// connect` adds more (eth1, eth2, ...).
struct NetworkAttachment {
  std::string network;  // record name
  std::string bridge;
  std::string subnet;
  std::string ip;
  std::string gateway;
  std::string mac;
  bool internal = false;
  std::string host_veth;           // the host's end of the pair
  std::string interface = "eth0";  // the container's end
  std::vector<PortMapping> ports;
  std::vector<std::string> aliases;
  // "container:ID": the id whose namespace is joined (nothing else is set).
  std::string join_container;
  bool host = false;  // --network host
};

// `network connect` options.
struct NetworkConnectOptions {
  std::string ip;                    // --ip
  std::vector<std::string> aliases;  // --alias
};

}  // namespace mydocker

#endif  // MYDOCKER_NETWORK_H_
