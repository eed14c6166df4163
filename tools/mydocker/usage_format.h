// Formatting of resource usage for `stats` and `top`: pure functions, unit-tested.
#ifndef MYDOCKER_TOOLS_USAGE_FORMAT_H_
#define MYDOCKER_TOOLS_USAGE_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mydocker::cli {

// 1024-based with four significant digits, like Docker's stats: "0B", "1.5MiB", "64MiB",
// "23.54GiB".
std::string BinarySize(uint64_t bytes);

// CPU use between two samples of a cgroup's cumulative CPU time, as a percentage of one CPU
// (Docker's meaning: two busy cores are 200%). 0 when `wall` is not positive or the counter
// went backwards (a restarted container).
double CpuPercent(uint64_t before_ns, uint64_t after_ns, absl::Duration wall);

// usage / limit as a percentage; 0 for a zero limit.
double MemPercent(uint64_t usage, uint64_t limit);

// "12.34%".
std::string FormatPercent(double percent);

// MemTotal from the text of /proc/meminfo, in bytes; nullopt if absent or malformed.
std::optional<uint64_t> ParseMemTotal(absl::string_view meminfo);

// CPU time as ps prints it: "00:01:05", and "2-03:04:05" beyond a day.
std::string FormatCpuTime(double seconds);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_USAGE_FORMAT_H_
