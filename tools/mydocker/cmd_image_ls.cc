// mydocker image ls [-q] [--no-trunc] [--digests] [--format json|TEMPLATE] [REPOSITORY[:TAG]]
// (alias: images)
#include <fnmatch.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli_util.h"
#include "commands.h"
#include "filters.h"
#include "format.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"

namespace mydocker::cli {
namespace {

// "registry:5000/app:v1" -> {"registry:5000/app", "v1"}; the tag follows the last colon.
std::pair<std::string, std::string> SplitTag(const std::string& tag) {
  size_t colon = tag.rfind(':');
  if (colon == std::string::npos || tag.find('/', colon) != std::string::npos) return {tag, ""};
  return {tag.substr(0, colon), tag.substr(colon + 1)};
}

struct LsFlags {
  bool quiet = false;
  bool no_trunc = false;
  bool digests = false;
  std::string format;
  std::string filter;                // REPOSITORY[:TAG]
  std::vector<std::string> filters;  // --filter KEY=VALUE
};

// The digest a pull recorded for `repository` ("repo@sha256:..."), or "<none>".
std::string DigestOf(const Image& image, const std::string& repository) {
  for (const std::string& ref : image.digests) {
    size_t at = ref.find('@');
    if (ref.compare(0, at, repository) == 0 && at == repository.size()) return ref.substr(at + 1);
  }
  return "<none>";
}

struct ImageRow {
  const Image* image;
  std::string repository;
  std::string tag;
};

// Docker's image filters: dangling=true|false (untagged or not), reference=PATTERN (a glob over
// "repository:tag" or the repository, '*' not crossing '/'), label=K[=V], before=IMAGE and
// since=IMAGE (created before or after it).
class ImageFilter {
 public:
  static absl::StatusOr<ImageFilter> Parse(const std::vector<std::string>& specs) {
    ImageFilter f;
    MYDOCKER_ASSIGN_OR_RETURN(
        f.filters_, Filters::Parse(specs, {"dangling", "reference", "label", "before", "since"}));
    MYDOCKER_RETURN_IF_ERROR(f.filters_.CheckValues("dangling", {"true", "false", "1", "0"}));
    return f;
  }

  // The images before= and since= name (NotFound, status 1, for one that is not there).
  absl::Status Resolve(ImageStore& images) {
    for (const std::string& ref : filters_.Values("before")) {
      auto image = images.Resolve(ref);
      if (!image.ok()) return WithExitCode(image.status(), 1);
      before_ = image->created;
    }
    for (const std::string& ref : filters_.Values("since")) {
      auto image = images.Resolve(ref);
      if (!image.ok()) return WithExitCode(image.status(), 1);
      since_ = image->created;
    }
    return absl::OkStatus();
  }

  bool Matches(const ImageRow& row) const {
    const Image& image = *row.image;
    for (const std::string& v : filters_.Values("dangling")) {
      bool dangling = image.tags.empty();
      if (dangling != (v == "true" || v == "1")) return false;
    }
    const auto& references = filters_.Values("reference");
    if (!references.empty()) {
      if (row.tag == "<none>") return false;
      std::string full = absl::StrCat(row.repository, ":", row.tag);
      bool any = std::any_of(references.begin(), references.end(), [&](const std::string& p) {
        return ::fnmatch(p.c_str(), full.c_str(), FNM_PATHNAME) == 0 ||
               ::fnmatch(p.c_str(), row.repository.c_str(), FNM_PATHNAME) == 0;
      });
      if (!any) return false;
    }
    if (before_ && image.created >= *before_) return false;
    if (since_ && image.created <= *since_) return false;
    return filters_.MatchLabels("label", image.config.labels);
  }

 private:
  Filters filters_;
  std::optional<absl::Time> before_, since_;
};

// One row per tag, like Docker; an untagged image is one "<none>" row. Newest image first.
std::vector<ImageRow> Rows(const std::vector<Image>& images, const std::string& filter) {
  auto [want_repo, want_tag] = SplitTag(filter);
  std::vector<ImageRow> rows;
  for (const Image& image : images) {
    if (image.tags.empty() && filter.empty()) {
      // Untagged: one row, with the repository of a digest reference if it has one.
      std::string repo =
          image.digests.empty() ? "<none>" : image.digests[0].substr(0, image.digests[0].find('@'));
      rows.push_back({&image, repo, "<none>"});
    }
    for (const std::string& t : image.tags) {
      auto [repo, tag] = SplitTag(t);
      if (!filter.empty() && (repo != want_repo || (!want_tag.empty() && tag != want_tag))) {
        continue;
      }
      rows.push_back({&image, repo, tag});
    }
  }
  return rows;
}

// Docker's image formatting context: what `--format` templates see, in `{{json .}}`'s order.
tmpl::Value TemplateRow(const ImageRow& row, absl::Time now, bool no_trunc) {
  using tmpl::Value;
  const Image& image = *row.image;
  Value::Fields fields = {
      {"Containers", Value::String("N/A")},
      {"CreatedAt", Value::String(tmpl::GoTimeString(image.created))},
      {"CreatedSince", Value::String(absl::StrCat(HumanDuration(now - image.created), " ago"))},
      {"Digest", Value::String(DigestOf(image, row.repository))},
      {"ID", Value::String(views::DisplayImageId(image.id, no_trunc))}};
  // Not Docker's: the image's LABELs, as `.Labels` and `.Label "k"` (ps rows have them too).
  tmpl::Methods methods;
  tmpl::AddLabels(image.config.labels, &fields, &methods);
  fields.insert(fields.end(), {{"Repository", Value::String(row.repository)},
                               {"SharedSize", Value::String("N/A")},
                               {"Size", Value::String(HumanSize(image.size))},
                               {"Tag", Value::String(row.tag)},
                               {"UniqueSize", Value::String("N/A")},
                               {"VirtualSize", Value::String(HumanSize(image.size))}});
  return Value::Struct("image", std::move(fields), std::move(methods));
}

const tmpl::Value& ImageLsHeader() {
  static const auto* header = new tmpl::Value(tmpl::HeaderMap({{"ID", "IMAGE ID"},
                                                               {"Repository", "REPOSITORY"},
                                                               {"Tag", "TAG"},
                                                               {"Digest", "DIGEST"},
                                                               {"CreatedSince", "CREATED"},
                                                               {"CreatedAt", "CREATED AT"},
                                                               {"Size", "SIZE"},
                                                               {"Containers", "CONTAINERS"},
                                                               {"SharedSize", "SHARED SIZE"},
                                                               {"UniqueSize", "UNIQUE SIZE"},
                                                               {"VirtualSize", "SIZE"},
                                                               {"Labels", "LABELS"}}));
  return *header;
}

std::string Render(const std::vector<ImageRow>& rows, const LsFlags& flags) {
  absl::Time now = absl::Now();
  std::string out;
  if (flags.quiet) {
    std::set<std::string> seen;
    for (const ImageRow& row : rows) {
      std::string id = views::DisplayImageId(row.image->id, flags.no_trunc);
      if (seen.insert(id).second) absl::StrAppend(&out, id, "\n");
    }
    return out;
  }
  if (flags.format == "json") {
    for (const ImageRow& row : rows)
      absl::StrAppend(&out,
                      views::ImageSummary(*row.image, row.repository, row.tag, now, flags.no_trunc),
                      "\n");
    return out;
  }
  std::vector<std::string> header = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"};
  if (flags.digests) header.insert(header.begin() + 2, "DIGEST");
  Table table(header);
  for (const ImageRow& row : rows) {
    std::vector<std::string> cells = {
        row.repository, row.tag, views::DisplayImageId(row.image->id, flags.no_trunc),
        absl::StrCat(HumanDuration(now - row.image->created), " ago"), HumanSize(row.image->size)};
    if (flags.digests) cells.insert(cells.begin() + 2, DigestOf(*row.image, row.repository));
    table.Add(cells);
  }
  return table.Render();
}

int Ls(Context& ctx, const LsFlags& flags) {
  // "json" keeps the library's summary (ImageSummary); any other --format is a template.
  auto formatter = ParseListFormat(ctx, flags.format == "json" ? "" : flags.format);
  if (!formatter) return ctx.exit_code;
  auto filter = ImageFilter::Parse(flags.filters);
  if (!filter.ok()) {
    ctx.Fail(filter.status(), ExitCodeOf(filter.status()));
    return ctx.exit_code;
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return ctx.exit_code;
  if (absl::Status s = filter->Resolve(rt->images()); !s.ok()) {
    ctx.Fail(s, ExitCodeOf(s));
    return ctx.exit_code;
  }
  auto images = rt->images().List();
  if (!images.ok()) {
    ctx.Fail(images.status(), 1);
    return ctx.exit_code;
  }
  std::vector<ImageRow> rows;
  for (ImageRow& row : Rows(*images, flags.filter)) {
    if (filter->Matches(row)) rows.push_back(std::move(row));
  }
  if (formatter->is_default() || flags.quiet) {
    std::cout << Render(rows, flags);
    return 0;
  }
  absl::Time now = absl::Now();
  std::vector<tmpl::Value> values;
  for (const ImageRow& row : rows) values.push_back(TemplateRow(row, now, flags.no_trunc));
  PrintFormatted(ctx, *formatter, values, ImageLsHeader());
  return ctx.exit_code;
}

}  // namespace

void RegisterImageLs(CLI::App& parent, const std::string& name, Context& ctx) {
  auto flags = std::make_shared<LsFlags>();
  CLI::App* cmd = parent.add_subcommand(name, "List images");
  cmd->add_flag("-q,--quiet", flags->quiet, "Only show image IDs");
  cmd->add_flag("--no-trunc", flags->no_trunc, "Don't truncate output");
  cmd->add_flag("--digests", flags->digests, "Show digests");
  AddListFormat(*cmd, flags->format);
  cmd->add_option("-f,--filter", flags->filters,
                  "Filter (dangling=true|false, reference=PATTERN, label=K[=V], before=IMAGE, "
                  "since=IMAGE)")
      ->allow_extra_args(false);
  cmd->add_option("reference", flags->filter, "Only images of REPOSITORY[:TAG]");
  cmd->callback([&ctx, flags] { ctx.exit_code = Ls(ctx, *flags); });
  if (name == "ls") cmd->alias("list");
}

}  // namespace mydocker::cli
