#include "mount_info.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mydocker {
namespace {

std::string UnescapeMountPath(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      absl::string_view oct = s.substr(i + 1, 3);
      if (std::all_of(oct.begin(), oct.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<MountInfo>> ParseMountInfo(absl::string_view text) {
  std::vector<MountInfo> mounts;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    auto sep = std::find(f.begin(), f.end(), "-");
    if (f.size() < 7 || sep == f.end() || f.end() - sep < 4 || sep - f.begin() < 6) {
      return absl::InvalidArgumentError(absl::StrCat("malformed mountinfo line \"", line, "\""));
    }
    mounts.push_back({UnescapeMountPath(f[3]), UnescapeMountPath(f[4]), std::string(sep[1]),
                      std::string(sep[3])});
  }
  return mounts;
}

}  // namespace mydocker
