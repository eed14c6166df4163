#include "mydocker/devices.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

// A directory given to --device is walked this deep at most (/dev/snd, /dev/dri/by-path).
constexpr int kMaxDeviceDirDepth = 8;
// And yields this many devices at most: more is a mistake (such as "--device /").
constexpr size_t kMaxDevicesPerSpec = 1024;

absl::Status ValidateAccess(absl::string_view access, absl::string_view what) {
  bool seen[3] = {false, false, false};
  for (char c : access) {
    const char* pos = std::strchr("rwm", c);
    if (c == '\0' || pos == nullptr || seen[pos - "rwm"]) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid device access \"", absl::CHexEscape(access), "\" in ", what,
                       ": use a combination of r (read), w (write) and m (mknod)"));
    }
    seen[pos - "rwm"] = true;
  }
  if (access.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("empty device access in ", what));
  }
  return absl::OkStatus();
}

// "*" or a number up to `max`.
absl::StatusOr<std::optional<int64_t>> ParseDeviceNumber(absl::string_view text, int64_t max,
                                                         absl::string_view rule) {
  if (text == "*") return std::optional<int64_t>();
  int64_t n = 0;
  if (text.empty() || !absl::ascii_isdigit(static_cast<unsigned char>(text[0])) ||
      !absl::SimpleAtoi(text, &n) || n > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid device number \"", absl::CHexEscape(text), "\" in device rule \"",
                     absl::CHexEscape(rule), "\" (0 to ", max, " or *)"));
  }
  return std::optional<int64_t>(n);
}

std::string FormatNumber(const std::optional<int64_t>& n) {
  return n.has_value() ? absl::StrCat(*n) : "*";
}

// "/dev/snd/../x" and relative paths have no place as a node's path in the container.
absl::Status ValidateContainerPath(absl::string_view path, absl::string_view spec) {
  bool dotdot = false;
  for (absl::string_view part : absl::StrSplit(path, '/')) dotdot |= part == "..";
  if (path.empty() || path[0] != '/' || dotdot || path == "/" ||
      path.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid device \"", absl::CHexEscape(spec), "\": the path in the container \"",
        absl::CHexEscape(path), "\" must be absolute, without \"..\""));
  }
  return absl::OkStatus();
}

struct DeviceWalk {
  absl::string_view spec;
  std::string access;
  DeviceGrant grant;
  size_t max_nodes = kMaxDevicesPerSpec;
  // Names skipped directly below the walked directory (HostDevices).
  std::vector<absl::string_view> skip;
};

absl::Status AddNode(const struct stat& st, const std::string& container_path, DeviceWalk& walk) {
  if (walk.grant.nodes.size() >= walk.max_nodes) {
    return absl::InvalidArgumentError(absl::StrCat("invalid device \"", absl::CHexEscape(walk.spec),
                                                   "\": more than ", walk.max_nodes, " devices"));
  }
  LinuxDevice node;
  node.path = container_path;
  node.type = S_ISBLK(st.st_mode) ? 'b' : 'c';
  node.major = major(st.st_rdev);
  node.minor = minor(st.st_rdev);
  node.file_mode = st.st_mode & 07777;
  node.uid = st.st_uid;
  node.gid = st.st_gid;
  walk.grant.nodes.push_back(node);
  walk.grant.rules.push_back({true, node.type, node.major, node.minor, walk.access});
  return absl::OkStatus();
}

// Adds every device node below the directory `host_dir` (symbolic links are not followed, as
// in Docker). Directories that cannot be read are skipped, as Docker does for /dev/snd's.
absl::Status WalkDeviceDir(const std::string& host_dir, const std::string& container_dir, int depth,
                           DeviceWalk& walk) {
  if (depth > kMaxDeviceDirDepth) return absl::OkStatus();
  DIR* dir = ::opendir(host_dir.c_str());
  if (dir == nullptr) return absl::OkStatus();
  absl::Status status;
  while (struct dirent* entry = ::readdir(dir)) {
    absl::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (depth == 0 && std::find(walk.skip.begin(), walk.skip.end(), name) != walk.skip.end()) {
      continue;
    }
    std::string host = absl::StrCat(host_dir, "/", name);
    std::string container = absl::StrCat(container_dir, "/", name);
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      status = WalkDeviceDir(host, container, depth + 1, walk);
    } else if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
      status = AddNode(st, container, walk);
    }
    if (!status.ok()) break;
  }
  ::closedir(dir);
  return status;
}

}  // namespace

std::vector<DeviceRule> DefaultDeviceRules() {
  std::vector<DeviceRule> rules = {{false, 'a', std::nullopt, std::nullopt, "rwm"},
                                   {true, 'c', std::nullopt, std::nullopt, "m"},
                                   {true, 'b', std::nullopt, std::nullopt, "m"}};
  struct Node {
    int64_t major;
    std::optional<int64_t> minor;
  };
  // null, zero, full, random, urandom, tty, console, ptmx, pseudo-terminals, tun.
  static constexpr Node kNodes[] = {
      {1, 3},   {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {136, std::nullopt},
      {10, 200}};
  for (const Node& n : kNodes) rules.push_back({true, 'c', n.major, n.minor, "rwm"});
  return rules;
}

absl::Status ValidateDeviceRule(const DeviceRule& rule) {
  const std::string what = absl::StrCat("device rule \"", FormatDeviceRule(rule), "\"");
  if (rule.type != 'a' && rule.type != 'b' && rule.type != 'c') {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid device type in ", what, ": use a (all), b (block) or c (character)"));
  }
  if ((rule.major.has_value() && (*rule.major < 0 || *rule.major > kMaxDeviceMajor)) ||
      (rule.minor.has_value() && (*rule.minor < 0 || *rule.minor > kMaxDeviceMinor))) {
    return absl::InvalidArgumentError(absl::StrCat("device number out of range in ", what,
                                                   " (major 0 to ", kMaxDeviceMajor,
                                                   ", minor 0 to ", kMaxDeviceMinor, ")"));
  }
  return ValidateAccess(rule.access, what);
}

absl::StatusOr<DeviceRule> ParseDeviceCgroupRule(absl::string_view text) {
  std::vector<absl::string_view> fields = absl::StrSplit(text, ' ', absl::SkipEmpty());
  const std::string quoted = absl::StrCat("\"", absl::CHexEscape(text), "\"");
  if (fields.size() != 3 || fields[0].size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid device cgroup rule ", quoted,
                     ": use TYPE MAJOR:MINOR ACCESS, e.g. \"c 1:3 rwm\""));
  }
  std::vector<absl::string_view> numbers = absl::StrSplit(fields[1], absl::MaxSplits(':', 1));
  if (numbers.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat("invalid device cgroup rule ", quoted,
                                                   ": MAJOR:MINOR expected, e.g. 1:3 or 8:*"));
  }
  DeviceRule rule;
  rule.allow = true;
  rule.type = fields[0][0];
  MYDOCKER_ASSIGN_OR_RETURN(rule.major, ParseDeviceNumber(numbers[0], kMaxDeviceMajor, text));
  MYDOCKER_ASSIGN_OR_RETURN(rule.minor, ParseDeviceNumber(numbers[1], kMaxDeviceMinor, text));
  rule.access = std::string(fields[2]);
  MYDOCKER_RETURN_IF_ERROR(ValidateDeviceRule(rule));
  return rule;
}

std::string FormatDeviceRule(const DeviceRule& rule) {
  return absl::StrCat(absl::string_view(&rule.type, 1), " ", FormatNumber(rule.major), ":",
                      FormatNumber(rule.minor), " ", rule.access);
}

absl::StatusOr<DeviceGrant> ResolveDeviceSpec(absl::string_view spec) {
  std::vector<std::string> parts = absl::StrSplit(spec, ':');
  const std::string quoted = absl::StrCat("\"", absl::CHexEscape(spec), "\"");
  if (parts.size() > 3 || parts[0].empty() || spec.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid device ", quoted, ": use HOST[:CONTAINER[:PERMISSIONS]]"));
  }
  DeviceWalk walk{spec, "rwm", {}, kMaxDevicesPerSpec, {}};
  std::string container = parts[0];
  // Docker's short form HOST:PERMISSIONS ("/dev/sda:r"): a second field that is valid
  // permissions is taken as such, anything else as the path in the container.
  if (parts.size() == 2 && ValidateAccess(parts[1], "").ok()) {
    walk.access = parts[1];
  } else {
    if (parts.size() >= 2) container = parts[1];
    if (parts.size() == 3) walk.access = parts[2];
  }
  MYDOCKER_RETURN_IF_ERROR(ValidateAccess(walk.access, absl::StrCat("device ", quoted)));
  MYDOCKER_RETURN_IF_ERROR(ValidateContainerPath(container, spec));
  struct stat st;
  if (::stat(parts[0].c_str(), &st) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("error gathering device information for ",
                                                   quoted, ": ", std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) {
    MYDOCKER_RETURN_IF_ERROR(WalkDeviceDir(parts[0], container, 0, walk));
    if (walk.grant.nodes.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid device ", quoted, ": no device nodes under ", parts[0]));
    }
  } else if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
    MYDOCKER_RETURN_IF_ERROR(AddNode(st, container, walk));
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid device ", quoted, ": ", parts[0], " is not a device node"));
  }
  return std::move(walk.grant);
}

absl::StatusOr<DeviceGrant> HostDevices() {
  // As runc's and containerd's host device lists: not the mounts the runtime makes itself
  // (pts, shm, mqueue), nor fd's links, nor the console and ptmx, which the runtime sets up.
  DeviceWalk walk{"/dev", "rwm", {}, 1 << 16, {"pts", "shm", "mqueue", "fd", "console", "ptmx"}};
  MYDOCKER_RETURN_IF_ERROR(WalkDeviceDir("/dev", "/dev", 0, walk));
  return std::move(walk.grant);
}

}  // namespace mydocker
