// mydocker logs [-f] [--tail N] [-t] [--details] [--since T] [--until T] CONTAINER
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
  bool details = false;
  std::string tail = "all";
  std::string since;
  std::string until;
  std::string container;
};

bool WriteOut(FILE* out, absl::string_view text) {
  return std::fwrite(text.data(), 1, text.size(), out) == text.size();
}

// --since/--until into `*t`; false (after the message) for a bad value.
bool ParseTimeFlag(Context& ctx, const char* flag, const std::string& value, absl::Time* t) {
  if (value.empty()) return true;
  absl::StatusOr<absl::Time> parsed = ParseLogTime(value, absl::Now());
  if (!parsed.ok()) {
    ctx.Fail(absl::InvalidArgumentError(absl::StrCat(flag, ": ", parsed.status().message())), 1);
    return false;
  }
  *t = *parsed;
  return true;
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
  if (!ParseTimeFlag(ctx, "--since", flags.since, &options.since) ||
      !ParseTimeFlag(ctx, "--until", flags.until, &options.until)) {
    return ctx.exit_code;
  }
  // Output is flushed whenever the log has been read to its current end, not after each line.
  bool write_failed = false;
  options.caught_up = [&] { write_failed |= std::fflush(stdout) != 0 || std::fflush(stderr) != 0; };
  std::unique_ptr<Container> container = GetContainerOrFail(ctx, flags.container);
  if (container == nullptr) return ctx.exit_code;
  // Each stream goes back where it came from, so `2>/dev/null` works as with the container.
  std::string details;  // Docker's: the attributes and a space, even without attributes
  if (flags.details) {
    absl::StatusOr<ContainerConfig> config = container->Config();
    if (!config.ok()) {
      ctx.Fail(config.status(), 1);
      return ctx.exit_code;
    }
    details = LogDetails(*config) + " ";
  }
  absl::Status s = container->Logs(options, [&](const LogEntry& e) {
    FILE* out = e.stream == "stderr" ? stderr : stdout;
    if (write_failed) return false;
    if (!flags.timestamps && details.empty()) return WriteOut(out, e.text);
    std::string time = flags.timestamps ? FormatRfc3339(e.time) + " " : "";
    return WriteOut(out, absl::StrCat(time, details, e.text));
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
  logs->add_flag("--details", flags->details,
                 "Show extra details provided to logs (the labels and env log options name)");
  logs->add_option("-n,--tail", flags->tail, "Number of lines to show from the end (default all)");
  logs->add_option("--since", flags->since,
                   "Show logs since a time (2013-01-02T13:23:37Z, Unix seconds) or for a "
                   "duration before now (42m)");
  logs->add_option("--until", flags->until,
                   "Show logs before a time (2013-01-02T13:23:37Z, Unix seconds) or a duration "
                   "before now (42m)");
  logs->add_option("container", flags->container, "Container")->required();
  logs->callback([&ctx, flags] { ctx.exit_code = Logs(ctx, *flags); });
}

}  // namespace mydocker::cli
