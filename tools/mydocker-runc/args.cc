#include "args.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace mydocker::runc {

std::vector<std::string> Parsed::All(const std::string& flag, const std::string& alias) const {
  std::vector<std::string> out;
  for (const std::string& name : {flag, alias}) {
    auto it = lists.find(name);
    if (!name.empty() && it != lists.end())
      out.insert(out.end(), it->second.begin(), it->second.end());
  }
  return out;
}

absl::StatusOr<Parsed> ParseFlags(const std::vector<std::string>& argv, size_t from,
                                  const FlagSpec& spec, size_t* next) {
  Parsed out;
  size_t i = from;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    std::string name(absl::StripPrefix(absl::StripPrefix(a, "-"), "-"));
    std::string value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    if (spec.boolean.count(name)) {
      out.values[name] = has_value ? value : "true";
    } else if (spec.with_value.count(name)) {
      if (!has_value) {
        if (i + 1 >= argv.size()) {
          return absl::InvalidArgumentError(absl::StrCat("flag needs an argument: -", name));
        }
        value = argv[++i];
      }
      out.values[name] = value;
      out.lists[name].push_back(value);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("flag provided but not defined: -", name));
    }
  }
  *next = i;
  return out;
}

}  // namespace mydocker::runc
