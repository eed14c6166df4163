// Device policies and device nodes: Docker's default allow list, `--device-cgroup-rule` rules
// ("c 1:3 rwm") and `--device HOST[:CONTAINER[:PERMISSIONS]]`. The cgroup drivers enforce the
// rules (devices.allow/deny on v1, an eBPF program on v2); init makes the nodes.
#ifndef MYDOCKER_DEVICES_H_
#define MYDOCKER_DEVICES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/container_config.h"

namespace mydocker {

// The largest major and minor numbers a dev_t holds (12 and 20 bits).
inline constexpr int64_t kMaxDeviceMajor = (int64_t{1} << 12) - 1;
inline constexpr int64_t kMaxDeviceMinor = (int64_t{1} << 20) - 1;

// Docker's default device policy: deny everything, then allow making any node (mknod) and using
// the nodes the runtime itself puts in /dev: null, zero, full, random, urandom, tty, console,
// ptmx, the pseudo-terminals (136:*) and tun. Without it a container's root (which holds
// CAP_MKNOD) could make a node for the host's disk and read it.
std::vector<DeviceRule> DefaultDeviceRules();

// InvalidArgument naming the rule unless its type is 'a', 'b' or 'c', its numbers fit a dev_t
// and its access is a non-empty subset of "rwm" without repeats.
absl::Status ValidateDeviceRule(const DeviceRule& rule);

// Parses a rule in cgroup v1's devices.allow format, as `--device-cgroup-rule` takes it:
// "TYPE MAJOR:MINOR ACCESS" with '*' for any number, e.g. "c 1:3 rwm", "b 8:* r", "a *:* rwm".
// The result allows; InvalidArgument for anything else.
absl::StatusOr<DeviceRule> ParseDeviceCgroupRule(absl::string_view text);

// The rule in devices.allow format ("c 1:3 rwm", "a *:* rwm").
std::string FormatDeviceRule(const DeviceRule& rule);

// What `--device` gives a container: the nodes to make and the rules that let it use them.
struct DeviceGrant {
  std::vector<LinuxDevice> nodes;
  std::vector<DeviceRule> rules;
};

// Resolves `--device HOST[:CONTAINER[:PERMISSIONS]]` on this host (Docker's syntax): HOST is a
// device node or a directory whose device nodes are all granted (found recursively, keeping their
// paths below CONTAINER); CONTAINER defaults to HOST; PERMISSIONS is a subset of "rwm" (default
// "rwm"). Refused with InvalidArgument naming the spec: a missing or non-device path, a relative
// container path or one with "..", bad permissions.
absl::StatusOr<DeviceGrant> ResolveDeviceSpec(absl::string_view spec);

// Every device node of the host's /dev (--privileged): nodes below it keep their paths, with
// the host's modes and owners; /dev/pts, /dev/shm, /dev/mqueue, /dev/fd, the console and ptmx
// are left out (the container has its own). The rules allow each node "rwm"; --privileged
// opens the whole device cgroup anyway.
absl::StatusOr<DeviceGrant> HostDevices();

}  // namespace mydocker

#endif  // MYDOCKER_DEVICES_H_
