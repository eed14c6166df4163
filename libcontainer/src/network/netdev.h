// Traffic counters of a network namespace, from /proc/<pid>/net/dev (`stats` NET I/O).
#ifndef MYDOCKER_NETWORK_NETDEV_H_
#define MYDOCKER_NETWORK_NETDEV_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace mydocker::network {

struct NetDevTotals {
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
};

// The bytes received and sent by every interface but lo. Lines that do not parse (the two
// headers, a truncated read) are skipped; counters saturate instead of wrapping.
NetDevTotals ParseNetDev(absl::string_view text);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_NETDEV_H_
