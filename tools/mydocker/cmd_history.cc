// mydocker history [--no-trunc] [-q] [--format TEMPLATE] IMAGE   (alias: image history)
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli_util.h"
#include "commands.h"
#include "format.h"

namespace mydocker::cli {
namespace {

constexpr size_t kCreatedByWidth = 45;

struct HistoryFlags {
  bool no_trunc = false;
  bool quiet = false;
  std::string format;
  std::string image;
};

std::string Truncate(const std::string& text, bool no_trunc) {
  if (no_trunc || text.size() <= kCreatedByWidth) return text;
  return text.substr(0, kCreatedByWidth - 3) + "...";
}

// Docker's table: newest step first; only the top row is an image of its own, the steps below
// show "<missing>" (their intermediate images are not stored).
std::string Render(const Image& image, const std::vector<HistoryEntry>& history,
                   const HistoryFlags& flags) {
  std::string id = flags.no_trunc ? image.id : image.id.substr(7, 12);
  if (flags.quiet) return absl::StrCat(id, "\n");
  absl::Time now = absl::Now();
  Table table({"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"});
  for (size_t i = 0; i < history.size(); ++i) {
    const HistoryEntry& h = history[i];
    table.Add({i == 0 ? id : "<missing>", absl::StrCat(HumanDuration(now - h.created), " ago"),
               Truncate(h.created_by, flags.no_trunc), HumanSize(h.size), h.comment});
  }
  return table.Render();
}

// Docker's history formatting context, in `{{json .}}`'s order.
tmpl::Value TemplateRow(const std::string& id, const HistoryEntry& h, absl::Time now,
                        bool no_trunc) {
  using tmpl::Value;
  return Value::Struct(
      "history",
      {{"Comment", Value::String(h.comment)},
       {"CreatedAt", Value::String(tmpl::GoRfc3339(h.created))},
       {"CreatedBy", Value::String(Truncate(h.created_by, no_trunc))},
       {"CreatedSince", Value::String(absl::StrCat(HumanDuration(now - h.created), " ago"))},
       {"ID", Value::String(id)},
       {"Size", Value::String(HumanSize(h.size))}});
}

const tmpl::Value& HistoryHeader() {
  static const auto* header = new tmpl::Value(tmpl::HeaderMap({{"ID", "IMAGE"},
                                                               {"CreatedSince", "CREATED"},
                                                               {"CreatedAt", "CREATED AT"},
                                                               {"CreatedBy", "CREATED BY"},
                                                               {"Size", "SIZE"},
                                                               {"Comment", "COMMENT"}}));
  return *header;
}

int History(Context& ctx, const HistoryFlags& flags) {
  auto formatter = ParseListFormat(ctx, flags.format);
  if (!formatter) return ctx.exit_code;
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  auto image = rt->images().Resolve(flags.image);
  if (!image.ok()) {
    ctx.Fail(image.status(), 1);
    return ctx.exit_code;
  }
  std::vector<HistoryEntry> history = rt->images().History(*image);
  if (formatter->is_default() || flags.quiet) {
    std::cout << Render(*image, history, flags);
    return 0;
  }
  std::string id = flags.no_trunc ? image->id : image->id.substr(7, 12);
  absl::Time now = absl::Now();
  std::vector<tmpl::Value> rows;
  for (size_t i = 0; i < history.size(); ++i) {
    rows.push_back(TemplateRow(i == 0 ? id : "<missing>", history[i], now, flags.no_trunc));
  }
  PrintFormatted(ctx, *formatter, rows, HistoryHeader());
  return ctx.exit_code;
}

void AddHistory(CLI::App& parent, Context& ctx) {
  auto flags = std::make_shared<HistoryFlags>();
  CLI::App* cmd = parent.add_subcommand("history", "Show the history of an image");
  cmd->add_flag("--no-trunc", flags->no_trunc, "Don't truncate output");
  cmd->add_flag("-q,--quiet", flags->quiet, "Only show the image ID");
  AddListFormat(*cmd, flags->format);
  cmd->add_option("image", flags->image, "Image (NAME[:TAG], ID or ID prefix)")->required();
  cmd->callback([&ctx, flags] { ctx.exit_code = History(ctx, *flags); });
}

}  // namespace

void RegisterHistory(CLI::App& app, CLI::App& image, Context& ctx) {
  AddHistory(app, ctx);
  AddHistory(image, ctx);
}

}  // namespace mydocker::cli
