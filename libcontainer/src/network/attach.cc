#include "network/attach.h"

#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "list_cache.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "network/cidr.h"
#include "network/netlink.h"
#include "network/nft_runner.h"
#include "network/rules.h"
#include "network/store.h"

namespace mydocker::network {
namespace {

// Made by the first container that needs it (and again after the host restarted).
absl::StatusOr<int> EnsureBridge(Netlink& nl, const NetworkAttachment& a) {
  absl::StatusOr<int> index = nl.LinkIndex(a.bridge);
  if (!absl::IsNotFound(index.status())) return index;
  absl::Status made = nl.CreateBridge(a.bridge);
  // Another monitor made it in between: it also sets it up.
  if (!made.ok() && !absl::IsAlreadyExists(made)) return made;
  MYDOCKER_ASSIGN_OR_RETURN(index, nl.LinkIndex(a.bridge));
  if (!made.ok()) return index;
  MYDOCKER_ASSIGN_OR_RETURN(Subnet subnet, ParseSubnet(a.subnet));
  MYDOCKER_ASSIGN_OR_RETURN(Ip4 gateway, ParseIp(a.gateway));
  MYDOCKER_RETURN_IF_ERROR(nl.AddAddress(*index, gateway, subnet.prefix));
  MYDOCKER_RETURN_IF_ERROR(nl.SetUp(*index));
  // Published ports reached at 127.0.0.1 are routed to the bridge with a loopback source.
  MYDOCKER_RETURN_IF_ERROR(
      WriteSysctl(absl::StrCat("ipv4/conf/", a.bridge, "/route_localnet"), "1"));
  if (!a.internal) MYDOCKER_RETURN_IF_ERROR(WriteSysctl("ipv4/ip_forward", "1"));
  MYDOCKER_RETURN_IF_ERROR(RunNftScript(NetworkRulesScript(a.bridge, a.subnet, a.internal)));
  return index;
}

}  // namespace

absl::StatusOr<std::vector<NetworkAttachment>> LoadAttachments(const std::string& container_dir) {
  absl::StatusOr<std::string> text = ReadFile(absl::StrCat(container_dir, "/", kAttachmentFile));
  if (absl::IsNotFound(text.status())) return std::vector<NetworkAttachment>{};
  if (!text.ok()) return text.status();
  return AttachmentsFromJson(*text);
}

std::vector<NetworkAttachment> AttachmentsOf(const std::string& container_dir) {
  absl::StatusOr<std::vector<NetworkAttachment>> list = LoadAttachments(container_dir);
  return list.ok() ? *std::move(list) : std::vector<NetworkAttachment>{};
}

absl::Status SaveAttachments(const std::string& container_dir,
                             const std::vector<NetworkAttachment>& list) {
  std::string path = absl::StrCat(container_dir, "/", kAttachmentFile);
  MarkRecordsChanging(container_dir);
  absl::Status s;
  if (list.empty()) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) s = LastErrnoError("remove " + path);
  } else {
    s = WriteFileAtomic(path, AttachmentsToJson(list));
  }
  MarkRecordsChanging(container_dir);
  return s;
}

bool HasDefaultRoute(const std::vector<NetworkAttachment>& list) {
  for (const NetworkAttachment& a : list) {
    if (!a.internal && !a.network.empty()) return true;
  }
  return false;
}

absl::Status ConnectContainer(const NetworkAttachment& a, const std::string& container_id,
                              int netns_fd, bool default_route) {
  MYDOCKER_ASSIGN_OR_RETURN(Subnet subnet, ParseSubnet(a.subnet));
  MYDOCKER_ASSIGN_OR_RETURN(Ip4 ip, ParseIp(a.ip));
  MYDOCKER_ASSIGN_OR_RETURN(Ip4 gateway, ParseIp(a.gateway));
  MYDOCKER_ASSIGN_OR_RETURN(Mac mac, ParseMac(a.mac));
  MYDOCKER_ASSIGN_OR_RETURN(Netlink host, Netlink::Open());
  MYDOCKER_ASSIGN_OR_RETURN(int bridge, EnsureBridge(host, a));
  absl::Status created = host.CreateVeth(a.host_veth, a.interface, netns_fd, mac, bridge);
  if (absl::IsAlreadyExists(created)) {
    // A pair left by a crash of an earlier start has the same name (or a pair that the release
    // of the container's previous run, in the background, has not deleted yet).
    MYDOCKER_RETURN_IF_ERROR(host.DeleteLink(a.host_veth));
    created = host.CreateVeth(a.host_veth, a.interface, netns_fd, mac, bridge);
  }
  MYDOCKER_RETURN_IF_ERROR(Annotate(created, absl::StrCat("network ", a.network)));
  MYDOCKER_ASSIGN_OR_RETURN(Netlink inside, Netlink::OpenIn(netns_fd));
  MYDOCKER_ASSIGN_OR_RETURN(int eth, inside.LinkIndex(a.interface));
  MYDOCKER_RETURN_IF_ERROR(inside.AddAddress(eth, ip, subnet.prefix));
  MYDOCKER_RETURN_IF_ERROR(inside.SetUp(eth));
  if (default_route && !a.internal) MYDOCKER_RETURN_IF_ERROR(inside.AddDefaultRoute(gateway));
  if (!a.ports.empty()) {
    MYDOCKER_RETURN_IF_ERROR(RunNftScript(PortRulesScript(container_id, a.ip, a.ports)));
  }
  return absl::OkStatus();
}

absl::Status DisconnectContainer(const NetworkAttachment& a, const std::string& container_id) {
  absl::Status result;
  if (!a.host_veth.empty()) {
    absl::StatusOr<Netlink> nl = Netlink::Open();
    result.Update(nl.ok() ? nl->DeleteLink(a.host_veth) : nl.status());
  }
  if (!a.ports.empty()) {
    result.Update(RunNftScript(DeleteTableScript(ContainerTable(container_id))));
  }
  return result;
}

}  // namespace mydocker::network
