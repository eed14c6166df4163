#include "run_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"

namespace mydocker::cli {

absl::StatusOr<std::vector<std::string>> ResolveEnv(const std::vector<std::string>& entries,
                                                    const EnvLookup& lookup) {
  std::vector<std::string> out;
  for (const std::string& e : entries) {
    size_t eq = e.find('=');
    std::string key = e.substr(0, eq);
    if (key.empty() || key.find_first_of(" \t") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("invalid environment variable \"", e, "\""));
    }
    if (eq != std::string::npos) {
      out.push_back(e);
    } else if (auto value = lookup(key); value.has_value()) {
      out.push_back(absl::StrCat(key, "=", *value));
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ParseEnvFile(const std::string& path,
                                                      absl::string_view content,
                                                      const EnvLookup& lookup) {
  std::vector<std::string> entries;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    std::string entry(trimmed);
    auto resolved = ResolveEnv({entry}, lookup);
    if (!resolved.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_no, ": ", resolved.status().message()));
    }
    entries.insert(entries.end(), resolved->begin(), resolved->end());
  }
  return entries;
}

absl::StatusOr<CreateOptions> BuildCreateOptions(const RunFlags& flags, const EnvLookup& lookup) {
  if (flags.args.empty()) {
    return absl::InvalidArgumentError("\"run\" requires at least 1 argument: IMAGE [COMMAND [ARG...]]");
  }
  CreateOptions o;
  o.image = flags.args[0];
  o.command.assign(flags.args.begin() + 1, flags.args.end());
  o.name = flags.name;
  o.hostname = flags.hostname;
  o.workdir = flags.workdir;
  o.tty = flags.tty;
  o.open_stdin = flags.interactive;
  o.auto_remove = flags.rm;
  o.cgroup_parent = flags.cgroup_parent;
  for (const std::string& file : flags.env_files) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string content, ReadFile(file));
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> entries, ParseEnvFile(file, content, lookup));
    o.env.insert(o.env.end(), entries.begin(), entries.end());
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> env, ResolveEnv(flags.env, lookup));
  o.env.insert(o.env.end(), env.begin(), env.end());
  if (!o.workdir.empty() && o.workdir[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("the working directory \"", o.workdir, "\" is invalid: it needs to be an absolute path"));
  }
  return o;
}

}  // namespace mydocker::cli
