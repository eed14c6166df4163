#include "image/layer_sources.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "image/image_json.h"
#include "image/store_files.h"
#include "json_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"

namespace mydocker::layer_sources {
namespace {

constexpr size_t kMaxSources = 32;
constexpr size_t kMaxRecordSize = 64 << 10;

std::string Dir(const std::string& root) { return root + "/distribution/v2metadata-by-diffid"; }

std::string PathOf(const std::string& root, absl::string_view diff_id) {
  return absl::StrCat(Dir(root), "/", store_files::HexOf(diff_id), ".json");
}

std::string Field(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::string Serialize(const std::vector<LayerSource>& sources) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  json::KeyObjectArray(w, "sources", sources, [&](const LayerSource& s) {
    json::KeyString(w, "digest", s.digest);
    json::KeyString(w, "mediaType", s.media_type);
    json::KeyInt(w, "size", s.size);
    json::KeyString(w, "domain", s.domain);
    json::KeyString(w, "repository", s.repository);
  });
  w.EndObject();
  return buffer.GetString();
}

}  // namespace

std::vector<LayerSource> Load(const std::string& root, absl::string_view diff_id) {
  std::vector<LayerSource> out;
  absl::StatusOr<std::string> text = ReadFile(PathOf(root, diff_id));
  rapidjson::Document doc;
  if (!text.ok() || text->size() > kMaxRecordSize ||
      !json::Parse(*text, "layer sources", &doc).ok()) {
    return out;
  }
  auto list = doc.FindMember("sources");
  if (list == doc.MemberEnd() || !list->value.IsArray()) return out;
  for (const rapidjson::Value& v : list->value.GetArray()) {
    if (!v.IsObject()) continue;
    auto size = v.FindMember("size");
    LayerSource s{Field(v, "digest"), Field(v, "mediaType"),
                  size != v.MemberEnd() && size->value.IsInt64() ? size->value.GetInt64() : -1,
                  Field(v, "domain"), Field(v, "repository")};
    if (IsSha256Digest(s.digest) && s.size >= 0 && !s.domain.empty() && !s.repository.empty()) {
      out.push_back(std::move(s));
    }
  }
  return out;
}

absl::Status Add(const std::string& root, absl::string_view diff_id, const LayerSource& source) {
  std::vector<LayerSource> sources = Load(root, diff_id);
  sources.erase(std::remove_if(sources.begin(), sources.end(),
                               [&](const LayerSource& s) {
                                 return s.digest == source.digest && s.domain == source.domain &&
                                        s.repository == source.repository;
                               }),
                sources.end());
  sources.insert(sources.begin(), source);
  if (sources.size() > kMaxSources) sources.resize(kMaxSources);
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(Dir(root), 0700));
  return WriteFileAtomic(PathOf(root, diff_id), Serialize(sources), 0600);
}

std::string OciMediaType(const std::string& media_type) {
  if (media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip") {
    return "application/vnd.oci.image.layer.v1.tar+gzip";
  }
  return media_type;
}

}  // namespace mydocker::layer_sources
