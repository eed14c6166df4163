// Docker's --cap-add / --cap-drop / --privileged rules over a container's capability set.
#ifndef MYDOCKER_CAPABILITIES_H_
#define MYDOCKER_CAPABILITIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker {

// Docker's spelling rules: case does not matter and "CAP_" is optional ("sys_admin",
// "CAP_SYS_ADMIN"); "all" is "ALL". The result is "CAP_SYS_ADMIN" or "ALL"; whether it names a
// capability is checked by ApplyCapabilityChanges.
std::string NormalizeCapabilityName(absl::string_view name);

// The capabilities this process can give a container: bit N set when capability N is in both
// its permitted and bounding sets (/proc/self/status). A container cannot get one outside it.
uint64_t HeldCapabilities();

// This process's effective capabilities (CapEff in /proc/self/status): what it may use now.
uint64_t EffectiveCapabilities();

// What setting up a container needs of its caller until rootless mode exists: OK when
// `effective` holds every capability the setup uses (mounts and namespaces, pivot_root, device
// nodes, ownership, the user switch, networks, cgroups); otherwise PermissionDenied, one line
// naming the first missing one ("mydocker needs root: this process lacks CAP_SYS_ADMIN (and 9
// more capabilities the setup uses); rootless mode is not supported").
absl::Status CheckRootPrivileges(uint64_t effective);

// The names ("CAP_CHOWN", ...) of the capabilities in `mask` that the kernel knows, in number
// order.
std::vector<std::string> CapabilityNamesOf(uint64_t mask);

// Docker's TweakCapabilities: `base` (the default set, or every capability in `available`
// for --privileged) without `drop`, plus `add`; "ALL" in `add` means every capability in
// `available` except those in `drop`; "ALL" in `drop` means only those in `add`. Names are
// normalised; an unknown one is refused before anything is made: InvalidArgument
// `invalid CapAdd: unknown capability: "CAP_FOO"` (CapDrop for `drop`).
absl::StatusOr<std::vector<std::string>> ApplyCapabilityChanges(
    const std::vector<std::string>& base, const std::vector<std::string>& add,
    const std::vector<std::string>& drop, uint64_t available);

}  // namespace mydocker

#endif  // MYDOCKER_CAPABILITIES_H_
