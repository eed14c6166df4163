// Parsing of -p and --expose specs. Pure functions, unit-tested.
#ifndef MYDOCKER_NETWORK_PORT_SPEC_H_
#define MYDOCKER_NETWORK_PORT_SPEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/network.h"
#include "mydocker/network_store.h"

namespace mydocker::network {

// -p [IP:][HOSTPORT[-END]:]CONTAINERPORT[-END][/tcp|udp]. A range maps one to one (both ends
// must have the same length); without a host port, host_port is 0 (a free one is chosen when
// the container is created). InvalidArgument, one line naming the spec, for anything else.
absl::StatusOr<std::vector<PortMapping>> ParsePublish(absl::string_view spec);

// --expose PORT[-END][/PROTO] and the image's ExposedPorts keys ("80/tcp"): mappings with
// host_port 0, for -P.
absl::StatusOr<std::vector<PortMapping>> ParseExpose(absl::string_view spec);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_PORT_SPEC_H_
