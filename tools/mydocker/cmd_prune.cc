// mydocker container prune, image prune [-a], system prune [-a] [--volumes], system df [-v]:
// Docker's housekeeping. There is no prompt to answer: -f/--force is accepted for scripts
// written for Docker.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "cli_util.h"
#include "commands.h"
#include "format.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"
#include "template/formatter.h"

namespace mydocker::cli {

namespace {

struct PruneFlags {
  bool force = false;
  bool all = false;
  bool volumes = false;
  bool verbose = false;
  std::string format;
  std::vector<std::string> filters;
};

void Print(const PruneReport& p) {
  std::string out;
  auto section = [&out](const char* title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    absl::StrAppend(&out, title, "\n", absl::StrJoin(items, "\n"), "\n\n");
  };
  section("Deleted Containers:", p.containers);
  section("Deleted Networks:", p.networks);
  section("Deleted Volumes:", p.volumes);
  section("Deleted Images:", p.images);
  absl::StrAppend(&out, "Total reclaimed space: ", HumanSize(p.reclaimed), "\n");
  std::cout << out;
}

// Parses --filter, opens the runtime and runs `prune`; prints what it removed.
void RunPrune(
    Context& ctx, const PruneFlags& flags,
    const std::function<absl::Status(Runtime&, const PruneFilters&, PruneReport*)>& prune) {
  auto filter = PruneFilters::Parse(flags.filters);
  if (!filter.ok()) return ctx.Fail(filter.status(), ExitCodeOf(filter.status()));
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return;
  PruneReport pruned;
  absl::Status s = prune(*rt, *filter, &pruned);
  Print(pruned);
  if (!s.ok()) ctx.Fail(s, 1);
}

CLI::App* AddPrune(CLI::App& parent, const std::string& description, PruneFlags& flags) {
  CLI::App* cmd = parent.add_subcommand("prune", description);
  cmd->add_flag("-f,--force", flags.force, "Do not prompt for confirmation (there is no prompt)");
  cmd->add_option("--filter", flags.filters, "Filter (until=TIME, label=K[=V], label!=K[=V])")
      ->allow_extra_args(false);
  return cmd;
}

// --- system df --------------------------------------------------------------------------

struct Usage {
  std::string type;
  DiskUsage::Summary counts;
  bool percent = true;
};

std::string Reclaimable(const Usage& u) {
  const DiskUsage::Summary& c = u.counts;
  if (!u.percent || c.size <= 0) return HumanSize(c.reclaimable);
  return absl::StrCat(HumanSize(c.reclaimable), " (", c.reclaimable * 100 / c.size, "%)");
}

absl::Status SystemDf(Context& ctx, Runtime& rt, const PruneFlags& flags,
                      tmpl::ListFormatter& formatter) {
  MYDOCKER_ASSIGN_OR_RETURN(DiskUsage du, rt.GetDiskUsage());
  std::vector<Usage> rows = {{"Images", du.images},
                             {"Containers", du.containers},
                             {"Local Volumes", du.volumes},
                             {"Build Cache", {}, /*percent=*/false}};
  if (!formatter.is_default()) {
    std::vector<tmpl::Value> values;
    for (const Usage& u : rows) {
      using tmpl::Value;
      values.push_back(
          Value::Struct("diskUsage", {{"Active", Value::String(absl::StrCat(u.counts.active))},
                                      {"Reclaimable", Value::String(Reclaimable(u))},
                                      {"Size", Value::String(HumanSize(u.counts.size))},
                                      {"TotalCount", Value::String(absl::StrCat(u.counts.total))},
                                      {"Type", Value::String(u.type)}}));
    }
    PrintFormatted(ctx, formatter, values,
                   tmpl::HeaderMap({{"Type", "TYPE"},
                                    {"TotalCount", "TOTAL"},
                                    {"Active", "ACTIVE"},
                                    {"Size", "SIZE"},
                                    {"Reclaimable", "RECLAIMABLE"}}));
    return absl::OkStatus();
  }
  if (!flags.verbose) {
    Table table({"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
    for (const Usage& u : rows) {
      table.Add({u.type, absl::StrCat(u.counts.total), absl::StrCat(u.counts.active),
                 HumanSize(u.counts.size), Reclaimable(u)});
    }
    std::cout << table.Render();
    return absl::OkStatus();
  }
  absl::Time now = absl::Now();
  Table it({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "CONTAINERS"});
  for (const DiskUsage::ImageUsage& iu : du.image_list) {
    const Image& image = iu.image;
    std::vector<std::string> tags =
        image.tags.empty() ? std::vector<std::string>{"<none>:<none>"} : image.tags;
    for (const std::string& t : tags) {
      size_t colon = t.rfind(':');
      it.Add({t.substr(0, colon), t.substr(colon + 1), views::DisplayImageId(image.id, false),
              absl::StrCat(HumanDuration(now - image.created), " ago"), HumanSize(image.size),
              absl::StrCat(iu.containers)});
    }
  }
  Table ct({"CONTAINER ID", "IMAGE", "COMMAND", "SIZE", "CREATED", "STATUS", "NAMES"});
  for (const DiskUsage::ContainerUsage& cu : du.container_list) {
    const ContainerState& s = cu.state;
    std::string cmd = absl::StrJoin(s.command, " ");
    if (cmd.size() > 20) cmd = cmd.substr(0, 19) + "…";
    ct.Add({s.id.substr(0, 12), s.image, absl::StrCat("\"", cmd, "\""), HumanSize(cu.size),
            absl::StrCat(HumanDuration(now - s.created), " ago"), views::StatusText(s, now),
            s.name});
  }
  Table vt({"VOLUME NAME", "LINKS", "SIZE"});
  for (const DiskUsage::VolumeUsage& vu : du.volume_list) {
    vt.Add({vu.volume.name, absl::StrCat(vu.links), HumanSize(vu.size)});
  }
  std::cout << "Images space usage:\n\n"
            << it.Render() << "\nContainers space usage:\n\n"
            << ct.Render() << "\nLocal Volumes space usage:\n\n"
            << vt.Render() << "\nBuild cache usage: 0B\n";
  return absl::OkStatus();
}

}  // namespace

void RegisterContainerPrune(CLI::App& container, Context& ctx) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* cmd = AddPrune(container, "Remove all stopped containers", *flags);
  cmd->callback([&ctx, flags] {
    RunPrune(ctx, *flags, [](Runtime& rt, const PruneFilters& f, PruneReport* out) {
      return rt.PruneContainers(f, out);
    });
  });
}

void RegisterImagePrune(CLI::App& image, Context& ctx) {
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* cmd = AddPrune(image, "Remove unused images", *flags);
  cmd->add_flag("-a,--all", flags->all, "Remove all unused images, not just dangling ones");
  cmd->callback([&ctx, flags] {
    RunPrune(ctx, *flags, [&flags](Runtime& rt, const PruneFilters& f, PruneReport* out) {
      return rt.PruneImages(flags->all, f, out);
    });
  });
}

void RegisterSystem(CLI::App& app, Context& ctx) {
  CLI::App* system = app.add_subcommand("system", "Manage mydocker");
  system->require_subcommand(1);
  auto flags = std::make_shared<PruneFlags>();
  CLI::App* df = system->add_subcommand("df", "Show disk usage");
  df->add_flag("-v,--verbose", flags->verbose, "Show detailed information on space usage");
  AddListFormat(*df, flags->format);
  df->callback([&ctx, flags] {
    auto formatter = ParseListFormat(ctx, flags->format);
    if (!formatter) return;
    Runtime* rt = ctx.OpenRuntime();
    if (rt == nullptr) return;
    if (absl::Status s = SystemDf(ctx, *rt, *flags, *formatter); !s.ok()) ctx.Fail(s, 1);
  });
  CLI::App* prune = AddPrune(*system, "Remove unused data", *flags);
  prune->add_flag("-a,--all", flags->all, "Remove all unused images not just dangling ones");
  prune->add_flag("--volumes", flags->volumes, "Prune anonymous volumes");
  prune->callback([&ctx, flags] {
    RunPrune(ctx, *flags, [&flags](Runtime& rt, const PruneFilters& f, PruneReport* out) {
      return rt.PruneSystem({flags->all, flags->volumes, f}, out);
    });
  });
  RegisterInfo(*system, ctx);
  RegisterEvents(*system, ctx);
}

}  // namespace mydocker::cli
