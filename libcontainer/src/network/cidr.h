// IPv4 addresses and subnets: parsing, formatting and the arithmetic of address allocation.
// Pure functions, unit-tested.
#ifndef MYDOCKER_NETWORK_CIDR_H_
#define MYDOCKER_NETWORK_CIDR_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::network {

// Host byte order.
using Ip4 = uint32_t;

struct Subnet {
  Ip4 base = 0;  // the network address (host bits zero)
  int prefix = 0;
  bool operator==(const Subnet&) const = default;
};

// "10.1.2.3": InvalidArgument (one line naming the text) for anything else.
absl::StatusOr<Ip4> ParseIp(absl::string_view text);
std::string FormatIp(Ip4 ip);

// "10.88.0.0/16". Host bits must be zero ("10.88.0.1/16" is refused, as Docker does); prefix
// between 8 and 30 (a bridge needs a gateway and at least one container address).
absl::StatusOr<Subnet> ParseSubnet(absl::string_view text);
std::string FormatSubnet(const Subnet& s);

Ip4 Netmask(int prefix);
bool Contains(const Subnet& s, Ip4 ip);
bool Overlaps(const Subnet& a, const Subnet& b);
Ip4 Broadcast(const Subnet& s);
// The first usable address (base + 1), the gateway by default.
Ip4 FirstHost(const Subnet& s);
// True if `ip` is a usable host address of `s` (not the network or broadcast address).
bool IsHostAddress(const Subnet& s, Ip4 ip);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_CIDR_H_
