#include "cli_util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker::cli {

std::optional<tmpl::ListFormatter> ParseListFormat(Context& ctx, const std::string& format) {
  auto formatter = tmpl::ListFormatter::Create(format);
  if (!formatter.ok()) {
    ctx.Fail(formatter.status(), 1);
    return std::nullopt;
  }
  return *std::move(formatter);
}

void AddListFormat(CLI::App& cmd, std::string& format) {
  cmd.add_option("--format", format,
                 "Format output: table, table TEMPLATE, json or a Go template (docs/templates.md)");
}

bool PrintFormatted(Context& ctx, tmpl::ListFormatter& formatter,
                    const std::vector<tmpl::Value>& rows, const tmpl::Value& header) {
  for (const tmpl::Value& row : rows) {
    if (absl::Status s = formatter.Add(row); !s.ok()) {
      ctx.Fail(s, 1);
      return false;
    }
  }
  std::cout << formatter.Finish(header);
  return true;
}

int ForEachContainer(Context& ctx, const std::vector<std::string>& refs,
                     const std::function<absl::Status(Container&)>& action) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  // An error for one container does not stop the others; the exit status says one failed.
  for (const std::string& ref : refs) {
    auto container = rt->Get(ref);
    absl::Status s = container.ok() ? action(**container) : container.status();
    if (s.ok()) {
      std::cout << ref << "\n";
    } else {
      ctx.Fail(s, 1);
    }
  }
  return ctx.exit_code;
}

CLI::App* AddContainersCommand(CLI::App& app, Context& ctx, const std::string& name,
                               const std::string& description,
                               std::function<absl::Status(Container&)> action,
                               std::function<absl::Status()> check) {
  auto containers = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(name, description);
  cmd->add_option("containers", *containers, "Containers")->required();
  cmd->callback([&ctx, containers, action = std::move(action), check = std::move(check)] {
    if (check) {
      absl::Status s = check();
      if (!s.ok()) return ctx.Fail(s, 1);
    }
    ctx.exit_code = ForEachContainer(ctx, *containers, action);
  });
  return cmd;
}

std::unique_ptr<Container> GetContainerOrFail(Context& ctx, const std::string& ref) {
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return nullptr;
  auto container = rt->Get(ref);
  if (!container.ok()) {
    ctx.Fail(container.status(), 1);
    return nullptr;
  }
  return std::move(*container);
}

CLI::App* AddContainersCommandWithTimeout(
    CLI::App& app, Context& ctx, const std::string& name, const std::string& description,
    std::function<absl::Status(Container&, std::optional<absl::Duration>)> action) {
  auto seconds = std::make_shared<std::optional<int>>();
  CLI::App* cmd = AddContainersCommand(app, ctx, name, description,
                                       [seconds, action = std::move(action)](Container& c) {
                                         std::optional<absl::Duration> timeout;
                                         if (seconds->has_value())
                                           timeout = absl::Seconds(**seconds);
                                         return action(c, timeout);
                                       });
  cmd->add_option("-t,--time", *seconds,
                  "Seconds to wait before killing (default: the container's --stop-timeout, 10)")
      ->check(CLI::NonNegativeNumber);
  return cmd;
}

absl::Status WriteArchive(const std::string& output, const std::string& on_terminal,
                          const std::function<absl::Status(int)>& write) {
  if (output.empty()) {
    if (::isatty(STDOUT_FILENO)) return absl::InvalidArgumentError(on_terminal);
    return write(STDOUT_FILENO);
  }
  std::string temp = output + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd) return LastErrnoError(absl::StrCat("create ", output));
  absl::Status status = write(fd.get());
  if (status.ok() && ::fchmod(fd.get(), 0644) != 0) status = LastErrnoError("chmod " + temp);
  if (status.ok() && ::rename(temp.c_str(), output.c_str()) != 0) {
    status = LastErrnoError(absl::StrCat("rename ", temp, " to ", output));
  }
  if (!status.ok()) ::unlink(temp.c_str());
  return status;
}

namespace {

// The command's list of options, which CLI::App keeps protected.
struct OptionsOf : CLI::App {
  static std::vector<CLI::Option_p>& Get(CLI::App& app) { return app.*(&OptionsOf::options_); }
};

}  // namespace

void OptionBatch::Park() {
  std::vector<CLI::Option_p>& options = OptionsOf::Get(*app_);
  for (CLI::Option_p& option : options) parked_.push_back(std::move(option));
  options.clear();
}

OptionBatch::~OptionBatch() {
  Park();
  OptionsOf::Get(*app_) = std::move(parked_);
}

}  // namespace mydocker::cli
