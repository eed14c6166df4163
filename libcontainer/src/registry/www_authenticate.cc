#include "registry/www_authenticate.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace mydocker::registry {
namespace {

constexpr size_t kMaxHeader = 8192;

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(c) ||
         absl::string_view("!#$%&'*+-.^_`|~/:=").find(c) != absl::string_view::npos;
}

void SkipSpace(absl::string_view& s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
}

std::string Token(absl::string_view& s, bool allow_equals) {
  size_t n = 0;
  while (n < s.size() && IsTokenChar(s[n]) && (allow_equals || s[n] != '=')) ++n;
  std::string out(s.substr(0, n));
  s.remove_prefix(n);
  return out;
}

absl::StatusOr<std::string> QuotedString(absl::string_view& s) {
  std::string out;
  s.remove_prefix(1);  // the opening quote
  while (!s.empty()) {
    char c = s.front();
    s.remove_prefix(1);
    if (c == '"') return out;
    if (c == '\\') {
      if (s.empty()) break;
      c = s.front();
      s.remove_prefix(1);
    }
    out.push_back(c);
  }
  return absl::InvalidArgumentError("unterminated quoted string");
}

// One "name=value" parameter, at the start of `s`.
absl::Status Param(absl::string_view& s, Challenge& out) {
  std::string name = absl::AsciiStrToLower(Token(s, false));
  SkipSpace(s);
  if (name.empty() || s.empty() || s.front() != '=') {
    return absl::InvalidArgumentError("expected name=value");
  }
  s.remove_prefix(1);
  SkipSpace(s);
  std::string value;
  if (!s.empty() && s.front() == '"') {
    auto quoted = QuotedString(s);
    if (!quoted.ok()) return quoted.status();
    value = std::move(*quoted);
  } else {
    value = Token(s, true);
  }
  out.params[name] = std::move(value);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Challenge> ParseChallenge(absl::string_view header) {
  auto invalid = [header](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("malformed WWW-Authenticate header \"",
                                                   absl::CHexEscape(header.substr(0, 200)),
                                                   "\": ", why));
  };
  if (header.size() > kMaxHeader) return invalid("too long");
  absl::string_view s = header;
  SkipSpace(s);
  Challenge out;
  out.scheme = absl::AsciiStrToLower(Token(s, false));
  if (out.scheme.empty()) return invalid("no scheme");
  while (true) {
    SkipSpace(s);
    while (!s.empty() && s.front() == ',') {
      s.remove_prefix(1);
      SkipSpace(s);
    }
    if (s.empty()) break;
    absl::string_view before = s;
    absl::Status status = Param(s, out);
    if (!status.ok()) {
      // A second challenge ("Bearer ..., Basic realm=...") starts with a bare token: stop there.
      if (!out.params.empty() && IsTokenChar(before.front())) break;
      return invalid(status.message());
    }
    SkipSpace(s);
    if (!s.empty() && s.front() != ',') return invalid("expected a comma between parameters");
  }
  return out;
}

}  // namespace mydocker::registry
