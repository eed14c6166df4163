// mydocker top CONTAINER  (the processes of the container's cgroup, host pids, like Docker's)
#include <pwd.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "commands.h"
#include "format.h"
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

}  // namespace

void RegisterTop(CLI::App& app, Context& ctx) {
  auto ref = std::make_shared<std::string>();
  CLI::App* top = app.add_subcommand("top", "Display the running processes of a container");
  top->add_option("container", *ref, "Container")->required();
  top->callback([&ctx, ref] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto container = rt->Get(*ref);
    auto processes = container.ok() ? (*container)->Top() : container.status();
    if (!processes.ok()) {
      ctx.Fail(processes.status(), 1);
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
