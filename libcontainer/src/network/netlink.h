// Links, addresses and routes through rtnetlink, on a raw NETLINK_ROUTE socket: no library,
// so the statically linked helper (the monitor) can do it (Debian ships libmnl and libnl only
// as shared objects; see docs/networking.md). Requests are acknowledged one by one.
#ifndef MYDOCKER_NETWORK_NETLINK_H_
#define MYDOCKER_NETWORK_NETLINK_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "mydocker/unique_fd.h"
#include "network/cidr.h"

namespace mydocker::network {

using Mac = std::array<uint8_t, 6>;

// "02:42:ac:11:00:02". InvalidArgument otherwise; a multicast address is refused.
absl::StatusOr<Mac> ParseMac(absl::string_view text);
std::string FormatMac(const Mac& mac);
// Docker's: 02:42 and the four bytes of the address.
Mac MacFromIp(Ip4 ip);

class Netlink {
 public:
  // A socket in the calling thread's network namespace.
  static absl::StatusOr<Netlink> Open();
  // A socket in the namespace `netns_fd`: the calling thread (only it: a network namespace is
  // per thread) enters it, opens the socket and returns to its own; the process aborts rather
  // than let the thread go on in the container's namespace if it cannot return.
  static absl::StatusOr<Netlink> OpenIn(int netns_fd);

  // NotFound if there is no such link.
  absl::StatusOr<int> LinkIndex(const std::string& name);
  absl::Status CreateBridge(const std::string& name);
  // A veth pair: `name` here, up and on the bridge `master` if > 0, and `peer` (down) created
  // directly in the namespace `peer_netns_fd` with `peer_mac`. AlreadyExists if either name is
  // taken.
  absl::Status CreateVeth(const std::string& name, const std::string& peer, int peer_netns_fd,
                          const Mac& peer_mac, int master = 0);
  // Sets the link up, and its master (a bridge) if `master` > 0.
  absl::Status SetUp(int index, int master = 0);
  absl::Status AddAddress(int index, Ip4 ip, int prefix);
  absl::Status AddDefaultRoute(Ip4 gateway);
  // OK if the link does not exist.
  absl::Status DeleteLink(const std::string& name);

 private:
  explicit Netlink(UniqueFd fd) : fd_(std::move(fd)) {}
  // Sends the request in `buf` (its header's length set) and waits for the acknowledgement.
  absl::Status Request(void* buf, const char* what);

  UniqueFd fd_;
  uint32_t seq_ = 0;
};

// Writes "1" to /proc/sys/net/ipv4/... `path` of the calling thread's namespace.
absl::Status WriteSysctl(const std::string& path, absl::string_view value);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_NETLINK_H_
