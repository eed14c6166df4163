#include "network/etc_files.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "network/cidr.h"

namespace mydocker::network {
namespace {

bool IsLoopbackServer(absl::string_view ip) {
  return absl::StartsWith(ip, "127.") || ip == "::1" || absl::StartsWith(ip, "0:0:0:0:0:0:0:1");
}

void AppendEntry(std::string& out, const HostEntry& e) {
  absl::StrAppend(&out, e.ip, "\t", absl::StrJoin(e.names, " "), "\n");
}

}  // namespace

absl::StatusOr<HostEntry> ParseAddHost(absl::string_view spec) {
  size_t sep = spec.find_first_of(":=");
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("invalid --add-host \"", spec, "\": NAME:IP"));
  };
  if (sep == absl::string_view::npos || sep == 0) return bad();
  absl::string_view name = spec.substr(0, sep);
  if (name.find_first_of(" \t\n#") != absl::string_view::npos) return bad();
  if (!ParseIp(spec.substr(sep + 1)).ok()) return bad();
  return HostEntry{std::string(spec.substr(sep + 1)), {std::string(name)}};
}

std::string RenderHosts(const std::vector<HostEntry>& extra, const HostEntry& self,
                        const std::vector<HostEntry>& peers) {
  std::string out =
      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  for (const HostEntry& e : extra) AppendEntry(out, e);
  if (!self.ip.empty() && !self.names.empty()) AppendEntry(out, self);
  for (const HostEntry& e : peers) AppendEntry(out, e);
  return out;
}

std::string RenderResolvConf(absl::string_view host, const DnsOptions& dns) {
  std::vector<std::string> servers, other;
  std::vector<std::string> search, options;
  for (absl::string_view line : absl::StrSplit(host, '\n')) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    std::vector<absl::string_view> f = absl::StrSplit(l, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (f.empty() || f[0][0] == '#' || f[0][0] == ';') continue;
    if (f[0] == "nameserver" && f.size() >= 2) {
      if (!IsLoopbackServer(f[1])) servers.emplace_back(f[1]);
    } else if (f[0] == "search" || f[0] == "domain") {
      search.clear();
      for (size_t i = 1; i < f.size(); ++i) search.emplace_back(f[i]);
    } else if (f[0] == "options") {
      for (size_t i = 1; i < f.size(); ++i) options.emplace_back(f[i]);
    } else {
      other.emplace_back(l);
    }
  }
  if (!dns.servers.empty()) servers = dns.servers;
  if (servers.empty()) servers = {"8.8.8.8", "8.8.4.4"};
  if (!dns.search.empty()) search = dns.search;
  if (!dns.options.empty()) options = dns.options;
  std::string out;
  for (const std::string& s : servers) absl::StrAppend(&out, "nameserver ", s, "\n");
  if (!search.empty()) absl::StrAppend(&out, "search ", absl::StrJoin(search, " "), "\n");
  if (!options.empty()) absl::StrAppend(&out, "options ", absl::StrJoin(options, " "), "\n");
  for (const std::string& o : other) absl::StrAppend(&out, o, "\n");
  return out;
}

}  // namespace mydocker::network
