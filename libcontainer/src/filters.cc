#include "mydocker/filters.h"

#include <algorithm>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"

namespace mydocker {

namespace {
const std::vector<std::string> kNoValues;
}  // namespace

absl::Status InvalidFilter(absl::string_view key, absl::string_view value) {
  return WithExitCode(
      absl::InvalidArgumentError(absl::StrCat("invalid filter '", key, "=", value, "'")), 1);
}

absl::StatusOr<Filters> Filters::Parse(const std::vector<std::string>& specs,
                                       const std::vector<std::string>& accepted) {
  Filters f;
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      return WithExitCode(
          absl::InvalidArgumentError(absl::StrCat(
              "invalid argument \"", spec,
              "\" for \"-f, --filter\" flag: bad format of filter (expected name=value)")),
          125);
    }
    std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(spec.substr(0, eq)));
    std::string value(absl::StripAsciiWhitespace(absl::string_view(spec).substr(eq + 1)));
    if (std::find(accepted.begin(), accepted.end(), key) == accepted.end()) {
      return WithExitCode(absl::InvalidArgumentError(absl::StrCat("invalid filter '", key, "'")),
                          1);
    }
    f.values_[key].push_back(std::move(value));
  }
  return f;
}

const std::vector<std::string>& Filters::Values(absl::string_view key) const {
  auto it = values_.find(std::string(key));
  return it == values_.end() ? kNoValues : it->second;
}

bool Filters::Match(absl::string_view key, absl::string_view source) const {
  const std::vector<std::string>& values = Values(key);
  if (values.empty()) return true;
  for (const std::string& v : values) {
    if (v == source) return true;
    try {
      if (std::regex_search(source.begin(), source.end(), std::regex(v))) return true;
    } catch (const std::regex_error&) {
      // Docker skips a value that is not an expression.
    }
  }
  return false;
}

bool Filters::MatchLabels(absl::string_view key,
                          const std::map<std::string, std::string>& labels) const {
  for (const std::string& v : Values(key)) {
    size_t eq = v.find('=');
    auto it = labels.find(v.substr(0, eq));
    if (it == labels.end()) return false;
    if (eq != std::string::npos && it->second != v.substr(eq + 1)) return false;
  }
  return true;
}

absl::Status Filters::CheckValues(absl::string_view key,
                                  const std::vector<std::string>& allowed) const {
  for (const std::string& v : Values(key)) {
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) return InvalidFilter(key, v);
  }
  return absl::OkStatus();
}

}  // namespace mydocker
