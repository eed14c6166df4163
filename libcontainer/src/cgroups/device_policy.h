// A device policy in the form the cgroup v1 devices controller keeps it: a default (allow or
// deny everything) and exceptions to it. Rules are reduced to this form the way the kernel does
// when they are written to devices.allow/devices.deny one by one, so that the v2 eBPF program
// (device_filter.h) enforces exactly what v1 would, whatever order and overlaps the rules have.
#ifndef MYDOCKER_CGROUPS_DEVICE_POLICY_H_
#define MYDOCKER_CGROUPS_DEVICE_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/container_config.h"

namespace mydocker::cgroups {

// Access bits; the same values as the kernel's BPF_DEVCG_ACC_* and v1's "m", "r", "w".
inline constexpr uint8_t kDeviceMknod = 1;
inline constexpr uint8_t kDeviceRead = 2;
inline constexpr uint8_t kDeviceWrite = 4;

struct DeviceException {
  char type = 'c';                // 'b' or 'c'
  std::optional<uint32_t> major;  // absent: any
  std::optional<uint32_t> minor;
  uint8_t access = 0;  // kDevice* bits

  bool SameDevices(const DeviceException& o) const {
    return type == o.type && major == o.major && minor == o.minor;
  }
  bool operator==(const DeviceException& o) const = default;
};

// The rule that allows (or denies) `access` to the devices `ex` names.
DeviceRule ExceptionRule(bool allow, const DeviceException& ex, uint8_t access);

struct DevicePolicy {
  bool default_allow = true;
  std::vector<DeviceException> exceptions;

  // Whether an access (kDevice* bits) to device `type` (b, c) major:minor is allowed: with a
  // default deny, when one exception covers all of the access; with a default allow, unless an
  // exception names any of it (the kernel's match_exception and match_exception_partial).
  bool Allows(char type, uint32_t major, uint32_t minor, uint8_t access) const;

  // The rules that make this policy when written to a new v1 cgroup: the default as an 'a'
  // rule, then each exception.
  std::vector<DeviceRule> ToRules() const;

  bool operator==(const DevicePolicy& o) const = default;
};

// "rwm" -> kDevice* bits. InvalidArgument for other letters.
absl::StatusOr<uint8_t> DeviceAccessBits(absl::string_view access);
std::string DeviceAccessString(uint8_t bits);

// Applies `rules` in order to a policy that denies everything, as runc and crun read an OCI list
// (so a list that forgets its leading "deny all" still opens only what it names).
// InvalidArgument for a rule ValidateDeviceRule refuses.
absl::StatusOr<DevicePolicy> ReduceDeviceRules(const std::vector<DeviceRule>& rules);

// Parses v1's devices.list: "a *:* rwm" for allow-all, else one exception per line over a
// default deny.
absl::StatusOr<DevicePolicy> ParseDevicesList(absl::string_view text);

}  // namespace mydocker::cgroups

#endif  // MYDOCKER_CGROUPS_DEVICE_POLICY_H_
