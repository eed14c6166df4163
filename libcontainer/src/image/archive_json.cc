#include "image/archive_json.h"

#include "absl/strings/str_cat.h"
#include "json_util.h"
#include "mydocker/status_macros.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mydocker {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
using Value = rapidjson::Value;

absl::Status Malformed(absl::string_view what, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("malformed ", what, ": ", why));
}

absl::Status Parse(rapidjson::Document& doc, absl::string_view json, absl::string_view what) {
  // Iterative: a recursive parser overflows the stack on a few hundred thousand '['.
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Malformed(what, absl::StrCat(rapidjson::GetParseError_En(doc.GetParseError()),
                                        " at offset ", doc.GetErrorOffset()));
  }
  return mydocker::json::CheckStructure(doc, mydocker::json::kMaxForeignDepth,
                                        absl::StrCat("malformed ", what));
}

std::string StringOf(const Value& object, const char* key) {
  if (!object.IsObject()) return "";
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

absl::StatusOr<std::vector<std::string>> StringsOf(const Value& object, const char* key,
                                                   absl::string_view what) {
  std::vector<std::string> out;
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return out;
  if (!it->value.IsArray()) return Malformed(what, absl::StrCat(key, " is not an array"));
  for (const Value& v : it->value.GetArray()) {
    if (!v.IsString()) return Malformed(what, absl::StrCat(key, " holds a non-string"));
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

absl::StatusOr<Descriptor> ParseDescriptor(const Value& v, absl::string_view what) {
  if (!v.IsObject()) return Malformed(what, "a descriptor is not an object");
  Descriptor d;
  d.media_type = StringOf(v, "mediaType");
  d.digest = StringOf(v, "digest");
  if (d.digest.empty()) return Malformed(what, "a descriptor has no digest");
  auto size = v.FindMember("size");
  if (size != v.MemberEnd()) {
    if (!size->value.IsInt64() || size->value.GetInt64() < 0) {
      return Malformed(what, "a descriptor's size is not a non-negative integer");
    }
    d.size = size->value.GetInt64();
  }
  auto annotations = v.FindMember("annotations");
  if (annotations != v.MemberEnd() && annotations->value.IsObject()) {
    for (const auto& a : annotations->value.GetObject()) {
      if (!a.value.IsString()) continue;
      d.annotations[a.name.GetString()] =
          std::string(a.value.GetString(), a.value.GetStringLength());
    }
  }
  auto platform = v.FindMember("platform");
  if (platform != v.MemberEnd()) {
    d.os = StringOf(platform->value, "os");
    d.architecture = StringOf(platform->value, "architecture");
    d.variant = StringOf(platform->value, "variant");
  }
  return d;
}

absl::StatusOr<std::vector<Descriptor>> ParseDescriptors(const Value& object, const char* key,
                                                         absl::string_view what) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsArray()) {
    return Malformed(what, absl::StrCat("no ", key, " array"));
  }
  std::vector<Descriptor> out;
  for (const Value& v : it->value.GetArray()) {
    MYDOCKER_ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(v, what));
    out.push_back(std::move(d));
  }
  return out;
}

void WriteString(JsonWriter& w, absl::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void WriteDescriptor(JsonWriter& w, const Descriptor& d) {
  w.StartObject();
  w.Key("mediaType");
  WriteString(w, d.media_type);
  w.Key("digest");
  WriteString(w, d.digest);
  w.Key("size");
  w.Int64(d.size);
  if (!d.annotations.empty()) {
    w.Key("annotations");
    w.StartObject();
    for (const auto& [key, value] : d.annotations) {
      WriteString(w, key);
      WriteString(w, value);
    }
    w.EndObject();
  }
  w.EndObject();
}

void WriteStrings(JsonWriter& w, const char* key, const std::vector<std::string>& values) {
  w.Key(key);
  w.StartArray();
  for (const std::string& v : values) WriteString(w, v);
  w.EndArray();
}

std::string Done(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

// An image manifest or index: a list of descriptors under `key`, and a config for a manifest.
std::string SerializeDocument(const char* media_type, const char* key,
                              const std::vector<Descriptor>& list, const Descriptor* config) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("schemaVersion");
  w.Int(2);
  w.Key("mediaType");
  w.String(media_type);
  if (config != nullptr) {
    w.Key("config");
    WriteDescriptor(w, *config);
  }
  w.Key(key);
  w.StartArray();
  for (const Descriptor& d : list) WriteDescriptor(w, d);
  w.EndArray();
  w.EndObject();
  return Done(buffer);
}

}  // namespace

absl::StatusOr<std::vector<Descriptor>> ParseOciIndex(absl::string_view json,
                                                      absl::string_view what) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(Parse(doc, json, what));
  if (!doc.IsObject()) return Malformed(what, "not a json object");
  return ParseDescriptors(doc, "manifests", what);
}

absl::StatusOr<OciManifest> ParseOciManifest(absl::string_view json, absl::string_view what) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(Parse(doc, json, what));
  if (!doc.IsObject()) return Malformed(what, "not a json object");
  auto config = doc.FindMember("config");
  if (config == doc.MemberEnd()) return Malformed(what, "no config");
  OciManifest manifest;
  MYDOCKER_ASSIGN_OR_RETURN(manifest.config, ParseDescriptor(config->value, what));
  MYDOCKER_ASSIGN_OR_RETURN(manifest.layers, ParseDescriptors(doc, "layers", what));
  return manifest;
}

absl::StatusOr<std::vector<DockerManifestEntry>> ParseDockerManifest(absl::string_view json,
                                                                     absl::string_view what) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(Parse(doc, json, what));
  if (!doc.IsArray()) return Malformed(what, "not a json array");
  std::vector<DockerManifestEntry> entries;
  for (const Value& v : doc.GetArray()) {
    if (!v.IsObject()) return Malformed(what, "an entry is not an object");
    DockerManifestEntry entry;
    entry.config = StringOf(v, "Config");
    if (entry.config.empty()) return Malformed(what, "an entry has no Config");
    MYDOCKER_ASSIGN_OR_RETURN(entry.repo_tags, StringsOf(v, "RepoTags", what));
    MYDOCKER_ASSIGN_OR_RETURN(entry.layers, StringsOf(v, "Layers", what));
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string SerializeOciManifest(const OciManifest& manifest) {
  return SerializeDocument(kOciManifestType, "layers", manifest.layers, &manifest.config);
}

std::string SerializeOciIndex(const std::vector<Descriptor>& manifests) {
  return SerializeDocument(kOciIndexType, "manifests", manifests, nullptr);
}

std::string SerializeDockerManifest(const std::vector<DockerManifestEntry>& entries) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  for (const DockerManifestEntry& e : entries) {
    w.StartObject();
    w.Key("Config");
    WriteString(w, e.config);
    WriteStrings(w, "RepoTags", e.repo_tags);
    WriteStrings(w, "Layers", e.layers);
    w.EndObject();
  }
  w.EndArray();
  return Done(buffer);
}

std::string SerializeDockerRepositories(
    const std::map<std::string, std::map<std::string, std::string>>& repositories) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  for (const auto& [name, tags] : repositories) {
    WriteString(w, name);
    w.StartObject();
    for (const auto& [tag, layer] : tags) {
      WriteString(w, tag);
      WriteString(w, layer);
    }
    w.EndObject();
  }
  w.EndObject();
  return Done(buffer);
}

}  // namespace mydocker
