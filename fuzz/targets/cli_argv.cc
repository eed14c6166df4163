// The CLI's argv pre-parser (tools/mydocker/cli_parse.h: unknown commands and flags, the
// tutorial's single-dash forms, -flag=value, `help COMMAND`) over the real command tree. The
// input is argv after "mydocker", its arguments separated by NUL bytes. Nothing is run: CLI11's
// own parse, which would call the commands, is not reached.
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli_parse.h"
#include "commands.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mydocker::cli::Context* ctx = new mydocker::cli::Context();
  static CLI::App* app = [] {
    auto* a = new CLI::App("mydocker: run Linux containers", "mydocker");
    mydocker::cli::BuildApp(*a, *ctx, "mydocker fuzz");
    return a;
  }();
  std::vector<std::string> args = {"mydocker"};
  if (size > 0) {
    for (absl::string_view arg : absl::StrSplit(mydocker::fuzz::Text(data, size), '\0')) {
      args.emplace_back(arg);
    }
  }
  mydocker::cli::Preparse(*app, std::move(args));
  return 0;
}
