#include "network/store.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "mydocker/events.h"
#include "mydocker/fs_util.h"
#include "mydocker/state_store.h"
#include "mydocker/status_macros.h"
#include "network/cidr.h"
#include "network/etc_files.h"
#include "network/netlink.h"
#include "network/nft_runner.h"
#include "network/rules.h"

namespace mydocker::network {
namespace {

constexpr uint16_t kFirstEphemeralPort = 49153;
// An address file older than this whose container does not exist (its creator died between
// the allocation and the record) is taken back.
constexpr absl::Duration kOrphanAge = absl::Minutes(1);

// Every container with an address in `ips_dir`, with its entry for its peers' /etc/hosts.
std::vector<std::pair<std::string, HostEntry>> Members(const std::string& ips_dir) {
  std::vector<std::pair<std::string, HostEntry>> members;  // container id, entry
  auto files = ListDir(ips_dir);
  if (!files.ok()) return members;
  for (const std::string& ip : *files) {
    auto text = ReadFile(absl::StrCat(ips_dir, "/", ip));
    if (!text.ok()) continue;
    std::vector<std::string> words = absl::StrSplit(*text, ' ', absl::SkipEmpty());
    if (words.empty()) continue;
    std::string id = words[0];
    words.erase(words.begin());
    members.push_back({id, HostEntry{ip, words}});
  }
  return members;
}

bool IsOurBridge(absl::string_view dev) {
  return dev == kDefaultBridge || absl::StartsWith(dev, "md-");
}

// True if something on this host holds the port (a listening or bound socket).
bool PortBusy(const PortMapping& p) {
  int fd = ::socket(AF_INET, (p.protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(p.host_port);
  addr.sin_addr.s_addr = p.host_ip.empty() ? INADDR_ANY : htonl(ParseIp(p.host_ip).value_or(0));
  bool busy =
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno == EADDRINUSE;
  ::close(fd);
  return busy;
}

std::string PortFile(const PortMapping& p) { return absl::StrCat(p.protocol, "-", p.host_port); }

}  // namespace

absl::Status CheckNetworkName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 && absl::ascii_isalnum(name[0]);
  for (char c : name) ok = ok && (absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-');
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid network name \"", name, "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"));
  }
  return absl::OkStatus();
}

std::vector<std::string> HostRouteSubnets() {
  std::vector<std::string> result;
  auto text = ReadFile("/proc/net/route");
  if (!text.ok()) return result;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t', absl::SkipWhitespace());
    uint32_t dest, mask;
    if (f.size() < 8 || !absl::SimpleHexAtoi(f[1], &dest) || !absl::SimpleHexAtoi(f[7], &mask)) {
      continue;  // the header
    }
    if (mask == 0 || IsOurBridge(absl::StripAsciiWhitespace(f[0]))) continue;
    int prefix = __builtin_popcount(mask);
    result.push_back(absl::StrCat(FormatIp(ntohl(dest)), "/", prefix));
  }
  return result;
}

NetworkStore::NetworkStore(std::string state_root)
    : root_(state_root + "/networks"), containers_(state_root + "/containers") {}

std::string NetworkStore::RecordPath(const std::string& name) const {
  return absl::StrCat(root_, "/", name, ".json");
}
std::string NetworkStore::IpsDir(const std::string& name) const {
  return absl::StrCat(root_, "/", name, ".ips");
}

absl::StatusOr<FileLock> NetworkStore::Lock() {
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(root_ + "/ports", 0700));
  return FileLock::Acquire(root_ + "/.lock");
}

absl::StatusOr<std::vector<NetworkRecord>> NetworkStore::ListLocked() {
  std::vector<NetworkRecord> result;
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(root_));
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    if (!absl::EndsWith(n, ".json")) continue;
    auto text = ReadFile(absl::StrCat(root_, "/", n));
    if (!text.ok()) continue;
    auto record = NetworkFromJson(*text);
    if (record.ok()) result.push_back(*std::move(record));
  }
  return result;
}

absl::Status NetworkStore::CheckSubnetFree(const std::string& subnet,
                                           const std::vector<NetworkRecord>& all) {
  MYDOCKER_ASSIGN_OR_RETURN(Subnet s, ParseSubnet(subnet));
  for (const NetworkRecord& r : all) {
    auto other = ParseSubnet(r.subnet);
    if (other.ok() && Overlaps(s, *other)) {
      return absl::AlreadyExistsError(
          absl::StrCat("subnet ", subnet, " overlaps network ", r.name, " (", r.subnet, ")"));
    }
  }
  for (const std::string& route : HostRouteSubnets()) {
    auto other = ParseSubnet(route);
    if (other.ok() && Overlaps(s, *other)) {
      return absl::AlreadyExistsError(
          absl::StrCat("subnet ", subnet, " collides with the host's route to ", route));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<NetworkRecord> NetworkStore::Create(const NetworkCreateOptions& o) {
  MYDOCKER_RETURN_IF_ERROR(CheckNetworkName(o.name));
  if (o.driver != "bridge") {
    return absl::InvalidArgumentError(
        absl::StrCat("network driver \"", o.driver, "\" is not supported: only bridge"));
  }
  if (o.name == kDefaultNetwork || o.name == "host" || o.name == "none") {
    return absl::InvalidArgumentError(absl::StrCat("network name ", o.name, " is reserved"));
  }
  NetworkRecord r;
  r.name = o.name;
  r.internal = o.internal;
  for (const std::string& l : o.labels) {
    std::pair<std::string, std::string> kv = absl::StrSplit(l, absl::MaxSplits('=', 1));
    r.labels[kv.first] = kv.second;
  }
  if (!o.subnet.empty()) MYDOCKER_RETURN_IF_ERROR(ParseSubnet(o.subnet).status());
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, Lock());
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<NetworkRecord> all, ListLocked());
  for (const NetworkRecord& other : all) {
    if (other.name == o.name) {
      return absl::AlreadyExistsError(
          absl::StrCat("network with name ", o.name, " already exists"));
    }
  }
  r.subnet = o.subnet;
  for (int i = 18; r.subnet.empty() && i < 32; ++i) {
    std::string candidate = absl::StrCat("172.", i, ".0.0/16");
    if (CheckSubnetFree(candidate, all).ok()) r.subnet = candidate;
  }
  if (r.subnet.empty()) return absl::ResourceExhaustedError("no free subnet: give --subnet");
  MYDOCKER_RETURN_IF_ERROR(CheckSubnetFree(r.subnet, all));
  Subnet s = *ParseSubnet(r.subnet);
  r.gateway = o.gateway.empty() ? FormatIp(FirstHost(s)) : o.gateway;
  MYDOCKER_ASSIGN_OR_RETURN(Ip4 gw, ParseIp(r.gateway));
  if (!IsHostAddress(s, gw)) {
    return absl::InvalidArgumentError(
        absl::StrCat("gateway ", r.gateway, " is not a host address of ", r.subnet));
  }
  r.id = NewContainerId();
  r.bridge = absl::StrCat("md-", r.id.substr(0, 12));
  r.created = absl::Now();
  MYDOCKER_RETURN_IF_ERROR(WriteFileAtomic(RecordPath(r.name), NetworkToJson(r)));
  RecordEvent(StateRoot(), {"network", "create", r.id, {{"name", r.name}, {"type", r.driver}}});
  return r;
}

absl::StatusOr<NetworkRecord> NetworkStore::MakeDefault() {
  NetworkRecord r;
  r.name = kDefaultNetwork;
  r.bridge = kDefaultBridge;
  const char* env = std::getenv(kDefaultSubnetEnv);
  r.subnet = env != nullptr && *env != '\0' ? env : kDefaultSubnet;
  MYDOCKER_ASSIGN_OR_RETURN(Subnet s, ParseSubnet(r.subnet));
  r.gateway = FormatIp(FirstHost(s));
  r.id = NewContainerId();
  r.created = absl::Now();
  MYDOCKER_RETURN_IF_ERROR(WriteFileAtomic(RecordPath(r.name), NetworkToJson(r)));
  return r;
}

absl::StatusOr<NetworkRecord> NetworkStore::Get(const std::string& name_or_id) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, Lock());
  // By name, the common case (a container's record names its networks): its own file, without
  // reading every network's.
  if (!name_or_id.empty() && name_or_id[0] != '.' && name_or_id.find('/') == std::string::npos) {
    if (absl::StatusOr<std::string> text = ReadFile(RecordPath(name_or_id)); text.ok()) {
      absl::StatusOr<NetworkRecord> record = NetworkFromJson(*text);
      if (record.ok() && record->name == name_or_id) return record;
    }
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<NetworkRecord> all, ListLocked());
  std::vector<const NetworkRecord*> by_prefix;
  for (const NetworkRecord& r : all) {
    if (r.name == name_or_id || r.id == name_or_id) return r;
    if (name_or_id.size() >= 3 && absl::StartsWith(r.id, name_or_id)) by_prefix.push_back(&r);
  }
  if (by_prefix.size() == 1) return *by_prefix[0];
  if (name_or_id == kDefaultNetwork) return MakeDefault();
  return absl::NotFoundError(absl::StrCat("network ", name_or_id, " not found"));
}

absl::StatusOr<std::vector<NetworkRecord>> NetworkStore::List() {
  MYDOCKER_RETURN_IF_ERROR(Get(kDefaultNetwork).status());
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, Lock());
  return ListLocked();
}

absl::StatusOr<std::vector<std::string>> NetworkStore::Users(const std::string& name) {
  std::vector<std::string> ids;
  for (const auto& [id, entry] : Members(IpsDir(name))) ids.push_back(id);
  return ids;
}

absl::Status NetworkStore::Remove(const std::string& name_or_id) {
  MYDOCKER_ASSIGN_OR_RETURN(NetworkRecord r, Get(name_or_id));
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, Lock());
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> users, Users(r.name));
  if (!users.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("network ", r.name, " is in use by container ", users[0].substr(0, 12),
                     " (and ", users.size() - 1, " more): remove or disconnect them first"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(Netlink nl, Netlink::Open());
  MYDOCKER_RETURN_IF_ERROR(nl.DeleteLink(r.bridge));
  MYDOCKER_RETURN_IF_ERROR(RunNftScript(DeleteTableScript(NetworkTable(r.bridge))));
  MYDOCKER_RETURN_IF_ERROR(RemoveAll(IpsDir(r.name)));
  if (::unlink(RecordPath(r.name).c_str()) != 0 && errno != ENOENT) {
    return LastErrnoError("remove network record");
  }
  RecordEvent(StateRoot(), {"network", "destroy", r.id, {{"name", r.name}, {"type", r.driver}}});
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> NetworkStore::Prune(
    const std::function<bool(const NetworkRecord&)>& select) {
  std::vector<std::string> removed;
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<NetworkRecord> all, List());
  for (const NetworkRecord& r : all) {
    if (r.name == kDefaultNetwork || (select && !select(r))) continue;
    if (Remove(r.name).ok()) removed.push_back(r.name);
  }
  return removed;
}

bool NetworkStore::ReclaimOrphan(const std::string& ip_file) {
  struct stat st;
  if (::stat(ip_file.c_str(), &st) != 0) return false;
  if (absl::Now() - absl::FromUnixSeconds(st.st_mtime) < kOrphanAge) return false;
  auto text = ReadFile(ip_file);
  if (!text.ok()) return false;
  std::string id = text->substr(0, text->find(' '));
  if (id.empty() || PathExists(absl::StrCat(containers_, "/", id)) ||
      PathExists(absl::StrCat(containers_, "/.creating-", id))) {
    return false;
  }
  return ::unlink(ip_file.c_str()) == 0;
}

absl::StatusOr<std::string> NetworkStore::PickIp(const NetworkRecord& network,
                                                 const std::string& wanted) {
  MYDOCKER_ASSIGN_OR_RETURN(Subnet s, ParseSubnet(network.subnet));
  MYDOCKER_ASSIGN_OR_RETURN(Ip4 gw, ParseIp(network.gateway));
  std::set<std::string> used;
  if (auto files = ListDir(IpsDir(network.name)); files.ok()) {
    for (const std::string& ip : *files) {
      if (!ReclaimOrphan(absl::StrCat(IpsDir(network.name), "/", ip))) used.insert(ip);
    }
  }
  if (!wanted.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(Ip4 ip, ParseIp(wanted));
    if (!IsHostAddress(s, ip) || ip == gw) {
      return absl::InvalidArgumentError(absl::StrCat("--ip ", wanted,
                                                     " is not a free host address of ",
                                                     network.name, " (", network.subnet, ")"));
    }
    if (used.count(FormatIp(ip))) {
      return absl::AlreadyExistsError(absl::StrCat("address ", wanted, " is already in use"));
    }
    return FormatIp(ip);
  }
  for (Ip4 ip = s.base + 1; ip < Broadcast(s); ++ip) {
    if (ip != gw && !used.count(FormatIp(ip))) return FormatIp(ip);
  }
  return absl::ResourceExhaustedError(absl::StrCat("no free address left in ", network.subnet));
}

absl::Status NetworkStore::ReservePorts(const std::string& id, std::vector<PortMapping>& ports) {
  const std::string dir = root_ + "/ports";
  std::vector<std::string> made;
  auto undo = [&] {
    for (const std::string& f : made) ::unlink(f.c_str());
  };
  uint16_t next_random = kFirstEphemeralPort;
  for (PortMapping& p : ports) {
    bool random = p.host_port == 0;
    for (;;) {
      if (random) p.host_port = next_random++;
      std::string file = absl::StrCat(dir, "/", PortFile(p));
      bool taken = PathExists(file) || PortBusy(p);
      if (!taken) {
        if (absl::Status s = WriteFileNoSync(file, id, /*exclusive=*/true); !s.ok()) {
          undo();
          return s;
        }
        made.push_back(file);
        break;
      }
      if (!random || next_random == 0) {
        undo();
        return absl::AlreadyExistsError(
            absl::StrCat("host port ", p.host_port, "/", p.protocol, " is already in use"));
      }
    }
  }
  return absl::OkStatus();
}

void NetworkStore::ReleasePorts(const std::string& id, const std::vector<PortMapping>& ports) {
  for (const PortMapping& p : ports) {
    std::string file = absl::StrCat(root_, "/ports/", PortFile(p));
    auto owner = ReadFile(file);
    if (owner.ok() && *owner == id) ::unlink(file.c_str());
  }
}

std::string HostVethName(const std::string& container_id, const std::string& interface) {
  if (interface == "eth0") return absl::StrCat("veth", container_id.substr(0, 11));
  return absl::StrCat("veth", container_id.substr(0, 8), "n", interface.substr(3));
}

absl::StatusOr<NetworkAttachment> NetworkStore::Allocate(const NetworkRecord& network,
                                                         const AllocationRequest& request) {
  Mac mac{};
  if (!request.mac.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(mac, ParseMac(request.mac));
  }
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, Lock());
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(IpsDir(network.name), 0700));
  MYDOCKER_ASSIGN_OR_RETURN(std::string ip, PickIp(network, request.ip));
  NetworkAttachment a;
  a.network = network.name;
  a.bridge = network.bridge;
  a.subnet = network.subnet;
  a.gateway = network.gateway;
  a.internal = network.internal;
  a.ip = ip;
  a.mac = FormatMac(request.mac.empty() ? MacFromIp(*ParseIp(ip)) : mac);
  a.interface = request.interface;
  a.host_veth = HostVethName(request.container_id, request.interface);
  a.ports = request.ports;
  std::string ip_file = absl::StrCat(IpsDir(network.name), "/", ip);
  std::string entry = absl::StrJoin(request.names, " ");
  MYDOCKER_RETURN_IF_ERROR(
      WriteFileNoSync(ip_file, absl::StrCat(request.container_id, " ", entry), /*exclusive=*/true));
  if (absl::Status s = ReservePorts(request.container_id, a.ports); !s.ok()) {
    ::unlink(ip_file.c_str());
    return s;
  }
  return a;
}

absl::Status NetworkStore::Release(const std::string& container_id, const NetworkAttachment& a) {
  if (a.network.empty()) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, Lock());
  std::string ip_file = absl::StrCat(IpsDir(a.network), "/", a.ip);
  auto owner = ReadFile(ip_file);
  if (owner.ok() && absl::StartsWith(*owner, container_id)) ::unlink(ip_file.c_str());
  ReleasePorts(container_id, a.ports);
  RefreshHostsLocked(a.network, container_id);
  return absl::OkStatus();
}

void NetworkStore::RefreshHosts(const std::string& network) {
  absl::StatusOr<FileLock> lock = Lock();
  if (lock.ok()) RefreshHostsLocked(network);
}

void NetworkStore::RefreshHostsLocked(const std::string& network, const std::string& also) {
  // As with Docker, containers on the default network do not know each other by name (only
  // user networks resolve names): nothing to rewrite, however many containers it has.
  if (network == kDefaultNetwork) return;
  // A member's file lists its peers on each of its (user) networks, not only on `network`.
  std::map<std::string, std::vector<std::pair<std::string, HostEntry>>> by_network;
  by_network[network] = Members(IpsDir(network));
  std::vector<std::string> ids;
  for (const auto& [id, entry] : by_network[network]) ids.push_back(id);
  if (!also.empty()) ids.push_back(also);
  for (const std::string& id : ids) {
    std::string dir = absl::StrCat(containers_, "/", id);
    auto base = ReadFile(dir + "/hosts.base");
    if (!base.ok()) continue;
    std::string text = *base;
    for (const NetworkAttachment& a : AttachmentsOf(dir)) {
      if (a.network.empty() || a.network == kDefaultNetwork) continue;
      if (!by_network.count(a.network)) by_network[a.network] = Members(IpsDir(a.network));
      for (const auto& [other, entry] : by_network[a.network]) {
        if (other != id && !entry.names.empty()) {
          absl::StrAppend(&text, entry.ip, "\t", absl::StrJoin(entry.names, " "), "\n");
        }
      }
    }
    // In place: the file is bind-mounted into the running container. Best effort: on failure
    // the container keeps its older list.
    WriteFileNoSync(dir + "/hosts", text, /*exclusive=*/false).IgnoreError();
  }
}

}  // namespace mydocker::network
