// mydocker network create|ls|inspect|rm|prune|connect|disconnect
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli_util.h"
#include "commands.h"
#include "format.h"
#include "inspect_print.h"
#include "mydocker/network_store.h"
#include "mydocker/views.h"

namespace mydocker::cli {
namespace {

struct NetworkFlags {
  NetworkCreateOptions create;
  NetworkConnectOptions connect;
  std::string network, container;
  std::vector<std::string> names;
  bool quiet = false;
  bool force = false;
  bool no_trunc = false;
  std::string format;
};

void RegisterCreate(CLI::App& network, Context& ctx, std::shared_ptr<NetworkFlags> flags) {
  CLI::App* create = network.add_subcommand("create", "Create a network");
  create->add_option("-d,--driver", flags->create.driver, "Driver (bridge)");
  create->add_option("--subnet", flags->create.subnet, "Subnet in CIDR form (10.89.0.0/24)");
  create->add_option("--gateway", flags->create.gateway, "Gateway address (default: the first)");
  create->add_flag("--internal", flags->create.internal, "No traffic in or out of the network");
  create->add_option("--label", flags->create.labels, "KEY=VALUE")->allow_extra_args(false);
  create->add_option("name", flags->create.name, "Network name")->required();
  create->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto r = network::NetworkStore(rt->state().root()).Create(flags->create);
    if (!r.ok()) return ctx.Fail(r.status(), 1);
    std::cout << r->id << "\n";
  });
}

// Docker's network formatting context, in `{{json .}}`'s order.
tmpl::Value TemplateRow(const NetworkRecord& r, bool no_trunc) {
  using tmpl::Value;
  Value::Fields fields = {{"CreatedAt", Value::String(tmpl::GoTimeString(r.created))},
                          {"Driver", Value::String(r.driver)},
                          {"ID", Value::String(no_trunc ? r.id : r.id.substr(0, 12))},
                          {"IPv4", Value::String("true")},
                          {"IPv6", Value::String("false")},
                          {"Internal", Value::String(r.internal ? "true" : "false")}};
  tmpl::Methods methods;
  tmpl::AddLabels(r.labels, &fields, &methods);
  fields.emplace_back("Name", Value::String(r.name));
  fields.emplace_back("Scope", Value::String("local"));
  fields.emplace_back("Subnet", Value::String(r.subnet));
  return Value::Struct("network", std::move(fields), std::move(methods));
}

const tmpl::Value& NetworkLsHeader() {
  static const auto* header = new tmpl::Value(tmpl::HeaderMap({{"ID", "NETWORK ID"},
                                                               {"Name", "NAME"},
                                                               {"Driver", "DRIVER"},
                                                               {"Scope", "SCOPE"},
                                                               {"IPv4", "IPV4"},
                                                               {"IPv6", "IPV6"},
                                                               {"Internal", "INTERNAL"},
                                                               {"Labels", "LABELS"},
                                                               {"CreatedAt", "CREATED AT"},
                                                               {"Subnet", "SUBNET"}}));
  return *header;
}

void RegisterLs(CLI::App& network, Context& ctx, std::shared_ptr<NetworkFlags> flags) {
  CLI::App* ls = network.add_subcommand("ls", "List networks");
  ls->alias("list");
  ls->add_flag("-q,--quiet", flags->quiet, "Only display network IDs");
  ls->add_flag("--no-trunc", flags->no_trunc, "Do not truncate the output");
  AddListFormat(*ls, flags->format);
  ls->callback([&ctx, flags] {
    auto formatter = ParseListFormat(ctx, flags->format);
    if (!formatter) return;
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto all = network::NetworkStore(rt->state().root()).List();
    if (!all.ok()) return ctx.Fail(all.status(), 1);
    if (!formatter->is_default() && !flags->quiet) {
      std::vector<tmpl::Value> rows;
      for (const NetworkRecord& r : *all) rows.push_back(TemplateRow(r, flags->no_trunc));
      PrintFormatted(ctx, *formatter, rows, NetworkLsHeader());
      return;
    }
    Table table({"NETWORK ID", "NAME", "DRIVER", "SCOPE", "SUBNET"});
    for (const NetworkRecord& r : *all) {
      std::string id = flags->no_trunc ? r.id : r.id.substr(0, 12);
      if (flags->quiet) {
        std::cout << id << "\n";
      } else {
        table.Add({id, r.name, r.driver, "local", r.subnet});
      }
    }
    if (!flags->quiet) std::cout << table.Render();
  });
}

void RegisterInspectRm(CLI::App& network, Context& ctx, std::shared_ptr<NetworkFlags> flags) {
  CLI::App* inspect = network.add_subcommand("inspect", "Show networks as JSON");
  AddInspectFormat(*inspect, flags->format);
  inspect->add_option("names", flags->names, "Networks")->required();
  inspect->callback([&ctx, flags] {
    PrintInspect(ctx, flags->names, flags->format, InspectLookupFor(ctx, "network"));
  });
  CLI::App* rm = network.add_subcommand("rm", "Remove networks");
  rm->alias("remove");
  rm->add_option("names", flags->names, "Networks")->required();
  rm->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    network::NetworkStore store(rt->state().root());
    for (const std::string& name : flags->names) {
      absl::Status s = store.Remove(name);
      if (!s.ok()) {
        ctx.Fail(s, 1);
        continue;
      }
      std::cout << name << "\n";
    }
  });
}

void RegisterPrune(CLI::App& network, Context& ctx, std::shared_ptr<NetworkFlags> flags) {
  CLI::App* prune = network.add_subcommand("prune", "Remove every unused network");
  prune->add_flag("-f,--force", flags->force, "Do not prompt (there is no prompt)");
  prune->callback([&ctx] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto removed = network::NetworkStore(rt->state().root()).Prune();
    if (!removed.ok()) return ctx.Fail(removed.status(), 1);
    if (!removed->empty()) std::cout << "Deleted Networks:\n";
    for (const std::string& name : *removed) std::cout << name << "\n";
  });
}

void RegisterConnect(CLI::App& network, Context& ctx, std::shared_ptr<NetworkFlags> flags) {
  CLI::App* connect = network.add_subcommand("connect", "Connect a container to a network");
  connect->add_option("--ip", flags->connect.ip, "IPv4 address (e.g., 172.30.100.104)");
  connect->add_option("--alias", flags->connect.aliases, "Add network-scoped alias")
      ->allow_extra_args(false);
  connect->add_option("network", flags->network, "Network")->required();
  connect->add_option("container", flags->container, "Container")->required();
  connect->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto c = rt->Get(flags->container);
    absl::Status s = c.ok() ? (*c)->ConnectNetwork(flags->network, flags->connect) : c.status();
    if (!s.ok()) ctx.Fail(s, 1);
  });
  CLI::App* disconnect =
      network.add_subcommand("disconnect", "Disconnect a container from a network");
  disconnect->add_flag("-f,--force", flags->force, "Force the container to disconnect");
  disconnect->add_option("network", flags->network, "Network")->required();
  disconnect->add_option("container", flags->container, "Container")->required();
  disconnect->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto c = rt->Get(flags->container);
    absl::Status s = c.ok() ? (*c)->DisconnectNetwork(flags->network) : c.status();
    if (!s.ok()) ctx.Fail(s, 1);
  });
}

}  // namespace

void RegisterNetwork(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<NetworkFlags>();
  CLI::App* network = app.add_subcommand("network", "Manage networks");
  network->require_subcommand(1);
  RegisterCreate(*network, ctx, flags);
  RegisterLs(*network, ctx, flags);
  RegisterInspectRm(*network, ctx, flags);
  RegisterPrune(*network, ctx, flags);
  RegisterConnect(*network, ctx, flags);
}

void RegisterPort(CLI::App& app, Context& ctx) {
  auto name = std::make_shared<std::string>();
  CLI::App* port = app.add_subcommand("port", "List a container's published ports");
  port->add_option("container", *name, "Container")->required();
  port->callback([&ctx, name] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto id = rt->state().Resolve(*name);
    if (!id.ok()) return ctx.Fail(id.status(), 1);
    auto list = network::LoadAttachments(rt->state().ContainerDir(*id));
    if (!list.ok()) return ctx.Fail(list.status(), 1);
    for (const NetworkAttachment& a : *list) {
      for (const PortMapping& p : a.ports) {
        std::cout << p.container_port << "/" << p.protocol << " -> "
                  << (p.host_ip.empty() ? "0.0.0.0" : p.host_ip) << ":" << p.host_port << "\n";
      }
    }
  });
}

}  // namespace mydocker::cli
