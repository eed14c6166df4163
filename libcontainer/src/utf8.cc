#include "mydocker/utf8.h"

namespace mydocker {

size_t DecodeUtf8(absl::string_view s, uint32_t* code_point) {
  if (s.empty()) return 0;
  auto c = static_cast<unsigned char>(s[0]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || n > s.size()) return 0;
  uint32_t cp = n == 1 ? c : c & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    auto k = static_cast<unsigned char>(s[i]);
    if ((k & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (k & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *code_point = cp;
  return n;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
    return;
  }
  size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  static constexpr unsigned char kLead[] = {0, 0, 0xC0, 0xE0, 0xF0};
  out->push_back(static_cast<char>(kLead[n] | (cp >> (6 * (n - 1)))));
  for (size_t i = n - 1; i-- > 0;)
    out->push_back(static_cast<char>(0x80 | ((cp >> (6 * i)) & 0x3F)));
}

namespace {

// `s` with `replacement` for each byte that does not start a well-formed sequence and, if
// `controls`, for each control character (C0, DEL, C1).
std::string Rewrite(absl::string_view s, absl::string_view replacement, bool controls) {
  std::string out;
  out.reserve(s.size());
  // ASCII below DEL is its own well-formed sequence: runs of it (all of most text) are copied
  // whole, and only the rest is decoded sequence by sequence.
  const unsigned char lowest = controls ? 0x20 : 0x00;
  while (!s.empty()) {
    size_t run = 0;
    while (run < s.size() && static_cast<unsigned char>(s[run]) >= lowest &&
           static_cast<unsigned char>(s[run]) < 0x7F) {
      ++run;
    }
    out.append(s.data(), run);
    s.remove_prefix(run);
    if (s.empty()) break;
    uint32_t cp = 0;
    size_t n = DecodeUtf8(s, &cp);
    if (n == 0 || (controls && (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)))) {
      out.append(replacement.data(), replacement.size());
      n = n == 0 ? 1 : n;
    } else {
      out.append(s.data(), n);
    }
    s.remove_prefix(n);
  }
  return out;
}

}  // namespace

std::string ValidUtf8(absl::string_view s) { return Rewrite(s, "\xEF\xBF\xBD", false); }

std::string Printable(absl::string_view s) { return Rewrite(s, "?", true); }

void MakePrintable(std::string* s) {
  for (char c : *s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      *s = Printable(*s);
      return;
    }
  }
}

}  // namespace mydocker
