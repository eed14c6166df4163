// mydocker volume create|ls|inspect|rm|prune
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "commands.h"
#include "format.h"
#include "mydocker/views.h"

namespace mydocker::cli {
namespace {

struct VolumeFlags {
  std::vector<std::string> names;
  bool quiet = false;
  bool force = false;
  bool all = false;
};

}  // namespace

void RegisterVolume(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<VolumeFlags>();
  CLI::App* volume = app.add_subcommand("volume", "Manage volumes");
  volume->require_subcommand(1);

  CLI::App* create = volume->add_subcommand("create", "Create a volume");
  create->add_option("name", flags->names, "Volume name (default: a random one)")->expected(0, 1);
  create->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    std::string name = flags->names.empty() ? NewContainerId() : flags->names[0];
    auto v = rt->volumes().Ensure(name);
    if (!v.ok()) return ctx.Fail(v.status(), 1);
    std::cout << v->name << "\n";
  });

  CLI::App* ls = volume->add_subcommand("ls", "List volumes");
  ls->alias("list");
  ls->add_flag("-q,--quiet", flags->quiet, "Only display volume names");
  ls->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto volumes = rt->volumes().List();
    if (!volumes.ok()) return ctx.Fail(volumes.status(), 1);
    Table table({"DRIVER", "VOLUME NAME"});
    for (const Volume& v : *volumes) {
      if (flags->quiet) {
        std::cout << v.name << "\n";
      } else {
        table.Add({"local", v.name});
      }
    }
    if (!flags->quiet) std::cout << table.Render();
  });

  CLI::App* inspect = volume->add_subcommand("inspect", "Show volumes as JSON");
  inspect->add_option("names", flags->names, "Volumes")->required();
  inspect->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    std::vector<std::string> out;
    for (const std::string& name : flags->names) {
      auto v = rt->volumes().Get(name);
      if (v.ok()) {
        out.push_back(views::VolumeInspect(*v, views::JsonStyle::kIndented));
      } else {
        ctx.Fail(v.status(), 1);
      }
    }
    std::cout << views::Array(out, views::JsonStyle::kIndented) << "\n";
  });

  CLI::App* prune = volume->add_subcommand("prune", "Remove unused anonymous volumes");
  prune->add_flag("-a,--all", flags->all, "Remove named volumes no container uses too");
  prune->add_flag("-f,--force", flags->force, "Do not prompt (there is no prompt)");
  prune->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    auto removed = rt->PruneVolumes(flags->all);
    if (!removed.ok()) return ctx.Fail(removed.status(), 1);
    if (!removed->empty()) std::cout << "Deleted Volumes:\n";
    for (const std::string& name : *removed) std::cout << name << "\n";
  });

  CLI::App* rm = volume->add_subcommand("rm", "Remove volumes");
  rm->alias("remove");
  rm->add_flag("-f,--force", flags->force, "Remove even if a container uses it");
  rm->add_option("names", flags->names, "Volumes")->required();
  rm->callback([&ctx, flags] {
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    for (const std::string& name : flags->names) {
      absl::Status s = rt->RemoveVolume(name, flags->force);
      if (s.ok()) {
        std::cout << name << "\n";
      } else {
        ctx.Fail(s, 1);
      }
    }
  });
}

}  // namespace mydocker::cli
