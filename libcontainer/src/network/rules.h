// The nftables rules of networks and published ports, as scripts for libnftables (run by the
// mydocker-nft program, see nft_runner.h). Each network and each container with published ports
// has a table of its own, named after it: removing the table removes every rule it added, and
// a table left by a crash is found by its name. Pure functions, unit-tested.
#ifndef MYDOCKER_NETWORK_RULES_H_
#define MYDOCKER_NETWORK_RULES_H_

#include <string>
#include <vector>

#include "mydocker/network.h"

namespace mydocker::network {

// Every table of the runtime starts with this ("mydocker-n-..." and "mydocker-c-...").
inline constexpr char kTablePrefix[] = "mydocker-";

std::string NetworkTable(const std::string& bridge);
std::string ContainerTable(const std::string& id);

// Replaces the network's table: isolation from the other networks' bridges in forward, outbound
// masquerade of its subnet (none when internal, which also drops all forwarding in and out), and
// masquerade of loopback sources going to the bridge (published ports reached at 127.0.0.1).
std::string NetworkRulesScript(const std::string& bridge, const std::string& subnet, bool internal);

// Replaces the container's table: DNAT of each published port to `ip`, in prerouting (from
// other hosts) and output (from this host, 127.0.0.1 included).
std::string PortRulesScript(const std::string& id, const std::string& ip,
                            const std::vector<PortMapping>& ports);

// Deletes a table if it exists ("add" then "delete": one transaction, no error when absent).
std::string DeleteTableScript(const std::string& table);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_RULES_H_
