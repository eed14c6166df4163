// mydocker logs [-f] [--tail N] [-t] CONTAINER
#include <unistd.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli_util.h"
#include "commands.h"

namespace mydocker::cli {
namespace {

struct LogsFlags {
  bool follow = false;
  bool timestamps = false;
  std::string tail = "all";
  std::string container;
};

bool WriteOut(FILE* out, absl::string_view text) {
  return std::fwrite(text.data(), 1, text.size(), out) == text.size() && std::fflush(out) == 0;
}

int Logs(Context& ctx, const LogsFlags& flags) {
  LogOptions options;
  options.follow = flags.follow;
  if (flags.tail != "all") {
    size_t n = 0;
    if (!absl::SimpleAtoi(flags.tail, &n)) {
      ctx.Fail(absl::InvalidArgumentError(
                   absl::StrCat("invalid --tail \"", flags.tail, "\": want a number or \"all\"")),
               1);
      return ctx.exit_code;
    }
    options.tail = n;
  }
  std::unique_ptr<Container> container = GetContainerOrFail(ctx, flags.container);
  if (container == nullptr) return ctx.exit_code;
  // Each stream goes back where it came from, so `2>/dev/null` works as with the container.
  absl::Status s = container->Logs(options, [&](const LogEntry& e) {
    FILE* out = e.stream == "stderr" ? stderr : stdout;
    std::string line = flags.timestamps ? absl::StrCat(FormatRfc3339(e.time), " ", e.text) : e.text;
    return WriteOut(out, line);
  });
  if (!s.ok()) ctx.Fail(s, 1);
  return ctx.exit_code;
}

}  // namespace

void RegisterLogs(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<LogsFlags>();
  CLI::App* logs = app.add_subcommand("logs", "Fetch the logs of a container");
  logs->add_flag("-f,--follow", flags->follow, "Follow log output until the container ends");
  logs->add_flag("-t,--timestamps", flags->timestamps, "Show timestamps");
  logs->add_option("-n,--tail", flags->tail, "Number of lines to show from the end (default all)");
  logs->add_option("container", flags->container, "Container")->required();
  logs->callback([&ctx, flags] { ctx.exit_code = Logs(ctx, *flags); });
}

}  // namespace mydocker::cli
