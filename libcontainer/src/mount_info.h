// /proc/PID/mountinfo, parsed: what the cgroup drivers look for (cgroup mounts) and what init's
// root fallback needs (the file system type of "/", the proc and sysfs mounts to hide).
#ifndef MYDOCKER_MOUNT_INFO_H_
#define MYDOCKER_MOUNT_INFO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker {

struct MountInfo {
  std::string root;           // field 4: the path in the file system that is mounted
  std::string mount_point;    // field 5, unescaped
  std::string fstype;         // after the "-" separator
  std::string super_options;  // "rw,cpu,cpuacct"
};

// Parses mountinfo text, one entry per line in order. Paths are unescaped (mountinfo writes
// space, tab, newline and backslash as \ooo). InvalidArgument for a malformed line.
absl::StatusOr<std::vector<MountInfo>> ParseMountInfo(absl::string_view text);

}  // namespace mydocker

#endif  // MYDOCKER_MOUNT_INFO_H_
