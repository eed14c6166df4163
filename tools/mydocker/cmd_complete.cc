// mydocker __complete containers|images|volumes|networks: the names the shell completions
// (docgen.h) offer at run time, one a line, from the state root the command line names. Hidden:
// not in --help, the man pages or the completions themselves.
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "mydocker/network.h"
#include "mydocker/network_store.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker::cli {
namespace {

absl::Status PrintNames(Runtime& rt, const std::string& kind) {
  if (kind == "containers") {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<ListedRecord> all, rt.ListRecords(true));
    for (const ListedRecord& r : all) std::cout << r.state.name << "\n";
  } else if (kind == "images") {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<Image> all, rt.images().List());
    for (const Image& image : all) {
      for (const std::string& tag : image.tags) std::cout << tag << "\n";
    }
  } else if (kind == "volumes") {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<Volume> all, rt.volumes().List());
    for (const Volume& v : all) std::cout << v.name << "\n";
  } else if (kind == "networks") {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<NetworkRecord> all,
                              network::NetworkStore(rt.state().root()).List());
    for (const NetworkRecord& r : all) std::cout << r.name << "\n";
  } else {
    return absl::InvalidArgumentError(
        "__complete: containers, images, volumes or networks, not \"" + kind + "\"");
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterComplete(CLI::App& app, Context& ctx) {
  CLI::App* cmd = app.add_subcommand(kCompleteCommand, "Names for shell completion");
  cmd->group("");  // hidden
  auto kind = std::make_shared<std::string>();
  cmd->add_option("kind", *kind, "containers, images, volumes or networks")->required();
  cmd->callback([&ctx, kind] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    if (absl::Status s = PrintNames(*rt, *kind); !s.ok()) ctx.Fail(s, 1);
  });
}

}  // namespace mydocker::cli
