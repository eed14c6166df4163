// runc's command line: global flags, then a command, its flags and its arguments. Flags may be
// written -name or --name, with the value as the next argument or after "=".
#ifndef MYDOCKER_RUNC_ARGS_H_
#define MYDOCKER_RUNC_ARGS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mydocker::runc {

struct FlagSpec {
  std::set<std::string> with_value;  // "root", "bundle", ...
  std::set<std::string> boolean;     // "debug", "force", ...
};

struct Parsed {
  std::map<std::string, std::string> values;  // boolean flags as "true"; the last value given
  std::map<std::string, std::vector<std::string>> lists;  // every value of a flag, in order
  std::vector<std::string> args;                          // what follows the flags
  bool Has(const std::string& flag) const { return values.count(flag) != 0; }
  // Every value given for `flag` and for `alias` ("env" and "e"), in the order given.
  std::vector<std::string> All(const std::string& flag, const std::string& alias = "") const;
  std::string Get(const std::string& flag, const std::string& fallback = "") const {
    auto it = values.find(flag);
    return it == values.end() ? fallback : it->second;
  }
};

// Parses argv[from..] up to the first argument that is not a flag (or after "--").
// InvalidArgument "flag provided but not defined: -x" for an unknown flag.
absl::StatusOr<Parsed> ParseFlags(const std::vector<std::string>& argv, size_t from,
                                  const FlagSpec& spec, size_t* next);

}  // namespace mydocker::runc

#endif  // MYDOCKER_RUNC_ARGS_H_
