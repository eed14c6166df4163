// The network store's internals beside its public interface (mydocker/network_store.h).
#ifndef MYDOCKER_NETWORK_STORE_H_
#define MYDOCKER_NETWORK_STORE_H_

#include <string>
#include <vector>

#include "mydocker/network_store.h"

namespace mydocker::network {

// Routes of the caller's namespace (/proc/net/route) that are not on the runtime's bridges.
std::vector<std::string> HostRouteSubnets();

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_STORE_H_
