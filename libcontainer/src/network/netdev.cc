#include "network/netdev.h"

#include <limits>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace mydocker::network {
namespace {

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

}  // namespace

NetDevTotals ParseNetDev(absl::string_view text) {
  // "  eth0: RXBYTES packets errs drop fifo frame compressed multicast TXBYTES packets ..."
  NetDevTotals totals;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, colon));
    if (name.empty() || name == "lo") continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line.substr(colon + 1), ' ', absl::SkipEmpty());
    uint64_t rx = 0, tx = 0;
    if (fields.size() < 16 || !absl::SimpleAtoi(fields[0], &rx) ||
        !absl::SimpleAtoi(fields[8], &tx)) {
      continue;
    }
    totals.rx_bytes = SaturatingAdd(totals.rx_bytes, rx);
    totals.tx_bytes = SaturatingAdd(totals.tx_bytes, tx);
  }
  return totals;
}

}  // namespace mydocker::network
