#include "mydocker/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"
#include "process/init_plan.h"

namespace mydocker {
namespace {

// This process's capability sets as capget(2) gives them (a system call, where reading
// /proc/self/status has the kernel format every line of the file); false if it fails.
bool OwnCapabilities(uint64_t* effective, uint64_t* permitted) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  *effective = data[0].effective | (static_cast<uint64_t>(data[1].effective) << 32);
  *permitted = data[0].permitted | (static_cast<uint64_t>(data[1].permitted) << 32);
  return true;
}

// Normalised names, each checked: `field` names the list in the error ("CapAdd").
absl::StatusOr<std::vector<std::string>> CheckNames(const std::vector<std::string>& names,
                                                    absl::string_view field) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    std::string n = NormalizeCapabilityName(name);
    if (n != "ALL" && !process::CapabilityNumber(n).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ", field, ": unknown capability: \"", absl::CHexEscape(n), "\""));
    }
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace

std::string NormalizeCapabilityName(absl::string_view name) {
  std::string upper = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(name));
  if (upper == "ALL" || absl::StartsWith(upper, "CAP_")) return upper;
  return absl::StrCat("CAP_", upper);
}

uint64_t HeldCapabilities() {
  uint64_t effective = 0, permitted = 0;
  if (!OwnCapabilities(&effective, &permitted)) return 0;
  uint64_t bounding = 0;
  for (int cap = 0; cap < 64; ++cap) {
    const int held = ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (held < 0) break;  // EINVAL: past the last capability the kernel knows
    if (held == 1) bounding |= uint64_t{1} << cap;
  }
  return permitted & bounding;
}

uint64_t EffectiveCapabilities() {
  uint64_t effective = 0, permitted = 0;
  return OwnCapabilities(&effective, &permitted) ? effective : 0;
}

absl::Status CheckRootPrivileges(uint64_t effective) {
  // The most telling first: without CAP_SYS_ADMIN nothing (mount, unshare, setns) can be done.
  static constexpr int kNeeded[] = {CAP_SYS_ADMIN, CAP_SYS_CHROOT,  CAP_NET_ADMIN, CAP_MKNOD,
                                    CAP_CHOWN,     CAP_FOWNER,      CAP_SETUID,    CAP_SETGID,
                                    CAP_KILL,      CAP_DAC_OVERRIDE};
  std::vector<int> missing;
  for (int cap : kNeeded) {
    if (((effective >> cap) & 1) == 0) missing.push_back(cap);
  }
  if (missing.empty()) return absl::OkStatus();
  std::string more;
  if (missing.size() > 1) {
    more = absl::StrCat(" (and ", missing.size() - 1, " more ",
                        missing.size() == 2 ? "capability" : "capabilities", " the setup uses)");
  }
  return absl::PermissionDeniedError(absl::StrCat("mydocker needs root: this process lacks CAP_",
                                                  process::CapabilityName(missing[0]), more,
                                                  "; rootless mode is not supported"));
}

std::vector<std::string> CapabilityNamesOf(uint64_t mask) {
  std::vector<std::string> out;
  for (int cap = 0; cap <= process::LastCapability() && cap < 64; ++cap) {
    if (((mask >> cap) & 1) == 0) continue;
    absl::string_view name = process::CapabilityName(cap);
    if (!name.empty()) out.push_back(absl::StrCat("CAP_", name));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ApplyCapabilityChanges(
    const std::vector<std::string>& base, const std::vector<std::string>& add,
    const std::vector<std::string>& drop, uint64_t available) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> adds, CheckNames(add, "CapAdd"));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> drops, CheckNames(drop, "CapDrop"));
  auto dropped = [&](const std::string& c) { return absl::c_linear_search(drops, c); };
  std::vector<std::string> caps;
  if (absl::c_linear_search(adds, "ALL")) {
    caps = CapabilityNamesOf(available);
    std::erase_if(caps, dropped);
  } else if (absl::c_linear_search(drops, "ALL")) {
    caps = adds;
  } else {
    caps = base;
    std::erase_if(caps, dropped);
    caps.insert(caps.end(), adds.begin(), adds.end());
  }
  std::vector<std::string> unique;  // in order, each once
  for (std::string& c : caps) {
    if (!absl::c_linear_search(unique, c)) unique.push_back(std::move(c));
  }
  return unique;
}

}  // namespace mydocker
