// The networking flags of `run`.
#include "commands.h"
#include "mydocker/network_store.h"

namespace mydocker::cli {

void AddNetworkOptions(OptionBatch& run, NetworkOptions& n) {
  // Docker's default: the default bridge network (the library's default stays lo only).
  n.mode = network::kDefaultNetwork;
  run.add_option("--network,--net", n.mode,
                 "Network: bridge (the default), none (lo only), host, NAME or container:ID");
  run.add_option("-p,--publish", n.publish,
                 "Publish a port: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp] (ranges with -)")
      ->allow_extra_args(false);
  run.add_flag("-P,--publish-all", n.publish_all,
               "Publish every exposed port (image and --expose) to a free host port");
  run.add_option("--expose", n.expose, "Expose a port or range: PORT[-END][/PROTO]")
      ->allow_extra_args(false);
  run.add_option("--ip", n.ip, "IPv4 address on the network");
  run.add_option("--mac-address", n.mac, "MAC address of eth0");
  run.add_option("--network-alias", n.aliases, "Another name on the network")
      ->allow_extra_args(false);
  run.add_option("--add-host", n.add_hosts, "Add a line to /etc/hosts: NAME:IP")
      ->allow_extra_args(false);
  run.add_option("--dns", n.dns, "Name server for /etc/resolv.conf")->allow_extra_args(false);
  run.add_option("--dns-search", n.dns_search, "Search domain for /etc/resolv.conf")
      ->allow_extra_args(false);
  run.add_option("--dns-option", n.dns_options, "Option for /etc/resolv.conf")
      ->allow_extra_args(false);
}

}  // namespace mydocker::cli
