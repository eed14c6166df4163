// Docker's --filter KEY=VALUE: values of one key are alternatives, different keys must all
// match; `label` values must all match. Shared by ps, images, volume ls, events and prune; what a
// key means is each command's.
#ifndef MYDOCKER_FILTERS_H_
#define MYDOCKER_FILTERS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker {

class Filters {
 public:
  // Parses the --filter arguments, each "KEY=VALUE" (the key case-insensitive, blanks around
  // both dropped). Errors carry Docker's exit status (ExitCodeOf): 125 and Docker's flag error
  // for one without '=' (`invalid argument "x" for "-f, --filter" flag: bad format of filter
  // (expected name=value)`); 1 and "invalid filter 'KEY'" for a key not in `accepted`.
  static absl::StatusOr<Filters> Parse(const std::vector<std::string>& specs,
                                       const std::vector<std::string>& accepted);

  bool empty() const { return values_.empty(); }
  bool Has(absl::string_view key) const { return values_.count(std::string(key)) > 0; }
  // The values given for `key`, in order (empty if none).
  const std::vector<std::string>& Values(absl::string_view key) const;

  // Docker's Match: true without values for `key`; else a value equal to `source` or a regular
  // expression (ECMAScript, searched anywhere in `source`) that matches it. A value that is not
  // a valid expression matches only itself.
  bool Match(absl::string_view key, absl::string_view source) const;

  // Docker's label match: every value of `key` ("k", or "k=v") is among `labels` (with that
  // value); true without values.
  bool MatchLabels(absl::string_view key, const std::map<std::string, std::string>& labels) const;

  // Every value of `key` is one of `allowed`; else 1 and "invalid filter 'KEY=VALUE'".
  absl::Status CheckValues(absl::string_view key, const std::vector<std::string>& allowed) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

// "invalid filter 'KEY=VALUE'" with exit status 1, as Docker's daemon says it.
absl::Status InvalidFilter(absl::string_view key, absl::string_view value);

}  // namespace mydocker

#endif  // MYDOCKER_FILTERS_H_
