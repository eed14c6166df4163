#include "inspect_print.h"

#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "mydocker/network_store.h"
#include "template/formatter.h"
#include "template/template.h"
#include "template/value.h"

namespace mydocker::cli {

namespace {

// Docker's exit status for an inspect template that does not parse.
constexpr int kTemplateParseExit = 64;

// Docker's order when no type is given.
const char* const kTypes[] = {"container", "image", "network", "volume"};

absl::StatusOr<InspectDocument> Lookup(Runtime& rt, const std::string& type, const std::string& ref,
                                       views::JsonStyle style) {
  if (type == "container") {
    auto container = rt.Get(ref);
    if (!container.ok()) return container.status();
    auto state = (*container)->State();
    if (!state.ok()) return state.status();
    auto config = (*container)->Config();
    if (!config.ok()) return config.status();
    return InspectDocument{
        views::ContainerInspect(*state, *config, style, (*container)->Networks()), type};
  }
  if (type == "image") {
    auto image = rt.images().Resolve(ref);
    if (!image.ok()) return image.status();
    auto config = rt.images().ConfigJson(*image);
    if (!config.ok()) return config.status();
    return InspectDocument{views::ImageInspect(*image, *config, style), type};
  }
  if (type == "network") {
    network::NetworkStore store(rt.state().root());
    auto r = store.Get(ref);
    if (!r.ok()) return r.status();
    return InspectDocument{
        views::NetworkInspect(*r, store.Users(r->name).value_or(std::vector<std::string>{}), style),
        type};
  }
  auto v = rt.volumes().Get(ref);
  if (!v.ok()) return v.status();
  return InspectDocument{views::VolumeInspect(*v, style), type};
}

}  // namespace

void PrintInspect(Context& ctx, const std::vector<std::string>& refs, const std::string& format,
                  const InspectLookup& lookup) {
  std::optional<tmpl::Template> tmpl;
  if (!format.empty() && format != "json") {
    auto parsed = tmpl::Template::Parse(format);
    if (!parsed.ok())
      return ctx.Fail(tmpl::TemplateParsingError(parsed.status()), kTemplateParseExit);
    tmpl = *std::move(parsed);
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return;
  views::JsonStyle style =
      format.empty() ? views::JsonStyle::kIndented : views::JsonStyle::kCompact;
  std::vector<std::string> documents;
  std::string out;
  for (const std::string& ref : refs) {
    auto doc = lookup(ref, style);
    if (!doc.ok()) {
      ctx.Fail(doc.status(), 1);
      continue;
    }
    if (!tmpl) {
      documents.push_back(std::move(doc->json));
      continue;
    }
    auto data = tmpl::ValueFromJson(doc->json, tmpl::DockerMapKeys(), doc->kind);
    size_t before = out.size();
    absl::Status s = data.ok() ? tmpl->Execute(*data, &out) : data.status();
    if (!s.ok()) {
      out.resize(before);
      ctx.Fail(tmpl::TemplateParsingError(s), 1);
      continue;
    }
    out.push_back('\n');
  }
  if (!tmpl) {
    std::cout << views::Array(documents, style) << "\n";
  } else {
    // As Docker: nothing printed is still one empty line.
    std::cout << (out.empty() ? "\n" : out);
  }
}

InspectLookup InspectLookupFor(Context& ctx, const std::string& type) {
  return [&ctx, type](const std::string& ref,
                      views::JsonStyle style) -> absl::StatusOr<InspectDocument> {
    Runtime* rt = ctx.OpenRuntime();
    if (!type.empty()) return Lookup(*rt, type, ref, style);
    // The first kind that has the name, as Docker looks; only "not found" (or a name that
    // cannot be an image's, a network's or a volume's) moves on: a container whose record is
    // damaged says so.
    for (const char* kind : kTypes) {
      auto doc = Lookup(*rt, kind, ref, style);
      bool skip = absl::IsNotFound(doc.status()) ||
                  (absl::IsInvalidArgument(doc.status()) && std::string(kind) != "container");
      if (doc.ok() || !skip) return doc;
    }
    return absl::NotFoundError(absl::StrCat("no such object: ", ref));
  };
}

void AddInspectFormat(CLI::App& cmd, std::string& format) {
  cmd.add_option("-f,--format", format,
                 "Format the output using the given Go template, or json (docs/templates.md)");
}

}  // namespace mydocker::cli
