// Docker's command-line conventions on top of CLI11: the command line is checked before CLI11
// parses it (unknown commands and flags are refused with Docker's messages, -flag=value forms
// are normalised), and help pages start with Docker's usage line. Unit-tested in
// cli_parse_test.cc.
#ifndef MYDOCKER_TOOLS_CLI_PARSE_H_
#define MYDOCKER_TOOLS_CLI_PARSE_H_

#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/string_view.h"

namespace mydocker::cli {

// Levenshtein distance between a and b.
size_t EditDistance(absl::string_view a, absl::string_view b);

// The names close to `typed` (at most 2 edits, 1 for words of 3 letters or fewer, or starting
// with it), closest first.
std::vector<std::string> Suggestions(const std::string& typed,
                                     const std::vector<std::string>& names);

// What CLI11 is given, or why the command line is refused.
struct Preparsed {
  std::vector<std::string> args;  // argv, normalised
  // Non-empty: the lines to print on stderr before exiting with status 125.
  std::string error;
  bool no_command = false;  // nothing but global flags: print the usage
  // A group of commands named without one of its commands (`mydocker network`): print its
  // usage and exit 0, as Docker does.
  CLI::App* group_help = nullptr;
};

// Checks and normalises argv (argv[0] included) against the commands registered in `app`:
// - an unknown command: "mydocker: 'pss' is not a mydocker command." (with suggestions);
// - an unknown flag: "unknown flag: --foo" / "unknown shorthand flag: 'z' in -z", then
//   "See 'mydocker run --help'.";
// - the tutorial's -name, -mem, -cpu and -cpuset (also with =VALUE) become their long forms,
//   -m=20m becomes -m 20m, and --name= gives the option an empty value.
// - `mydocker help [COMMAND...]` is `mydocker [COMMAND...] --help`;
// Flags are looked at up to the first positional argument of a command that passes the rest on
// (run IMAGE ..., exec CONTAINER ...), everywhere up to "--" for the others.
Preparsed Preparse(CLI::App& app, std::vector<std::string> args);

// "See 'mydocker image ls --help'.\n" for the command `path` ("image ls"; empty: the top level).
std::string SeeHelp(const std::string& path);

// "image ls": the path of the deepest subcommand CLI11 selected.
std::string CommandPath(const CLI::App& app);

// Help pages in Docker's style: "Usage:  mydocker run [OPTIONS] IMAGE [COMMAND] [ARG...]".
// Install it on the top-level app before adding subcommands (they inherit it).
class DockerFormatter : public CLI::Formatter {
 public:
  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override;
  std::string make_usage(const CLI::App* app, std::string name) const override;

 private:
  friend void SetUsage(CLI::App* cmd, const std::string& usage);
  friend std::string UsageLine(const CLI::App& app);
  std::map<const CLI::App*, std::string> usages_;  // set by SetUsage
};

// The usage line of `cmd` after its name: "[OPTIONS] IMAGE [COMMAND] [ARG...]". Without one,
// it is made from the options, positionals and subcommands. `cmd` must use a DockerFormatter.
void SetUsage(CLI::App* cmd, const std::string& usage);

// The usage line DockerFormatter prints for `app`, without "Usage:  " and the newline.
std::string UsageLine(const CLI::App& app);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_CLI_PARSE_H_
