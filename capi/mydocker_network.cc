// The C API's networks (since 1.2): `network create|ls|inspect|rm|prune|connect|disconnect`
// and the network options of create.
#include "internal.h"
#include "mydocker/network_store.h"
#include "mydocker/views.h"

namespace mydocker::capi {

absl::StatusOr<mydocker::NetworkOptions> ToNetworkOptions(const mydocker_network_options_t* in) {
  MYDOCKER_ASSIGN_OR_RETURN(mydocker_network_options_t o,
                            CopySized(in, "mydocker_network_options_t"));
  mydocker::NetworkOptions out;
  out.mode = Str(o.mode);
  out.publish = Strings(o.publish);
  out.publish_all = o.publish_all != 0;
  out.expose = Strings(o.expose);
  out.ip = Str(o.ip);
  out.mac = Str(o.mac_address);
  out.aliases = Strings(o.aliases);
  out.add_hosts = Strings(o.add_hosts);
  out.dns = Strings(o.dns);
  out.dns_search = Strings(o.dns_search);
  out.dns_options = Strings(o.dns_options);
  return out;
}

}  // namespace mydocker::capi

using namespace mydocker::capi;  // NOLINT(build/namespaces)
using mydocker::network::NetworkStore;

namespace {

NetworkStore Store(mydocker_runtime_t* runtime) {
  return NetworkStore(runtime->runtime->state().root());
}

std::string Inspect(NetworkStore& store, const mydocker::NetworkRecord& r) {
  return mydocker::views::NetworkInspect(r,
                                         store.Users(r.name).value_or(std::vector<std::string>{}));
}

absl::Status RequireNetwork(mydocker_runtime_t* runtime, const char* network) {
  MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
  return Require(network, "network");
}

}  // namespace

extern "C" {

int mydocker_network_create(mydocker_runtime_t* runtime, const char* name,
                            const mydocker_network_create_options_t* options, char** id,
                            mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireNetwork(runtime, name));
    mydocker::NetworkCreateOptions o;
    o.name = name;
    if (options != nullptr) {
      MYDOCKER_ASSIGN_OR_RETURN(mydocker_network_create_options_t in,
                                CopySized(options, "mydocker_network_create_options_t"));
      if (in.driver != nullptr) o.driver = in.driver;
      o.subnet = Str(in.subnet);
      o.gateway = Str(in.gateway);
      o.internal = in.internal != 0;
      o.labels = Strings(in.labels);
    }
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::NetworkRecord r, Store(runtime).Create(o));
    if (id != nullptr) *id = CopyString(r.id);
    return absl::OkStatus();
  });
}

int mydocker_network_list(mydocker_runtime_t* runtime, char** json, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    NetworkStore store = Store(runtime);
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<mydocker::NetworkRecord> all, store.List());
    std::vector<std::string> views;
    for (const mydocker::NetworkRecord& r : all) views.push_back(Inspect(store, r));
    *json = CopyString(mydocker::views::Array(views));
    return absl::OkStatus();
  });
}

int mydocker_network_inspect(mydocker_runtime_t* runtime, const char* network, char** json,
                             mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireNetwork(runtime, network));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    NetworkStore store = Store(runtime);
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::NetworkRecord r, store.Get(network));
    *json = CopyString(Inspect(store, r));
    return absl::OkStatus();
  });
}

int mydocker_network_remove(mydocker_runtime_t* runtime, const char* network,
                            mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireNetwork(runtime, network));
    return Store(runtime).Remove(network);
  });
}

int mydocker_network_prune(mydocker_runtime_t* runtime, char** json, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> removed, Store(runtime).Prune());
    if (json == nullptr) return absl::OkStatus();
    *json = CopyString(mydocker::views::StringArray(removed));
    return absl::OkStatus();
  });
}

int mydocker_container_connect(mydocker_container_t* container, const char* network, const char* ip,
                               const char* const* aliases, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(network, "network"));
    mydocker::NetworkConnectOptions o;
    o.ip = Str(ip);
    o.aliases = Strings(aliases);
    return container->container->ConnectNetwork(network, o);
  });
}

int mydocker_container_disconnect(mydocker_container_t* container, const char* network,
                                  mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(network, "network"));
    return container->container->DisconnectNetwork(network);
  });
}

}  // extern "C"
