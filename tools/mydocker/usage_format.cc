#include "usage_format.h"

#include <cmath>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace mydocker::cli {

std::string BinarySize(uint64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < std::size(kUnits)) {
    v /= 1024;
    ++unit;
  }
  return absl::StrCat(absl::StrFormat("%.4g", v), kUnits[unit]);
}

double CpuPercent(uint64_t before_ns, uint64_t after_ns, absl::Duration wall) {
  if (wall <= absl::ZeroDuration() || after_ns < before_ns) return 0;
  return static_cast<double>(after_ns - before_ns) / absl::ToDoubleNanoseconds(wall) * 100.0;
}

double MemPercent(uint64_t usage, uint64_t limit) {
  if (limit == 0) return 0;
  return static_cast<double>(usage) / static_cast<double>(limit) * 100.0;
}

std::string FormatPercent(double percent) { return absl::StrFormat("%.2f%%", percent); }

std::optional<uint64_t> ParseMemTotal(absl::string_view meminfo) {
  for (absl::string_view line : absl::StrSplit(meminfo, '\n')) {
    if (!absl::ConsumePrefix(&line, "MemTotal:")) continue;
    line = absl::StripAsciiWhitespace(line);
    // The kernel always says "kB", meaning KiB.
    if (!absl::ConsumeSuffix(&line, "kB")) return std::nullopt;
    uint64_t kib = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib)) return std::nullopt;
    return kib * 1024;
  }
  return std::nullopt;
}

std::string FormatCpuTime(double seconds) {
  int64_t total = seconds > 0 ? static_cast<int64_t>(std::floor(seconds)) : 0;
  int64_t days = total / 86400;
  std::string hms =
      absl::StrFormat("%02d:%02d:%02d", (total / 3600) % 24, (total / 60) % 60, total % 60);
  return days > 0 ? absl::StrCat(days, "-", hms) : hms;
}

}  // namespace mydocker::cli
