// Views of images and volumes: `docker image inspect`, `docker images --format json`,
// `docker volume inspect`.
#include <cmath>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mydocker/views.h"
#include "rapidjson/document.h"
#include "views/view_json.h"

namespace mydocker::views {
namespace {

constexpr size_t kShortIdLength = 12;

// Copies a member of the stored image configuration as it is (Config keeps Env, Cmd,
// ExposedPorts, Labels, ... whatever the image carries).
void Copy(json::Writer& w, const rapidjson::Document& config, const char* from, const char* to) {
  if (!config.IsObject()) return;
  auto it = config.FindMember(from);
  if (it == config.MemberEnd()) return;
  json::Key(w, to);
  it->value.Accept(w);
}

void WriteConfigFromRecord(json::Writer& w, const ImageConfig& c) {
  json::Key(w, "Config");
  w.StartObject();
  json::KeyStringArray(w, "Env", c.env);
  json::KeyStringArray(w, "Cmd", c.cmd);
  json::KeyStringArray(w, "Entrypoint", c.entrypoint);
  json::KeyString(w, "WorkingDir", c.working_dir);
  json::KeyString(w, "User", c.user);
  json::Key(w, "ExposedPorts");
  w.StartObject();
  for (const std::string& port : c.exposed_ports) {
    json::Key(w, port);
    w.StartObject();
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
}

}  // namespace

std::string HumanSize(int64_t bytes) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1000 && unit + 1 < std::size(kUnits)) {
    v /= 1000;
    ++unit;
  }
  // Docker prints three significant digits, without trailing zeros.
  return absl::StrCat(absl::StrFormat("%.3g", v), kUnits[unit]);
}

std::string ImageInspect(const Image& image, absl::string_view config_json, JsonStyle style) {
  // The stored document was checked (depth, duplicate keys) when the image came in.
  rapidjson::Document config;
  if (!config_json.empty()) {
    config.Parse<rapidjson::kParseIterativeFlag>(config_json.data(), config_json.size());
  }
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::KeyString(w, "Id", image.id);
  json::KeyStringArray(w, "RepoTags", image.tags);
  json::KeyStringArray(w, "RepoDigests", image.digests);
  json::KeyString(w, "Created", FormatRfc3339(image.created));
  Copy(w, config, "author", "Author");
  Copy(w, config, "architecture", "Architecture");
  Copy(w, config, "os", "Os");
  json::Key(w, "Size");
  w.Int64(image.size);
  if (config_json.empty()) {
    WriteConfigFromRecord(w, image.config);
  } else {
    Copy(w, config, "config", "Config");
  }
  json::Key(w, "RootFS");
  w.StartObject();
  json::KeyString(w, "Type", "layers");
  json::KeyStringArray(w, "Layers", image.layers);
  w.EndObject();
  w.EndObject();
  return Styled(buf, style);
}

std::string DisplayImageId(absl::string_view id, bool no_trunc) {
  if (no_trunc) return std::string(id);
  size_t colon = id.find(':');
  return std::string(id.substr(colon == absl::string_view::npos ? 0 : colon + 1, kShortIdLength));
}

std::string ImageSummary(const Image& image, absl::string_view repository, absl::string_view tag,
                         absl::Time now, bool no_trunc) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::KeyString(w, "ID", DisplayImageId(image.id, no_trunc));
  json::KeyString(w, "Repository", repository);
  json::KeyString(w, "Tag", tag);
  json::KeyString(w, "CreatedAt", FormatRfc3339(image.created));
  json::KeyString(w, "CreatedSince", absl::StrCat(HumanDuration(now - image.created), " ago"));
  json::KeyString(w, "Size", HumanSize(image.size));
  json::Key(w, "Layers");
  w.Uint64(image.layers.size());
  w.EndObject();
  return Styled(buf, JsonStyle::kCompact);
}

std::string VolumeInspect(const Volume& v, JsonStyle style) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::KeyString(w, "Name", v.name);
  json::KeyString(w, "Driver", "local");
  json::KeyString(w, "Mountpoint", v.mountpoint);
  json::KeyString(w, "CreatedAt", FormatRfc3339(v.created));
  json::Key(w, "Anonymous");
  w.Bool(v.anonymous);
  json::KeyObject(w, "Labels", [&] {
    for (const auto& [key, value] : v.labels) json::KeyString(w, key, value);
  });
  json::KeyString(w, "Scope", "local");
  w.EndObject();
  return Styled(buf, style);
}

}  // namespace mydocker::views
