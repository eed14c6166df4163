// The /etc/hosts, /etc/resolv.conf and /etc/hostname a container gets (bind-mounted from its
// directory, as Docker does). Pure functions, unit-tested.
#ifndef MYDOCKER_NETWORK_ETC_FILES_H_
#define MYDOCKER_NETWORK_ETC_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::network {

struct HostEntry {
  std::string ip;
  std::vector<std::string> names;
};

// --add-host NAME:IP (also NAME=IP). InvalidArgument, one line, otherwise.
absl::StatusOr<HostEntry> ParseAddHost(absl::string_view spec);

// localhost and the IPv6 names, then `extra` (--add-host), then the container's own address
// with its hostname and names (`self`, skipped when self.ip is empty), then `peers` (the other
// containers of the same network).
std::string RenderHosts(const std::vector<HostEntry>& extra, const HostEntry& self,
                        const std::vector<HostEntry>& peers);

struct DnsOptions {
  std::vector<std::string> servers;  // --dns
  std::vector<std::string> search;   // --dns-search
  std::vector<std::string> options;  // --dns-option
};

// The host's resolv.conf without loopback name servers (unreachable from the container's
// namespace), or Google's public servers when none is left; --dns, --dns-search and
// --dns-option replace the host's lines of the same kind.
std::string RenderResolvConf(absl::string_view host_resolv_conf, const DnsOptions& dns);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_ETC_FILES_H_
