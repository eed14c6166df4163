#include "cgroups/device_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mydocker/devices.h"
#include "mydocker/status_macros.h"

namespace mydocker::cgroups {
namespace {

bool Matches(const DeviceException& ex, char type, uint32_t major, uint32_t minor) {
  return ex.type == type && (!ex.major.has_value() || *ex.major == major) &&
         (!ex.minor.has_value() || *ex.minor == minor);
}

// The kernel's dev_exception_add: access merges into an exception for the same devices.
void AddException(std::vector<DeviceException>& list, const DeviceException& ex) {
  for (DeviceException& e : list) {
    if (e.SameDevices(ex)) {
      e.access |= ex.access;
      return;
    }
  }
  list.push_back(ex);
}

// The kernel's dev_exception_rm: access is taken from an exception for the same devices, which
// goes when none is left. Only the same devices: "c *:* r" does not narrow "c 1:3 r".
void RemoveException(std::vector<DeviceException>& list, const DeviceException& ex) {
  for (auto it = list.begin(); it != list.end(); ++it) {
    if (!it->SameDevices(ex)) continue;
    it->access &= static_cast<uint8_t>(~ex.access);
    if (it->access == 0) list.erase(it);
    return;
  }
}

std::optional<uint32_t> ToNumber(const std::optional<int64_t>& n) {
  if (!n.has_value()) return std::nullopt;
  return static_cast<uint32_t>(*n);
}

}  // namespace

absl::StatusOr<uint8_t> DeviceAccessBits(absl::string_view access) {
  uint8_t bits = 0;
  for (char c : access) {
    switch (c) {
      case 'm':
        bits |= kDeviceMknod;
        break;
      case 'r':
        bits |= kDeviceRead;
        break;
      case 'w':
        bits |= kDeviceWrite;
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("invalid device access \"", access, "\": use r, w and m"));
    }
  }
  return bits;
}

std::string DeviceAccessString(uint8_t bits) {
  std::string out;
  if (bits & kDeviceRead) out += 'r';
  if (bits & kDeviceWrite) out += 'w';
  if (bits & kDeviceMknod) out += 'm';
  return out;
}

DeviceRule ExceptionRule(bool allow, const DeviceException& ex, uint8_t access) {
  auto number = [](const std::optional<uint32_t>& n) {
    return n.has_value() ? std::optional<int64_t>(*n) : std::nullopt;
  };
  return {allow, ex.type, number(ex.major), number(ex.minor), DeviceAccessString(access)};
}

bool DevicePolicy::Allows(char type, uint32_t major, uint32_t minor, uint8_t access) const {
  for (const DeviceException& ex : exceptions) {
    if (!Matches(ex, type, major, minor)) continue;
    if (default_allow && (access & ex.access) != 0) return false;
    if (!default_allow && (access & ~ex.access) == 0) return true;
  }
  return default_allow;
}

std::vector<DeviceRule> DevicePolicy::ToRules() const {
  std::vector<DeviceRule> rules = {{default_allow, 'a', std::nullopt, std::nullopt, "rwm"}};
  for (const DeviceException& ex : exceptions) {
    rules.push_back(ExceptionRule(!default_allow, ex, ex.access));
  }
  return rules;
}

absl::StatusOr<DevicePolicy> ReduceDeviceRules(const std::vector<DeviceRule>& rules) {
  DevicePolicy policy;
  policy.default_allow = false;
  for (const DeviceRule& rule : rules) {
    MYDOCKER_RETURN_IF_ERROR(ValidateDeviceRule(rule));
    if (rule.type == 'a') {
      // The kernel reads nothing after an 'a': the whole policy becomes allow or deny.
      policy.default_allow = rule.allow;
      policy.exceptions.clear();
      continue;
    }
    MYDOCKER_ASSIGN_OR_RETURN(uint8_t access, DeviceAccessBits(rule.access));
    DeviceException ex{rule.type, ToNumber(rule.major), ToNumber(rule.minor), access};
    // A rule that agrees with the default takes back an exception; one that differs adds one.
    if (rule.allow == policy.default_allow) {
      RemoveException(policy.exceptions, ex);
    } else {
      AddException(policy.exceptions, ex);
    }
  }
  return policy;
}

absl::StatusOr<DevicePolicy> ParseDevicesList(absl::string_view text) {
  DevicePolicy policy;
  policy.default_allow = false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    MYDOCKER_ASSIGN_OR_RETURN(DeviceRule rule, ParseDeviceCgroupRule(line));
    if (rule.type == 'a') {
      policy.default_allow = true;
      policy.exceptions.clear();
      break;
    }
    MYDOCKER_ASSIGN_OR_RETURN(uint8_t access, DeviceAccessBits(rule.access));
    AddException(policy.exceptions,
                 {rule.type, ToNumber(rule.major), ToNumber(rule.minor), access});
  }
  return policy;
}

}  // namespace mydocker::cgroups
