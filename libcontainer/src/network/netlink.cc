#include "network/netlink.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"

namespace mydocker::network {
namespace {

constexpr size_t kBufSize = 1024;

// A request under construction in a fixed buffer: header, a family header, attributes.
class Msg {
 public:
  Msg(uint16_t type, uint16_t flags, const void* family_hdr, size_t family_len) {
    std::memset(buf_, 0, sizeof buf_);
    hdr()->nlmsg_type = type;
    hdr()->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    hdr()->nlmsg_len = NLMSG_LENGTH(family_len);
    std::memcpy(NLMSG_DATA(hdr()), family_hdr, family_len);
  }
  nlmsghdr* hdr() { return reinterpret_cast<nlmsghdr*>(buf_); }
  // Returns the attribute's offset, for Nest/End.
  size_t Put(uint16_t type, const void* data, size_t len) {
    size_t off = NLMSG_ALIGN(hdr()->nlmsg_len);
    auto* rta = reinterpret_cast<rtattr*>(buf_ + off);
    rta->rta_type = type;
    rta->rta_len = static_cast<uint16_t>(RTA_LENGTH(len));
    if (len > 0) std::memcpy(RTA_DATA(rta), data, len);
    hdr()->nlmsg_len = static_cast<uint32_t>(off + RTA_ALIGN(rta->rta_len));
    return off;
  }
  void PutString(uint16_t type, const std::string& s) { Put(type, s.c_str(), s.size() + 1); }
  void PutU32(uint16_t type, uint32_t v) { Put(type, &v, sizeof v); }
  size_t Nest(uint16_t type) { return Put(type, nullptr, 0); }
  void End(size_t nest) {
    reinterpret_cast<rtattr*>(buf_ + nest)->rta_len =
        static_cast<uint16_t>(hdr()->nlmsg_len - nest);
  }
  // Raw bytes at the end (the peer's ifinfomsg inside VETH_INFO_PEER).
  void Append(const void* data, size_t len) {
    std::memcpy(buf_ + hdr()->nlmsg_len, data, len);
    hdr()->nlmsg_len += static_cast<uint32_t>(NLMSG_ALIGN(len));
  }

 private:
  alignas(nlmsghdr) char buf_[kBufSize];
};

}  // namespace

absl::StatusOr<Mac> ParseMac(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("invalid MAC address: ", text));
  };
  if (parts.size() != 6) return bad();
  Mac mac;
  for (size_t i = 0; i < 6; ++i) {
    uint32_t b;
    if (parts[i].size() != 2 || !absl::SimpleHexAtoi(parts[i], &b)) return bad();
    mac[i] = static_cast<uint8_t>(b);
  }
  if (mac[0] & 1) return bad();
  return mac;
}

std::string FormatMac(const Mac& m) {
  return absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

Mac MacFromIp(Ip4 ip) {
  return {0x02,
          0x42,
          static_cast<uint8_t>(ip >> 24),
          static_cast<uint8_t>(ip >> 16),
          static_cast<uint8_t>(ip >> 8),
          static_cast<uint8_t>(ip)};
}

absl::StatusOr<Netlink> Netlink::Open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return LastErrnoError("netlink socket");
  sockaddr_nl addr = {};
  addr.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return LastErrnoError("bind netlink socket");
  }
  return Netlink(std::move(fd));
}

absl::StatusOr<Netlink> Netlink::OpenIn(int netns_fd) {
  UniqueFd own(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!own.valid()) return LastErrnoError("open own network namespace");
  if (::setns(netns_fd, CLONE_NEWNET) != 0) return LastErrnoError("enter container network");
  absl::StatusOr<Netlink> nl = Open();
  if (::setns(own.get(), CLONE_NEWNET) != 0) {
    // This thread would go on in the container's namespace: every later socket of the caller
    // (a server, a Python program) would be the container's. Never go on.
    static const char kMessage[] = "mydocker: cannot return to the caller's network namespace\n";
    [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    std::abort();
  }
  return nl;
}

absl::Status Netlink::Request(void* buf, const char* what) {
  auto* h = static_cast<nlmsghdr*>(buf);
  h->nlmsg_seq = ++seq_;
  if (::send(fd_.get(), h, h->nlmsg_len, 0) < 0) return LastErrnoError(what);
  alignas(nlmsghdr) char reply[8192];
  for (;;) {
    ssize_t n = ::recv(fd_.get(), reply, sizeof reply, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError(what);
    for (auto* r = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(r, n); r = NLMSG_NEXT(r, n)) {
      if (r->nlmsg_seq != seq_ || r->nlmsg_type != NLMSG_ERROR) continue;
      int err = -static_cast<nlmsgerr*>(NLMSG_DATA(r))->error;
      if (err == 0) return absl::OkStatus();
      errno = err;
      return LastErrnoError(what);
    }
  }
}

absl::StatusOr<int> Netlink::LinkIndex(const std::string& name) {
  if (name.size() >= IFNAMSIZ) return absl::InvalidArgumentError("interface name too long");
  ifinfomsg ifi = {};
  Msg m(RTM_GETLINK, 0, &ifi, sizeof ifi);
  m.hdr()->nlmsg_flags = NLM_F_REQUEST;
  m.PutString(IFLA_IFNAME, name);
  m.hdr()->nlmsg_seq = ++seq_;
  if (::send(fd_.get(), m.hdr(), m.hdr()->nlmsg_len, 0) < 0) return LastErrnoError("get link");
  alignas(nlmsghdr) char reply[8192];
  for (;;) {
    ssize_t n = ::recv(fd_.get(), reply, sizeof reply, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError("get link");
    for (auto* r = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(r, n); r = NLMSG_NEXT(r, n)) {
      if (r->nlmsg_seq != seq_) continue;
      if (r->nlmsg_type == RTM_NEWLINK) return static_cast<ifinfomsg*>(NLMSG_DATA(r))->ifi_index;
      if (r->nlmsg_type == NLMSG_ERROR) {
        int err = -static_cast<nlmsgerr*>(NLMSG_DATA(r))->error;
        if (err == ENODEV) return absl::NotFoundError(absl::StrCat("no link ", name));
        errno = err;
        return LastErrnoError(absl::StrCat("get link ", name));
      }
    }
  }
}

absl::Status Netlink::CreateBridge(const std::string& name) {
  ifinfomsg ifi = {};
  Msg m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  m.PutString(IFLA_IFNAME, name);
  size_t info = m.Nest(IFLA_LINKINFO);
  m.PutString(IFLA_INFO_KIND, "bridge");
  m.End(info);
  return Request(m.hdr(), "create bridge");
}

absl::Status Netlink::CreateVeth(const std::string& name, const std::string& peer,
                                 int peer_netns_fd, const Mac& peer_mac, int master) {
  // This end up and on its bridge from the start: the kernel applies the ifinfomsg's flags and
  // IFLA_MASTER once the pair exists, which saves two requests. (Not the peer's flags: veth
  // applies them before the two are joined, and opening an end without its peer fails.)
  ifinfomsg ifi = {};
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  const ifinfomsg peer_ifi = {};
  Msg m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  m.PutString(IFLA_IFNAME, name);
  if (master > 0) m.PutU32(IFLA_MASTER, static_cast<uint32_t>(master));
  // One queue each way on each end, as veth had before it became multi-queue: by default it
  // gets one per possible CPU, each a set of sysfs objects (and uevents) made and removed with
  // the pair, which is most of its cost on a machine with many CPUs. A queue per CPU serves only
  // XDP on the pair.
  m.PutU32(IFLA_NUM_TX_QUEUES, 1);
  m.PutU32(IFLA_NUM_RX_QUEUES, 1);
  size_t info = m.Nest(IFLA_LINKINFO);
  m.PutString(IFLA_INFO_KIND, "veth");
  size_t data = m.Nest(IFLA_INFO_DATA);
  size_t peer_info = m.Nest(VETH_INFO_PEER);
  m.Append(&peer_ifi, sizeof peer_ifi);
  m.PutString(IFLA_IFNAME, peer);
  m.PutU32(IFLA_NET_NS_FD, static_cast<uint32_t>(peer_netns_fd));
  m.PutU32(IFLA_NUM_TX_QUEUES, 1);
  m.PutU32(IFLA_NUM_RX_QUEUES, 1);
  m.Put(IFLA_ADDRESS, peer_mac.data(), peer_mac.size());
  m.End(peer_info);
  m.End(data);
  m.End(info);
  return Request(m.hdr(), "create veth pair");
}

absl::Status Netlink::SetUp(int index, int master) {
  ifinfomsg ifi = {};
  ifi.ifi_index = index;
  ifi.ifi_flags = IFF_UP;
  ifi.ifi_change = IFF_UP;
  Msg m(RTM_NEWLINK, 0, &ifi, sizeof ifi);
  if (master > 0) m.PutU32(IFLA_MASTER, static_cast<uint32_t>(master));
  return Request(m.hdr(), "set link up");
}

absl::Status Netlink::AddAddress(int index, Ip4 ip, int prefix) {
  ifaddrmsg ifa = {};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = static_cast<uint8_t>(prefix);
  ifa.ifa_index = static_cast<uint32_t>(index);
  Msg m(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, &ifa, sizeof ifa);
  uint32_t be = htonl(ip);
  uint32_t brd = htonl(ip | ~Netmask(prefix));
  m.Put(IFA_LOCAL, &be, 4);
  m.Put(IFA_ADDRESS, &be, 4);
  m.Put(IFA_BROADCAST, &brd, 4);
  return Request(m.hdr(), "add address");
}

absl::Status Netlink::AddDefaultRoute(Ip4 gateway) {
  rtmsg rt = {};
  rt.rtm_family = AF_INET;
  rt.rtm_table = RT_TABLE_MAIN;
  rt.rtm_protocol = RTPROT_BOOT;
  rt.rtm_scope = RT_SCOPE_UNIVERSE;
  rt.rtm_type = RTN_UNICAST;
  Msg m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &rt, sizeof rt);
  uint32_t be = htonl(gateway);
  m.Put(RTA_GATEWAY, &be, 4);
  return Request(m.hdr(), "add default route");
}

absl::Status Netlink::DeleteLink(const std::string& name) {
  absl::StatusOr<int> index = LinkIndex(name);
  if (absl::IsNotFound(index.status())) return absl::OkStatus();
  if (!index.ok()) return index.status();
  ifinfomsg ifi = {};
  ifi.ifi_index = *index;
  Msg m(RTM_DELLINK, 0, &ifi, sizeof ifi);
  absl::Status s = Request(m.hdr(), "delete link");
  return absl::IsNotFound(s) ? absl::OkStatus() : s;
}

absl::Status WriteSysctl(const std::string& path, absl::string_view value) {
  return WriteFile(absl::StrCat("/proc/sys/net/", path), value);
}

}  // namespace mydocker::network
