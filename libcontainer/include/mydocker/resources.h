// Parsing of the resource options users type (`-m 512m`, `--cpus 1.5`, `--cpuset-cpus 0-2,4`).
// Pure functions: no file system, no kernel. The limits they produce are checked against the
// machine by CgroupManager::Validate.
#ifndef MYDOCKER_RESOURCES_H_
#define MYDOCKER_RESOURCES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/container_config.h"

namespace mydocker {

// The CFS period `--cpus` is converted with, as Docker does (100 ms).
inline constexpr uint64_t kDefaultCpuPeriodUs = 100000;

// A size in bytes from "<number>[.<fraction>][unit]", unit one of b, k, m, g, t optionally
// followed by "b" (kb, mb, ...), case-insensitive, 1024-based like Docker's RAMInBytes:
// "512m" -> 536870912, "1.5g" -> 1610612736, "100" -> 100. Negative values, unknown units and
// overflow are InvalidArgument.
absl::StatusOr<int64_t> ParseMemorySize(absl::string_view text);

// A CPU count ("1.5", "0.25", "2") as a CFS {quota, period} pair in microseconds with the
// default period: "1.5" -> {150000, 100000}. At most 9 decimals; zero, negative and values
// below 0.01 are InvalidArgument. The upper bound depends on the machine (Validate checks it).
absl::StatusOr<std::pair<int64_t, uint64_t>> ParseCpus(absl::string_view text);

// --cpu-period and --cpu-quota (microseconds; 0 leaves one unset, a quota of -1 is none) into
// `cpu`, refused with Docker's message when `cpus_given` (--cpus sets both itself); and
// --blkio-weight (10 to 1000, 0 unset) into `block_io`. The machine's limits are Validate's.
absl::Status SetCfsAndBlkio(bool cpus_given, int64_t period, int64_t quota, int64_t blkio_weight,
                            CpuResources& cpu, BlockIoResources& block_io);

// A cpuset list ("0-2,4", "3", "0-1,3-5\n") as the sorted, de-duplicated numbers it names.
// Empty lists, reversed ranges and numbers above 65535 are InvalidArgument.
absl::StatusOr<std::vector<int>> ParseCpuset(absl::string_view text);

// The canonical list form of sorted numbers: {0,1,2,4} -> "0-2,4".
std::string FormatCpuset(const std::vector<int>& cpus);

}  // namespace mydocker

#endif  // MYDOCKER_RESOURCES_H_
