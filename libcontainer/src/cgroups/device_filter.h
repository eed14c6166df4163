// The cgroup v2 device policy: cgroup v2 has no devices controller, so access to device nodes
// is decided by an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup
// (as runc and crun do). The kernel runs it on every open and mknod of a device node by a
// process of the cgroup (or of a cgroup below); with programs attached to ancestors too, all of
// them must allow.
#ifndef MYDOCKER_CGROUPS_DEVICE_FILTER_H_
#define MYDOCKER_CGROUPS_DEVICE_FILTER_H_

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cgroups/device_policy.h"

namespace mydocker::cgroups {

// The program enforcing `policy`, assembled here (no compiler, no libbpf): it reads the device
// type, access, major and minor from its context, tests each exception in turn and returns 1
// (allow) or 0 (deny). Straight-line code, so the verifier accepts it whatever the rule count.
std::vector<struct bpf_insn> DeviceFilterProgram(const DevicePolicy& policy);

// Loads `program` and attaches it to the cgroup directory `dir` (BPF_F_ALLOW_MULTI), replacing
// what mydocker attached there before: atomically (BPF_F_REPLACE) when one program is attached,
// else the new one is attached before the old ones are detached, so no moment is unfiltered.
// A program the verifier refuses fails with its log in the message.
absl::Status AttachDeviceFilter(const std::string& dir,
                                const std::vector<struct bpf_insn>& program);

// The ids of the device programs attached directly to the cgroup directory `dir`.
absl::StatusOr<std::vector<uint32_t>> AttachedDeviceFilters(const std::string& dir);

// How the v2 driver applies a device policy; tests replace it (loading and attaching need
// CAP_SYS_ADMIN and a real cgroup2 directory).
using DeviceFilterApplier = absl::Status (*)(const std::string& dir, const DevicePolicy& policy);

// The real applier: DeviceFilterProgram + AttachDeviceFilter.
absl::Status ApplyDeviceFilter(const std::string& dir, const DevicePolicy& policy);

}  // namespace mydocker::cgroups

#endif  // MYDOCKER_CGROUPS_DEVICE_FILTER_H_
