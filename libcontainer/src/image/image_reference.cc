// ParseImageReference: Docker's reference grammar without digests.
//
//   reference      := name [":" tag]
//   name           := [domain "/"] path-component ["/" path-component]*
//   domain         := domain-component ["." domain-component]* [":" port]
//   path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := "." | "_" | "__" | "-"+
//   tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "mydocker/image_store.h"

namespace mydocker {
namespace {

constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxTagLength = 128;

absl::Status Invalid(absl::string_view ref, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("invalid image reference \"", absl::CHexEscape(ref), "\": ", why));
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool IsPathComponent(absl::string_view c) {
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < c.size() && IsLowerAlnum(c[i])) ++i;
    if (i == start) return false;
    if (i == c.size()) return true;
    if (c[i] == '.') {
      ++i;
    } else if (c[i] == '_') {
      ++i;
      if (i < c.size() && c[i] == '_') ++i;
    } else if (c[i] == '-') {
      while (i < c.size() && c[i] == '-') ++i;
    } else {
      return false;
    }
  }
}

bool IsDomainComponent(absl::string_view c) {
  if (c.empty() || c.front() == '-' || c.back() == '-') return false;
  for (char ch : c) {
    if (!absl::ascii_isalnum(ch) && ch != '-') return false;
  }
  return true;
}

bool IsDomain(absl::string_view domain) {
  absl::string_view host = domain;
  size_t colon = domain.find(':');
  if (colon != absl::string_view::npos) {
    absl::string_view port = domain.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char ch : port) {
      if (!absl::ascii_isdigit(ch)) return false;
    }
    host = domain.substr(0, colon);
  }
  for (absl::string_view part : absl::StrSplit(host, '.')) {
    if (!IsDomainComponent(part)) return false;
  }
  return true;
}

bool IsTag(absl::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagLength) return false;
  for (size_t i = 0; i < tag.size(); ++i) {
    char ch = tag[i];
    bool ok = absl::ascii_isalnum(ch) || ch == '_' || (i > 0 && (ch == '.' || ch == '-'));
    if (!ok) return false;
  }
  return true;
}

// Like Docker, the first component is a registry host only when more follow and it looks like
// one: it has a "." or a ":" or is "localhost".
absl::Status ValidateName(absl::string_view ref, absl::string_view name) {
  if (name.size() > kMaxNameLength) return Invalid(ref, "repository name is too long");
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  size_t first = 0;
  if (parts.size() > 1 &&
      (parts[0].find_first_of(".:") != absl::string_view::npos || parts[0] == "localhost")) {
    if (!IsDomain(parts[0])) return Invalid(ref, "invalid registry host");
    first = 1;
  }
  for (size_t i = first; i < parts.size(); ++i) {
    if (IsPathComponent(parts[i])) continue;
    if (IsPathComponent(absl::AsciiStrToLower(parts[i]))) {
      return Invalid(ref, "repository name must be lowercase");
    }
    return Invalid(ref, "invalid reference format");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::pair<std::string, std::string>> ParseImageReference(absl::string_view ref) {
  if (ref.empty()) return Invalid(ref, "empty reference");
  if (ref.find('@') != absl::string_view::npos) {
    return Invalid(ref, "digest references are not supported");
  }
  absl::string_view name = ref;
  absl::string_view tag = "latest";
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon != absl::string_view::npos && (slash == absl::string_view::npos || colon > slash)) {
    name = ref.substr(0, colon);
    tag = ref.substr(colon + 1);
    if (!IsTag(tag)) return Invalid(ref, "invalid tag");
  }
  if (name.empty()) return Invalid(ref, "empty repository name");
  if (absl::Status s = ValidateName(ref, name); !s.ok()) return s;
  return std::make_pair(std::string(name), std::string(tag));
}

}  // namespace mydocker
