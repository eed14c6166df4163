#include "mydocker/resources.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cgroups/cgroup_util.h"

namespace mydocker {
namespace {

constexpr int kMaxCpusetNumber = 65535;

// A non-negative decimal "123" or "123.456", kept exact: value = whole + frac / 10^frac_digits.
struct Decimal {
  unsigned __int128 whole = 0;
  unsigned __int128 frac = 0;
  int frac_digits = 0;
};

bool IsDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Accepts at most 19 integer digits and `max_frac_digits` decimals, so nothing overflows.
bool ParseDecimal(absl::string_view text, int max_frac_digits, Decimal* out) {
  absl::string_view whole = text;
  absl::string_view frac;
  if (auto dot = text.find('.'); dot != absl::string_view::npos) {
    whole = text.substr(0, dot);
    frac = text.substr(dot + 1);
    if (!IsDigits(frac) || static_cast<int>(frac.size()) > max_frac_digits) return false;
  }
  if (!IsDigits(whole) || whole.size() > 19) return false;
  for (char c : whole) out->whole = out->whole * 10 + static_cast<unsigned>(c - '0');
  for (char c : frac) out->frac = out->frac * 10 + static_cast<unsigned>(c - '0');
  out->frac_digits = static_cast<int>(frac.size());
  return true;
}

unsigned __int128 Pow10(int n) {
  unsigned __int128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

// The multiplier of a memory unit ("", "b", "k", "kb", ...), 0 if unknown.
int64_t UnitMultiplier(std::string unit) {
  unit = absl::AsciiStrToLower(unit);
  if (unit.size() == 2 && unit[1] == 'b') unit.pop_back();
  if (unit.empty() || unit == "b") return 1;
  if (unit == "k") return int64_t{1} << 10;
  if (unit == "m") return int64_t{1} << 20;
  if (unit == "g") return int64_t{1} << 30;
  if (unit == "t") return int64_t{1} << 40;
  return 0;
}

}  // namespace

absl::StatusOr<int64_t> ParseMemorySize(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  auto error = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid memory size \"", text, "\": ", why));
  };
  if (s.empty()) return error("empty value");
  if (s[0] == '-') return error("must not be negative");
  size_t unit_pos = s.find_first_not_of("0123456789.");
  if (unit_pos == absl::string_view::npos) unit_pos = s.size();
  absl::string_view number = s.substr(0, unit_pos);
  absl::string_view unit = absl::StripLeadingAsciiWhitespace(s.substr(unit_pos));
  int64_t multiplier = UnitMultiplier(std::string(unit));
  if (multiplier == 0) return error(absl::StrCat("unknown unit \"", unit, "\""));
  Decimal value;
  if (!ParseDecimal(number, 18, &value)) return error("not a number");
  unsigned __int128 bytes =
      value.whole * multiplier + value.frac * multiplier / Pow10(value.frac_digits);
  if (bytes > static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max())) {
    return error("too large");
  }
  return static_cast<int64_t>(bytes);
}

// "1.5e3" as "1500" (Docker parses --cpus as a rational number, exponent included); anything
// else as it is. Empty if the exponent is not a small integer.
std::string WithoutExponent(absl::string_view s) {
  size_t e = s.find_first_of("eE");
  if (e == absl::string_view::npos) return std::string(s);
  int exponent = 0;
  if (!absl::SimpleAtoi(s.substr(e + 1), &exponent) || exponent < -40 || exponent > 40) return "";
  absl::string_view mantissa = s.substr(0, e);
  size_t dot = mantissa.find('.');
  std::string digits(mantissa.substr(0, dot));
  if (dot != absl::string_view::npos) absl::StrAppend(&digits, mantissa.substr(dot + 1));
  int point = static_cast<int>(dot == absl::string_view::npos ? mantissa.size() : dot) + exponent;
  if (point <= 0) return absl::StrCat("0.", std::string(-point, '0'), digits);
  if (point >= static_cast<int>(digits.size())) {
    return digits + std::string(point - digits.size(), '0');
  }
  return absl::StrCat(digits.substr(0, point), ".", digits.substr(point));
}

absl::StatusOr<std::pair<int64_t, uint64_t>> ParseCpus(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  auto error = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid cpus \"", text, "\": ", why));
  };
  if (!s.empty() && s[0] == '-') return error("must be positive");
  // Nano-CPUs, as Docker stores --cpus, so "1.5" converts without floating point error.
  Decimal value;
  std::string plain = WithoutExponent(s);
  absl::string_view whole = absl::string_view(plain).substr(0, plain.find('.'));
  bool parsed = ParseDecimal(plain, 9, &value);
  if ((parsed && value.whole > 1000000) || (!parsed && whole.size() > 19 && IsDigits(whole))) {
    // Beyond any machine: what the limits check says of a smaller excess, without converting.
    int cpus = cgroups::OnlineCpus();
    return error(absl::StrCat("range of CPUs is from 0.01 to ", cpus, ".00, as there are only ",
                              cpus, " CPUs available"));
  }
  if (!parsed) return error("not a number");
  unsigned __int128 nano = value.whole * 1000000000 + value.frac * Pow10(9 - value.frac_digits);
  if (nano == 0) return error("must be positive");
  if (nano < 10000000) return error("minimum is 0.01");
  auto quota = static_cast<int64_t>(nano * kDefaultCpuPeriodUs / 1000000000);
  return std::make_pair(quota, kDefaultCpuPeriodUs);
}

absl::Status SetCfsAndBlkio(bool cpus_given, int64_t period, int64_t quota, int64_t blkio_weight,
                            CpuResources& cpu, BlockIoResources& block_io) {
  if (cpus_given && period != 0) {
    return absl::InvalidArgumentError(
        "Conflicting options: Nano CPUs and CPU Period cannot both be set");
  }
  if (cpus_given && quota != 0) {
    return absl::InvalidArgumentError(
        "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  }
  if (period < 0) return absl::InvalidArgumentError(absl::StrCat("invalid cpu period ", period));
  if (period != 0) cpu.period = static_cast<uint64_t>(period);
  if (quota != 0) cpu.quota = quota;
  if (blkio_weight != 0 && (blkio_weight < 10 || blkio_weight > 1000)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid blkio weight ", blkio_weight,
                                                   ": range of blkio weight is from 10 to 1000"));
  }
  if (blkio_weight != 0) block_io.weight = static_cast<uint16_t>(blkio_weight);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int>> ParseCpuset(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  auto error = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid cpuset \"", text, "\": ", why));
  };
  if (s.empty()) return error("empty list");
  std::vector<int> out;
  for (absl::string_view item : absl::StrSplit(s, ',')) {
    std::pair<absl::string_view, absl::string_view> range = absl::StrSplit(item, '-');
    if (range.second.empty()) range.second = range.first;
    int first = 0;
    int last = 0;
    if (!IsDigits(range.first) || !IsDigits(range.second) || item.find('-') != item.rfind('-') ||
        (item.find('-') != item.npos && item.back() == '-') ||
        !absl::SimpleAtoi(range.first, &first) || !absl::SimpleAtoi(range.second, &last)) {
      return error(absl::StrCat("bad element \"", item, "\""));
    }
    if (first > last) return error(absl::StrCat("reversed range \"", item, "\""));
    if (last > kMaxCpusetNumber) return error(absl::StrCat("number ", last, " too large"));
    for (int i = first; i <= last; ++i) out.push_back(i);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string FormatCpuset(const std::vector<int>& cpus) {
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    absl::StrAppend(&out, cpus[i]);
    if (j > i) absl::StrAppend(&out, "-", cpus[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace mydocker
