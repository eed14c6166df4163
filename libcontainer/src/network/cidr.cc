#include "network/cidr.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mydocker::network {

absl::StatusOr<Ip4> ParseIp(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("invalid IP address: ", text)); };
  if (parts.size() != 4) return bad();
  Ip4 ip = 0;
  for (absl::string_view p : parts) {
    uint32_t octet;
    if (p.empty() || p.size() > 3 || !absl::SimpleAtoi(p, &octet) || octet > 255) return bad();
    for (char c : p) {
      if (c < '0' || c > '9') return bad();
    }
    ip = (ip << 8) | octet;
  }
  return ip;
}

std::string FormatIp(Ip4 ip) {
  return absl::StrCat(ip >> 24, ".", (ip >> 16) & 255, ".", (ip >> 8) & 255, ".", ip & 255);
}

Ip4 Netmask(int prefix) { return prefix == 0 ? 0 : ~Ip4{0} << (32 - prefix); }

absl::StatusOr<Subnet> ParseSubnet(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid subnet ", text, ": ", why));
  };
  std::vector<absl::string_view> all = absl::StrSplit(text, '/');
  if (all.size() != 2) return bad("not an IPv4 address in CIDR notation (10.88.0.0/16)");
  std::pair<absl::string_view, absl::string_view> parts = {all[0], all[1]};
  auto ip = ParseIp(parts.first);
  if (!ip.ok()) return bad("not an IPv4 address in CIDR notation (10.88.0.0/16)");
  int prefix;
  if (!absl::SimpleAtoi(parts.second, &prefix) || parts.second.empty() ||
      parts.second.find_first_not_of("0123456789") != absl::string_view::npos) {
    return bad("not an IPv4 address in CIDR notation (10.88.0.0/16)");
  }
  if (prefix < 8 || prefix > 30) return bad("the prefix length must be between 8 and 30");
  if ((*ip & ~Netmask(prefix)) != 0) {
    return bad(absl::StrCat("host bits are set (did you mean ", FormatIp(*ip & Netmask(prefix)),
                            "/", prefix, "?)"));
  }
  return Subnet{*ip, prefix};
}

std::string FormatSubnet(const Subnet& s) { return absl::StrCat(FormatIp(s.base), "/", s.prefix); }

bool Contains(const Subnet& s, Ip4 ip) { return (ip & Netmask(s.prefix)) == s.base; }

bool Overlaps(const Subnet& a, const Subnet& b) {
  int prefix = a.prefix < b.prefix ? a.prefix : b.prefix;
  return (a.base & Netmask(prefix)) == (b.base & Netmask(prefix));
}

Ip4 Broadcast(const Subnet& s) { return s.base | ~Netmask(s.prefix); }

Ip4 FirstHost(const Subnet& s) { return s.base + 1; }

bool IsHostAddress(const Subnet& s, Ip4 ip) {
  return Contains(s, ip) && ip != s.base && ip != Broadcast(s);
}

}  // namespace mydocker::network
