#include "cli_parse.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mydocker::cli {

size_t EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> Suggestions(const std::string& typed,
                                     const std::vector<std::string>& names) {
  // At most 2 edits, and fewer for short words ("cp" is not a near miss of "ps").
  size_t most = std::clamp<size_t>(typed.size() / 2, 1, 2);
  std::vector<std::pair<size_t, std::string>> close;
  for (const std::string& name : names) {
    size_t d = EditDistance(typed, name);
    if (d <= most || (!typed.empty() && absl::StartsWith(name, typed))) close.emplace_back(d, name);
  }
  std::stable_sort(close.begin(), close.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (auto& [d, name] : close) out.push_back(std::move(name));
  return out;
}

namespace {
const std::string kSelf = "mydocker";
}  // namespace

std::string SeeHelp(const std::string& path) {
  return absl::StrCat("See '", kSelf, path.empty() ? "" : " ", path, " --help'.\n");
}

namespace {

std::vector<CLI::App*> Subcommands(CLI::App& app) {
  return app.get_subcommands([](CLI::App* sub) { return !sub->get_name().empty(); });
}

CLI::App* FindSubcommand(CLI::App& app, const std::string& name) {
  for (CLI::App* sub : Subcommands(app)) {
    if (sub->check_name(name)) return sub;
  }
  return nullptr;
}

std::string UnknownCommand(CLI::App& parent, const std::string& path) {
  std::vector<std::string> names;
  for (CLI::App* sub : Subcommands(parent)) {
    names.push_back(sub->get_name());
    for (const std::string& alias : sub->get_aliases()) names.push_back(alias);
  }
  std::string typed = path.substr(path.rfind(' ') + 1);
  std::string out = absl::StrCat(kSelf, ": '", path, "' is not a ", kSelf, " command.\n");
  std::vector<std::string> close = Suggestions(typed, names);
  if (!close.empty())
    absl::StrAppend(&out, "Did you mean this?\n\t", absl::StrJoin(close, "\n\t"), "\n");
  return absl::StrCat(out, "See '", kSelf, " --help'\n");
}

// The tutorial's single-dash long flags.
const std::pair<const char*, const char*> kAliases[] = {{"-name", "--name"},
                                                        {"-mem", "--memory"},
                                                        {"-cpu", "--cpu-shares"},
                                                        {"-cpuset", "--cpuset-cpus"}};

// Rewrites one flag of `cmd` into one or two arguments (see Preparse).
std::vector<std::string> Normalize(CLI::App& cmd, const std::string& arg) {
  size_t eq = arg.find('=');
  std::string name = arg.substr(0, eq);
  for (const auto& [from, to] : kAliases) {
    if (name == from) name = to;
  }
  if (eq == std::string::npos) return {name};
  std::string value = arg.substr(eq + 1);
  bool one_letter = name.size() == 2 && name[1] != '-';
  // A boolean given a value by its letter (Docker's `commit -p=false`): its long form takes it.
  const CLI::Option* opt = one_letter ? cmd.get_option_no_throw(name) : nullptr;
  if (opt != nullptr && opt->get_items_expected_max() == 0 && !opt->get_lnames().empty()) {
    return {absl::StrCat("--", opt->get_lnames()[0], "=", value)};
  }
  if (one_letter || value.empty()) return {name, value};  // -m=20m, --name=
  return {absl::StrCat(name, "=", value)};
}

// Steps over the flag args[i] (already normalised) of `cmd`: returns the index after it and its
// value, or sets `error`.
size_t SkipFlag(CLI::App& cmd, const std::vector<std::string>& args, size_t i,
                const std::string& path, std::string* error) {
  const std::string& arg = args[i];
  auto takes_value = [](const CLI::Option* opt) { return opt->get_items_expected_max() > 0; };
  if (absl::StartsWith(arg, "--")) {
    std::string name = arg.substr(0, arg.find('='));
    const CLI::Option* opt = cmd.get_option_no_throw(name);
    if (opt == nullptr) {
      *error = absl::StrCat("unknown flag: ", name, "\n", SeeHelp(path));
      return i;
    }
    return i + (takes_value(opt) && name.size() == arg.size() ? 2 : 1);
  }
  for (size_t k = 1; k < arg.size(); ++k) {  // a cluster of short flags: -it, -dp 80:80
    const CLI::Option* opt = cmd.get_option_no_throw(std::string("-") + arg[k]);
    if (opt == nullptr) {
      *error = absl::StrCat("unknown shorthand flag: '", std::string(1, arg[k]), "' in ", arg, "\n",
                            SeeHelp(path));
      return i;
    }
    if (takes_value(opt)) return i + (k + 1 == arg.size() ? 2 : 1);
  }
  return i + 1;
}

bool IsFlag(const std::string& arg) { return arg.size() > 1 && arg[0] == '-'; }

// The global flags, which take a value: --root DIR, --storage-driver=NAME.
bool IsGlobalFlag(const std::string& arg) {
  for (absl::string_view flag : {"--root", "--storage-driver"}) {
    if (arg == flag || absl::StartsWith(arg, absl::StrCat(flag, "="))) return true;
  }
  return false;
}

}  // namespace

Preparsed Preparse(CLI::App& app, std::vector<std::string> args) {
  Preparsed out;
  size_t first = 1;  // Docker's `help [COMMAND]`, after the global flags
  while (first < args.size() && IsGlobalFlag(args[first])) {
    first += args[first].find('=') == std::string::npos ? 2 : 1;
  }
  if (first < args.size() && args[first] == "help") {
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(first));
    args.push_back("--help");
  }
  if (!args.empty()) out.args.push_back(args[0]);
  CLI::App* cmd = &app;
  std::string path;  // "image ls"
  bool command_named = false;
  bool other_flag = false;  // --help, --version: not a bare `mydocker`
  size_t i = 1;
  auto copy_rest = [&] { out.args.insert(out.args.end(), args.begin() + i, args.end()); };
  while (i < args.size()) {
    if (args[i] == "--") break;
    if (IsFlag(args[i])) {
      std::vector<std::string> normal = Normalize(*cmd, args[i]);
      args.erase(args.begin() + i);
      args.insert(args.begin() + i, normal.begin(), normal.end());
      size_t next = SkipFlag(*cmd, args, i, path, &out.error);
      if (!out.error.empty()) return out;
      other_flag = other_flag || cmd != &app || !IsGlobalFlag(args[i]);
      next = std::min(next, args.size());
      out.args.insert(out.args.end(), args.begin() + i, args.begin() + next);
      i = next;
      continue;
    }
    if (!Subcommands(*cmd).empty()) {
      CLI::App* sub = FindSubcommand(*cmd, args[i]);
      path = path.empty() ? args[i] : absl::StrCat(path, " ", args[i]);
      if (sub == nullptr) {
        if (cmd->get_require_subcommand_min() == 0) break;
        out.error = UnknownCommand(*cmd, path);
        return out;
      }
      cmd = sub;
      command_named = true;
      out.args.push_back(args[i++]);
      continue;
    }
    if (cmd->get_prefix_command()) break;  // the rest is the container's command
    out.args.push_back(args[i++]);
  }
  copy_rest();
  out.no_command = !command_named && !other_flag && i == args.size();
  if (command_named && !other_flag && i == args.size() && cmd->get_require_subcommand_min() > 0) {
    out.group_help = cmd;
  }
  return out;
}

std::string CommandPath(const CLI::App& app) {
  std::string path;
  const CLI::App* cmd = &app;
  while (!cmd->get_subcommands().empty()) {
    cmd = cmd->get_subcommands().front();
    path = path.empty() ? cmd->get_name() : absl::StrCat(path, " ", cmd->get_name());
  }
  return path;
}

namespace {

// "CONTAINER [CONTAINER...]" for a positional option named "containers".
std::string PositionalUsage(const CLI::Option& opt) {
  std::string name = absl::AsciiStrToUpper(opt.get_name());
  bool many = opt.get_items_expected_max() > 1;
  if (many && absl::EndsWith(name, "S")) name.pop_back();
  std::string usage = many ? absl::StrCat(name, " [", name, "...]") : name;
  return opt.get_required() ? usage : absl::StrCat("[", usage, "]");
}

}  // namespace

void SetUsage(CLI::App* cmd, const std::string& usage) {
  auto formatter = std::dynamic_pointer_cast<DockerFormatter>(cmd->get_formatter());
  if (formatter != nullptr) formatter->usages_[cmd] = usage;
}

std::string UsageLine(const CLI::App& app) {
  std::string path;
  for (const CLI::App* a = &app; a != nullptr; a = a->get_parent()) {
    path = path.empty() ? a->get_name() : absl::StrCat(a->get_name(), " ", path);
  }
  auto formatter = std::dynamic_pointer_cast<DockerFormatter>(app.get_formatter());
  if (formatter != nullptr) {
    auto it = formatter->usages_.find(&app);
    if (it != formatter->usages_.end()) return absl::StrCat(path, " ", it->second);
  }
  bool has_commands = app.get_require_subcommand_min() > 0;
  // Docker's groups of commands (image, network) show no options.
  bool options = !has_commands || app.get_parent() == nullptr;
  std::string line = options ? absl::StrCat(path, " [OPTIONS]") : path;
  auto positionals = app.get_options([](const CLI::Option* o) { return o->get_positional(); });
  for (const CLI::Option* opt : positionals) absl::StrAppend(&line, " ", PositionalUsage(*opt));
  if (has_commands) absl::StrAppend(&line, " COMMAND");
  return line;
}

std::string DockerFormatter::make_help(const CLI::App* app, std::string name,
                                       CLI::AppFormatMode mode) const {
  if (mode == CLI::AppFormatMode::Sub) return make_expanded(app);
  // Docker's order: the usage line first, then the description.
  return absl::StrCat(make_usage(app, name), "\n", make_description(app), make_positionals(app),
                      make_groups(app, mode), make_subcommands(app, mode), "\n", make_footer(app));
}

std::string DockerFormatter::make_usage(const CLI::App* app, std::string /*name*/) const {
  return absl::StrCat("Usage:  ", UsageLine(*app), "\n");
}

}  // namespace mydocker::cli
