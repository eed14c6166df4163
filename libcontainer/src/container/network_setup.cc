#include "container/network_setup.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "network/attach.h"
#include "network/cidr.h"
#include "network/etc_files.h"
#include "network/netlink.h"
#include "network/port_spec.h"
#include "network/store.h"

namespace mydocker {
namespace {

using network::HostEntry;

const char* const kEtcFiles[][2] = {
    {"hosts", "/etc/hosts"}, {"resolv.conf", "/etc/resolv.conf"}, {"hostname", "/etc/hostname"}};

void BindEtcFiles(const std::string& dir, ContainerConfig& config) {
  for (const auto& [file, target] : kEtcFiles) {
    config.mounts.push_back({target, "bind", absl::StrCat(dir, "/", file), {"rbind", "rw"}});
  }
}

absl::StatusOr<std::vector<PortMapping>> ParsePorts(const NetworkOptions& o,
                                                    const ImageConfig& image) {
  std::vector<PortMapping> ports;
  for (const std::string& spec : o.publish) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<PortMapping> more, network::ParsePublish(spec));
    ports.insert(ports.end(), more.begin(), more.end());
  }
  std::vector<PortMapping> exposed;
  for (const std::vector<std::string>* list : {&o.expose, &image.exposed_ports}) {
    for (const std::string& spec : *list) {
      MYDOCKER_ASSIGN_OR_RETURN(std::vector<PortMapping> more, network::ParseExpose(spec));
      exposed.insert(exposed.end(), more.begin(), more.end());
    }
  }
  if (!o.publish_all) return ports;
  for (const PortMapping& e : exposed) {
    bool published = std::any_of(ports.begin(), ports.end(), [&](const PortMapping& p) {
      return p.container_port == e.container_port && p.protocol == e.protocol;
    });
    if (!published) ports.push_back(e);
  }
  return ports;
}

// Everything but the mode: checked whatever the mode, so a typo fails before anything is made.
absl::StatusOr<std::vector<HostEntry>> CheckCommonOptions(const NetworkOptions& o) {
  if (!o.ip.empty()) MYDOCKER_RETURN_IF_ERROR(network::ParseIp(o.ip).status());
  if (!o.mac.empty()) MYDOCKER_RETURN_IF_ERROR(network::ParseMac(o.mac).status());
  for (const std::string& dns : o.dns) {
    if (!network::ParseIp(dns).ok()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid --dns address: ", dns));
    }
  }
  std::vector<HostEntry> extra;
  for (const std::string& spec : o.add_hosts) {
    MYDOCKER_ASSIGN_OR_RETURN(HostEntry e, network::ParseAddHost(spec));
    extra.push_back(std::move(e));
  }
  return extra;
}

}  // namespace

absl::StatusOr<NetworkPlan> PlanNetwork(const CreateOptions& options, const ImageConfig& image,
                                        const std::string& container_dir, StateStore& store,
                                        network::NetworkStore& networks, ContainerConfig& config) {
  const NetworkOptions& o = options.network;
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<HostEntry> extra, CheckCommonOptions(o));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<PortMapping> ports, ParsePorts(o, image));
  // Docker's name for the default network is accepted too.
  std::string mode = o.mode == "default" ? network::kDefaultNetwork : o.mode;
  // Publishing a port asks for a network: Docker's default one.
  if (mode.empty() && (!ports.empty() || !o.ip.empty())) mode = network::kDefaultNetwork;
  NetworkPlan plan;
  if (mode.empty()) return plan;
  const bool bridge = mode != "none" && mode != "host" && !absl::StartsWith(mode, "container:");
  if (!bridge && (!ports.empty() || !o.ip.empty() || !o.aliases.empty())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "conflicting options: published ports, --ip and --network-alias need a bridge network, "
        "not --network ",
        mode));
  }
  // As without --network (and as fast): lo only, no files.
  if (mode == "none") return plan;
  plan.hostname = config.hostname;
  plan.attachment.emplace();
  if (mode == "host") {
    plan.attachment->host = true;
    auto& ns = config.linux_spec.namespaces;
    ns.erase(std::remove(ns.begin(), ns.end(), NamespaceType::kNetwork), ns.end());
  } else if (!bridge) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string id, store.Resolve(mode.substr(10)));
    plan.attachment->join_container = id;
    plan.share_files_of = store.ContainerDir(id);
  } else {
    MYDOCKER_ASSIGN_OR_RETURN(plan.network, networks.Get(mode));
    plan.request.ip = o.ip;
    plan.request.mac = o.mac;
    plan.request.ports = std::move(ports);
    plan.attachment->aliases = o.aliases;
  }
  network::DnsOptions dns{o.dns, o.dns_search, o.dns_options};
  std::string host_resolv = ReadFile("/etc/resolv.conf").value_or("");
  plan.resolv_conf =
      mode == "host" && o.dns.empty() && o.dns_search.empty() && o.dns_options.empty()
          ? host_resolv
          : network::RenderResolvConf(host_resolv, dns);
  plan.hosts_base = network::RenderHosts(extra, {}, {});
  if (mode == "host") plan.hosts_base = ReadFile("/etc/hosts").value_or(plan.hosts_base);
  if (!plan.share_files_of.empty() && PathExists(plan.share_files_of + "/hosts")) {
    BindEtcFiles(plan.share_files_of, config);
  } else {
    BindEtcFiles(container_dir, config);
  }
  return plan;
}

absl::Status AllocateNetwork(NetworkPlan& plan, network::NetworkStore& networks) {
  if (!plan.network) return absl::OkStatus();
  std::vector<std::string> aliases = plan.attachment->aliases;
  MYDOCKER_ASSIGN_OR_RETURN(NetworkAttachment a, networks.Allocate(*plan.network, plan.request));
  a.aliases = std::move(aliases);
  plan.attachment = std::move(a);
  return absl::OkStatus();
}

absl::Status WriteNetworkFiles(const NetworkPlan& plan, const std::string& dir,
                               network::NetworkStore& networks) {
  if (!plan.attachment) return absl::OkStatus();
  const NetworkAttachment& a = *plan.attachment;
  std::string hosts = plan.hosts_base;
  if (!a.ip.empty()) {
    std::vector<std::string> names = {plan.hostname};
    for (const std::string& n : plan.request.names) {
      if (n != plan.hostname) names.push_back(n);
    }
    absl::StrAppend(&hosts, a.ip, "\t", absl::StrJoin(names, " "), "\n");
  }
  // The /etc files are rendered from the records and need no fsync; network.json says what to
  // release and is replaced like the other records.
  for (const auto& [file, text] :
       {std::pair{"hosts.base", hosts}, std::pair{"hosts", hosts},
        std::pair{"resolv.conf", plan.resolv_conf}, std::pair{"hostname", plan.hostname + "\n"}}) {
    MYDOCKER_RETURN_IF_ERROR(
        WriteFileNoSync(absl::StrCat(dir, "/", file), text, /*exclusive=*/false));
  }
  MYDOCKER_RETURN_IF_ERROR(network::SaveAttachments(dir, {a}));
  if (plan.network) networks.RefreshHosts(plan.network->name);
  return absl::OkStatus();
}

}  // namespace mydocker
