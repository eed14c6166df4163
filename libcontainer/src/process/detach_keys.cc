#include "process/detach_keys.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mydocker::process {
namespace {

// The byte "ctrl-<c>" types, or -1.
int ControlByte(char c) {
  if (c >= 'a' && c <= 'z') return c - 'a' + 1;
  switch (c) {
    case '@':
      return 0;
    case '[':
      return 27;
    case '\\':
      return 28;
    case ']':
      return 29;
    case '^':
      return 30;
    case '_':
      return 31;
    default:
      return -1;
  }
}

}  // namespace

absl::StatusOr<std::string> ParseDetachKeys(absl::string_view spec) {
  if (spec.empty()) spec = kDefaultDetachKeys;
  std::string keys;
  for (absl::string_view key : absl::StrSplit(spec, ',')) {
    int byte = -1;
    if (key.size() == 1) {
      byte = static_cast<unsigned char>(key[0]);
    } else if (key.size() == 6 && absl::StartsWithIgnoreCase(key, "ctrl-")) {
      byte = ControlByte(absl::ascii_tolower(key[5]));
    }
    if (byte < 0) {
      return absl::InvalidArgumentError(absl::StrCat("Invalid detach keys (", spec, ") provided"));
    }
    keys.push_back(static_cast<char>(byte));
  }
  return keys;
}

std::string DetachScanner::Feed(absl::string_view in, bool* detached) {
  *detached = false;
  std::string out;
  if (keys_.empty()) return std::string(in);
  for (char c : in) {
    if (c == keys_[matched_]) {
      if (++matched_ == keys_.size()) {
        matched_ = 0;
        *detached = true;
        return out;
      }
      continue;
    }
    out.append(keys_, 0, matched_);  // the held bytes were not the sequence after all
    matched_ = c == keys_[0] ? 1 : 0;
    if (matched_ == 0) out.push_back(c);
  }
  return out;
}

}  // namespace mydocker::process
