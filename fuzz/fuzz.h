// What every fuzz target shares: libFuzzer's entry point, and the input as text.
#ifndef MYDOCKER_FUZZ_FUZZ_H_
#define MYDOCKER_FUZZ_FUZZ_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace mydocker::fuzz {

inline absl::string_view Text(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// The input split at its first newline: a selector or a second argument, then the rest.
inline std::pair<absl::string_view, absl::string_view> FirstLine(absl::string_view text) {
  size_t nl = text.find('\n');
  if (nl == absl::string_view::npos) return {text, absl::string_view()};
  return {text.substr(0, nl), text.substr(nl + 1)};
}

}  // namespace mydocker::fuzz

#endif  // MYDOCKER_FUZZ_FUZZ_H_
