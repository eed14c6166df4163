// Helpers that several commands share. A helper used by one command stays in that command's file.
#ifndef MYDOCKER_TOOLS_CLI_UTIL_H_
#define MYDOCKER_TOOLS_CLI_UTIL_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "context.h"
#include "mydocker/container.h"
#include "mydocker/container_state.h"
#include "template/formatter.h"

namespace mydocker::cli {

// Applies `action` to each container named in `refs`, printing the name on success; an error
// for one does not stop the others and makes the exit status 1.
int ForEachContainer(Context& ctx, const std::vector<std::string>& refs,
                     const std::function<absl::Status(Container&)>& action);

// A list command's --format (template/formatter.h), parsed before anything runs; nullopt after
// failing `ctx` (status 1, as Docker's for a template that does not parse).
std::optional<tmpl::ListFormatter> ParseListFormat(Context& ctx, const std::string& format);

// Adds --format to a list command (the forms ListFormatter takes).
void AddListFormat(CLI::App& cmd, std::string& format);

// Prints `rows` through `formatter` (not the default table), a table with `header`; if the
// template fails on a row nothing is printed and `ctx` fails with status 1. False then.
bool PrintFormatted(Context& ctx, tmpl::ListFormatter& formatter,
                    const std::vector<tmpl::Value>& rows, const tmpl::Value& header);

// Adds the subcommand `name` taking one or more containers and returns it, for the command's
// own options. When it runs, `check` (if given) comes first: its error is reported with exit
// status 1 and no container is touched; then ForEachContainer applies `action`. Both run after
// parsing, so they may read the variables the options fill.
CLI::App* AddContainersCommand(CLI::App& app, Context& ctx, const std::string& name,
                               const std::string& description,
                               std::function<absl::Status(Container&)> action,
                               std::function<absl::Status()> check = nullptr);

// Writes an archive with `write`: into `output` through a file beside it renamed into place
// (a failure leaves nothing under that name), or, when `output` is empty, to stdout unless that
// is a terminal (InvalidArgument `on_terminal` then). save and export.
absl::Status WriteArchive(const std::string& output, const std::string& on_terminal,
                          const std::function<absl::Status(int)>& write);

// The container `ref` names, or nullptr after failing `ctx` (status 1).
std::unique_ptr<Container> GetContainerOrFail(Context& ctx, const std::string& ref);

// AddContainersCommand with -t,--time SECONDS, how long a container gets to stop before it is
// killed, which `action` receives (stop, restart); nullopt without -t (the container's own
// --stop-timeout, else 10 s).
CLI::App* AddContainersCommandWithTimeout(
    CLI::App& app, Context& ctx, const std::string& name, const std::string& description,
    std::function<absl::Status(Container&, std::optional<absl::Duration>)> action);

// Adds options to a command in linear time. CLI11 2.1.2's add_option compares each new option
// with every option the command already has, copying both name lists for each comparison: for
// `run`'s ~100 options that was about a tenth of a `run` client's CPU. A batch keeps the options
// it has added out of the command's list while it adds more, so each add_option compares with
// nothing, and puts them all back, in order, when it ends. Between its construction and its end
// nothing may use the command but the batch. Repeated names are then not refused here: a unit
// test checks that no command repeats one (app_test.cc).
class OptionBatch {
 public:
  explicit OptionBatch(CLI::App* app) : app_(app) { Park(); }
  ~OptionBatch();
  OptionBatch(const OptionBatch&) = delete;
  OptionBatch& operator=(const OptionBatch&) = delete;

  OptionBatch* operator->() { return this; }
  template <typename... Args>
  CLI::Option* add_option(Args&&... args) {
    Park();
    return app_->add_option(std::forward<Args>(args)...);
  }
  template <typename... Args>
  CLI::Option* add_flag(Args&&... args) {
    Park();
    return app_->add_flag(std::forward<Args>(args)...);
  }

 private:
  void Park();  // moves the command's options to the end of parked_

  CLI::App* app_;
  std::vector<CLI::Option_p> parked_;
};

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_CLI_UTIL_H_
