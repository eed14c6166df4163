// mydocker top CONTAINER [ps OPTIONS]  (the processes of the container's cgroup, host pids, like
// Docker's; with options, the host's `ps OPTIONS` cut to the container's processes)
#include <pwd.h>

#include <iostream>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli_parse.h"
#include "commands.h"
#include "format.h"
#include "ps_output.h"
#include "usage_format.h"

namespace mydocker::cli {

namespace {

// The host's name for a uid, as `ps` on the host shows it; the number if it has none.
std::string UserName(uint32_t uid) {
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return absl::StrCat(uid);
}

int TopWithPsArgs(Context& ctx, const std::vector<std::string>& args,
                  const std::vector<ProcessInfo>& processes) {
  if (absl::Status s = CheckPsArgs(args); !s.ok()) {
    ctx.Fail(s, 1);
    return ctx.exit_code;
  }
  auto output = RunPs(args);
  std::set<int> pids;
  for (const ProcessInfo& p : processes) pids.insert(p.pid);
  auto rows = output.ok() ? FilterPsOutput(*output, pids) : output.status();
  if (!rows.ok()) {
    ctx.Fail(rows.status(), 1);
    return ctx.exit_code;
  }
  Table table((*rows)[0]);
  for (size_t i = 1; i < rows->size(); ++i) table.Add((*rows)[i]);
  std::cout << table.Render();
  return 0;
}

}  // namespace

void RegisterTop(CLI::App& app, Context& ctx) {
  auto ref = std::make_shared<std::string>();
  CLI::App* top = app.add_subcommand("top", "Display the running processes of a container");
  SetUsage(top, "CONTAINER [ps OPTIONS]");
  top->add_option("container", *ref, "Container")->required();
  top->prefix_command();  // everything after CONTAINER goes to ps (-o pid,comm; aux; ...)
  top->callback([&ctx, ref, top] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto container = rt->Get(*ref);
    auto processes = container.ok() ? (*container)->Top() : container.status();
    if (!processes.ok()) {
      ctx.Fail(processes.status(), 1);
      return;
    }
    std::vector<std::string> args = top->remaining();
    if (!args.empty()) {
      ctx.exit_code = TopWithPsArgs(ctx, args, *processes);
      return;
    }
    Table table({"UID", "PID", "PPID", "STAT", "TIME", "CMD"});
    for (const ProcessInfo& p : *processes) {
      table.Add({UserName(p.uid), absl::StrCat(p.pid), absl::StrCat(p.ppid),
                 std::string(1, p.state), FormatCpuTime(p.cpu_seconds), p.command});
    }
    std::cout << table.Render();
  });
}

}  // namespace mydocker::cli
