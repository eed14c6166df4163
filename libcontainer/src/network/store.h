// The network store's internals beside its public interface (mydocker/network_store.h).
#ifndef MYDOCKER_NETWORK_STORE_H_
#define MYDOCKER_NETWORK_STORE_H_

#include <string>
#include <vector>

#include "mydocker/network_store.h"

namespace mydocker::network {

// Routes of the caller's namespace (/proc/net/route) that are not on the runtime's bridges.
std::vector<std::string> HostRouteSubnets();

// Writes a small file without fsync: allocation files (a crash loses the container being
// created with them) and a container's /etc files (rendered again from the records). With
// `exclusive` the file must not exist (O_EXCL); else it is truncated and written in place
// (a bind-mounted /etc/hosts sees the new content).
absl::Status WriteFileNoSync(const std::string& path, absl::string_view data, bool exclusive);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_STORE_H_
