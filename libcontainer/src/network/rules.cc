#include "network/rules.h"

#include "absl/strings/str_cat.h"

namespace mydocker::network {

std::string NetworkTable(const std::string& bridge) { return absl::StrCat("mydocker-n-", bridge); }

std::string ContainerTable(const std::string& id) {
  return absl::StrCat("mydocker-c-", id.substr(0, 12));
}

std::string DeleteTableScript(const std::string& table) {
  return absl::StrCat("add table ip ", table, "\ndelete table ip ", table, "\n");
}

std::string NetworkRulesScript(const std::string& bridge, const std::string& subnet,
                               bool internal) {
  const std::string table = NetworkTable(bridge);
  const std::string br = absl::StrCat("\"", bridge, "\"");
  std::string s = DeleteTableScript(table);
  absl::StrAppend(
      &s, "table ip ", table, " {\n", "  comment \"mydocker network ", bridge, "\"\n",
      "  chain forward {\n    type filter hook forward priority filter; policy accept;\n");
  if (internal) {
    absl::StrAppend(&s, "    iifname ", br, " oifname != ", br, " drop\n", "    oifname ", br,
                    " iifname != ", br, " drop\n");
  } else {
    // No traffic between two networks: each network drops what it would send to another's
    // bridge (the default "mydocker0" or a user network's "md-...").
    for (const char* other : {"\"mydocker0\"", "\"md-*\""}) {
      absl::StrAppend(&s, "    iifname ", br, " oifname ", other, " oifname != ", br, " drop\n");
    }
  }
  absl::StrAppend(&s, "  }\n  chain postrouting {\n",
                  "    type nat hook postrouting priority srcnat; policy accept;\n");
  if (!internal) {
    absl::StrAppend(&s, "    ip saddr ", subnet, " oifname != ", br, " masquerade\n");
  }
  absl::StrAppend(&s, "    ip saddr 127.0.0.0/8 oifname ", br, " masquerade\n  }\n}\n");
  return s;
}

std::string PortRulesScript(const std::string& id, const std::string& ip,
                            const std::vector<PortMapping>& ports) {
  const std::string table = ContainerTable(id);
  std::string rules;
  for (const PortMapping& p : ports) {
    std::string match = p.host_ip.empty() ? std::string("fib daddr type local")
                                          : absl::StrCat("ip daddr ", p.host_ip);
    absl::StrAppend(&rules, "    ", match, " ", p.protocol, " dport ", p.host_port, " dnat to ", ip,
                    ":", p.container_port, "\n");
  }
  std::string s = DeleteTableScript(table);
  absl::StrAppend(&s, "table ip ", table, " {\n", "  comment \"mydocker container ", id, "\"\n",
                  "  chain prerouting {\n",
                  "    type nat hook prerouting priority dstnat; policy accept;\n", rules, "  }\n",
                  "  chain output {\n", "    type nat hook output priority -100; policy accept;\n",
                  rules, "  }\n}\n");
  return s;
}

}  // namespace mydocker::network
