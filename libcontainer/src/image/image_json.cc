#include "image/image_json.h"

#include <nettle/sha2.h>

#include <algorithm>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "json_util.h"
#include "mydocker/status_macros.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mydocker {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// Go's time.RFC3339Nano in UTC, as Docker writes it.
constexpr char kTimeFormat[] = "%Y-%m-%dT%H:%M:%E*SZ";

void WriteString(JsonWriter& w, absl::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void WriteStrings(JsonWriter& w, absl::string_view key, const std::vector<std::string>& values) {
  WriteString(w, key);
  w.StartArray();
  for (const std::string& v : values) WriteString(w, v);
  w.EndArray();
}

// Docker's set form, {"80/tcp": {}, ...}; nothing when empty.
void WriteKeySet(JsonWriter& w, absl::string_view key, const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  WriteString(w, key);
  w.StartObject();
  for (const std::string& k : keys) {
    WriteString(w, k);
    w.StartObject();
    w.EndObject();
  }
  w.EndObject();
}

void WriteRunConfig(JsonWriter& w, const ImageConfig& config) {
  w.StartObject();
  WriteStrings(w, "Env", config.env);
  if (!config.cmd.empty()) WriteStrings(w, "Cmd", config.cmd);
  if (!config.entrypoint.empty()) WriteStrings(w, "Entrypoint", config.entrypoint);
  if (!config.working_dir.empty()) {
    w.Key("WorkingDir");
    WriteString(w, config.working_dir);
  }
  if (!config.user.empty()) {
    w.Key("User");
    WriteString(w, config.user);
  }
  if (!config.stop_signal.empty()) {
    w.Key("StopSignal");
    WriteString(w, config.stop_signal);
  }
  if (config.healthcheck) {
    w.Key("Healthcheck");
    std::string check = HealthConfigToJson(*config.healthcheck);
    w.RawValue(check.data(), check.size(), rapidjson::kObjectType);
  }
  WriteKeySet(w, "ExposedPorts", config.exposed_ports);
  WriteKeySet(w, "Volumes", config.volumes);
  if (!config.labels.empty()) {
    w.Key("Labels");
    w.StartObject();
    for (const auto& [key, value] : config.labels) {
      WriteString(w, key);
      WriteString(w, value);
    }
    w.EndObject();
  }
  w.EndObject();
}

absl::Status Malformed(absl::string_view path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("malformed image record ", path, ": ", why));
}

absl::Status ParseDocument(rapidjson::Document& doc, absl::string_view json,
                           absl::string_view path) {
  // Iterative: a recursive parser overflows the stack on a few hundred thousand '['.
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return Malformed(path, absl::StrCat(rapidjson::GetParseError_En(doc.GetParseError()),
                                        " at offset ", doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Malformed(path, "not a json object");
  // Bounded here, where configs come in, because ExtendImageConfig and `image inspect` write
  // them back out recursively.
  return mydocker::json::CheckStructure(doc, mydocker::json::kMaxForeignDepth,
                                        absl::StrCat("malformed image record ", path));
}

// Reads an optional array of strings; anything else there is an error.
absl::Status ReadStrings(const rapidjson::Value& object, const char* key,
                         std::vector<std::string>* out, absl::string_view path) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return absl::OkStatus();
  if (!it->value.IsArray()) return Malformed(path, absl::StrCat(key, " is not an array"));
  for (const auto& v : it->value.GetArray()) {
    if (!v.IsString()) return Malformed(path, absl::StrCat(key, " holds a non-string"));
    out->emplace_back(v.GetString(), v.GetStringLength());
  }
  return absl::OkStatus();
}

std::string ReadString(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// Docker's Healthcheck object; null or absent: none.
absl::Status ReadHealthcheck(const rapidjson::Value& config, ImageConfig* out,
                             absl::string_view path) {
  auto it = config.FindMember("Healthcheck");
  if (it == config.MemberEnd() || it->value.IsNull()) return absl::OkStatus();
  if (!it->value.IsObject()) return Malformed(path, "Healthcheck is not an object");
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  it->value.Accept(w);
  absl::StatusOr<HealthConfig> check = HealthConfigFromJson({buf.GetString(), buf.GetSize()});
  if (!check.ok()) return Malformed(path, check.status().message());
  out->healthcheck = *check;
  return absl::OkStatus();
}

// The keys of Docker's set form ({"80/tcp": {}}); anything but an object there is ignored, as
// Docker ignores it.
void ReadKeySet(const rapidjson::Value& config, const char* key, std::vector<std::string>* out) {
  auto set = config.FindMember(key);
  if (set == config.MemberEnd() || !set->value.IsObject()) return;
  for (const auto& m : set->value.GetObject()) {
    out->emplace_back(m.name.GetString(), m.name.GetStringLength());
  }
}

// "Labels": {"key": "value"}; null or absent: none.
absl::Status ReadLabels(const rapidjson::Value& config, ImageConfig* out, absl::string_view path) {
  auto labels = config.FindMember("Labels");
  if (labels == config.MemberEnd() || labels->value.IsNull()) return absl::OkStatus();
  if (!labels->value.IsObject()) return Malformed(path, "Labels is not an object");
  for (const auto& m : labels->value.GetObject()) {
    if (!m.value.IsString()) return Malformed(path, "Labels holds a non-string");
    out->labels[std::string(m.name.GetString(), m.name.GetStringLength())] =
        std::string(m.value.GetString(), m.value.GetStringLength());
  }
  return absl::OkStatus();
}

absl::Status ParseRunConfig(const rapidjson::Value& config, ImageConfig* out,
                            absl::string_view path) {
  if (!config.IsObject()) return Malformed(path, "config.config is not an object");
  MYDOCKER_RETURN_IF_ERROR(ReadStrings(config, "Env", &out->env, path));
  MYDOCKER_RETURN_IF_ERROR(ReadStrings(config, "Cmd", &out->cmd, path));
  MYDOCKER_RETURN_IF_ERROR(ReadStrings(config, "Entrypoint", &out->entrypoint, path));
  out->working_dir = ReadString(config, "WorkingDir");
  out->user = ReadString(config, "User");
  out->stop_signal = ReadString(config, "StopSignal");
  MYDOCKER_RETURN_IF_ERROR(ReadHealthcheck(config, out, path));
  ReadKeySet(config, "ExposedPorts", &out->exposed_ports);
  ReadKeySet(config, "Volumes", &out->volumes);
  return ReadLabels(config, out, path);
}

// An optional RFC 3339 time; absent or null is the Unix epoch (OCI makes "created" optional).
absl::Status ReadTime(const rapidjson::Value& object, const char* key, absl::Time* out,
                      absl::string_view path) {
  *out = absl::UnixEpoch();
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || it->value.IsNull()) return absl::OkStatus();
  std::string text = ReadString(object, key);
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, out, &error)) {
    return Malformed(path, absl::StrCat("bad ", key, " time \"", text, "\": ", error));
  }
  return absl::OkStatus();
}

absl::Status ParseHistory(const rapidjson::Value& config, Image* image, absl::string_view path) {
  auto history = config.FindMember("history");
  if (history == config.MemberEnd() || !history->value.IsArray()) return absl::OkStatus();
  for (const auto& item : history->value.GetArray()) {
    if (!item.IsObject()) return Malformed(path, "a history entry is not an object");
    HistoryEntry entry;
    MYDOCKER_RETURN_IF_ERROR(ReadTime(item, "created", &entry.created, path));
    entry.created_by = ReadString(item, "created_by");
    entry.comment = ReadString(item, "comment");
    auto empty = item.FindMember("empty_layer");
    entry.empty_layer =
        empty != item.MemberEnd() && empty->value.IsBool() && empty->value.GetBool();
    image->history.push_back(std::move(entry));
  }
  return absl::OkStatus();
}

absl::Status ParseConfig(const rapidjson::Value& config, Image* image, absl::string_view path) {
  if (!config.IsObject()) return Malformed(path, "config is not an object");
  MYDOCKER_RETURN_IF_ERROR(ReadTime(config, "created", &image->created, path));
  MYDOCKER_RETURN_IF_ERROR(ParseHistory(config, image, path));
  auto rootfs = config.FindMember("rootfs");
  if (rootfs == config.MemberEnd() || !rootfs->value.IsObject()) {
    return Malformed(path, "no rootfs");
  }
  MYDOCKER_RETURN_IF_ERROR(ReadStrings(rootfs->value, "diff_ids", &image->layers, path));
  if (image->layers.empty()) return Malformed(path, "no layers");
  for (const std::string& layer : image->layers) {
    if (!IsSha256Digest(layer)) {
      return Malformed(path, absl::StrCat("bad diff id \"", absl::CHexEscape(layer), "\""));
    }
  }
  auto run = config.FindMember("config");
  if (run == config.MemberEnd() || run->value.IsNull()) return absl::OkStatus();
  return ParseRunConfig(run->value, &image->config, path);
}

}  // namespace

#if defined(__x86_64__)
const char kImageArchitecture[] = "amd64";
#elif defined(__aarch64__)
const char kImageArchitecture[] = "arm64";
#else
const char kImageArchitecture[] = "unknown";
#endif

bool IsSha256Digest(absl::string_view digest) {
  if (digest.size() != 71 || digest.substr(0, 7) != "sha256:") return false;
  return std::all_of(digest.begin() + 7, digest.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string Sha256Digest(absl::string_view data) {
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_init(&ctx);
  sha256_update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
  sha256_digest(&ctx, sizeof digest, digest);
  return absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(digest), sizeof digest)));
}

std::string SerializeImageConfig(const Image& image, absl::string_view comment) {
  std::string created = absl::FormatTime(kTimeFormat, image.created, absl::UTCTimeZone());
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("architecture");
  w.String(kImageArchitecture);
  w.Key("config");
  WriteRunConfig(w, image.config);
  w.Key("created");
  WriteString(w, created);
  w.Key("history");
  w.StartArray();
  w.StartObject();
  w.Key("created");
  WriteString(w, created);
  w.Key("comment");
  WriteString(w, comment);
  w.EndObject();
  w.EndArray();
  w.Key("os");
  w.String("linux");
  w.Key("rootfs");
  w.StartObject();
  w.Key("type");
  w.String("layers");
  WriteStrings(w, "diff_ids", image.layers);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string SerializeImageRecord(const Image& image, absl::string_view config_json) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("id");
  WriteString(w, image.id);
  w.Key("size");
  w.Int64(image.size);
  w.Key("config");
  WriteString(w, config_json);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<std::string> RecordConfigJson(absl::string_view json, absl::string_view path) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(ParseDocument(doc, json, path));
  auto config = doc.FindMember("config");
  if (config == doc.MemberEnd()) return Malformed(path, "no config");
  if (config->value.IsString()) return ReadString(doc, "config");
  if (!config->value.IsObject()) return Malformed(path, "config is neither a string nor an object");
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  config->value.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::Status ValidateRunConfig(const ImageConfig& config, absl::string_view path) {
  auto check = [&](absl::string_view key, const std::vector<std::string>& values) {
    for (const std::string& v : values) {
      if (v.find('\0') != std::string::npos) {
        return Malformed(path, absl::StrCat(key, " holds \"", absl::CHexEscape(v.substr(0, 64)),
                                            "\", with a NUL byte"));
      }
    }
    return absl::OkStatus();
  };
  MYDOCKER_RETURN_IF_ERROR(check("Env", config.env));
  MYDOCKER_RETURN_IF_ERROR(check("Cmd", config.cmd));
  MYDOCKER_RETURN_IF_ERROR(check("Entrypoint", config.entrypoint));
  MYDOCKER_RETURN_IF_ERROR(check("WorkingDir", {config.working_dir}));
  MYDOCKER_RETURN_IF_ERROR(check("Volumes", config.volumes));
  for (const auto& [key, value] : config.labels) {
    MYDOCKER_RETURN_IF_ERROR(check("Labels", {key, value}));
  }
  return check("User", {config.user});
}

absl::Status ParseImageConfig(absl::string_view config_json, Image* image, absl::string_view path) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(ParseDocument(doc, config_json, path));
  return ParseConfig(doc, image, path);
}

absl::StatusOr<Image> ParseImageRecord(absl::string_view json, absl::string_view path) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(ParseDocument(doc, json, path));
  Image image;
  image.id = ReadString(doc, "id");
  if (!IsSha256Digest(image.id)) {
    return Malformed(path, absl::StrCat("bad id \"", absl::CHexEscape(image.id), "\""));
  }
  auto size = doc.FindMember("size");
  if (size != doc.MemberEnd() && size->value.IsInt64()) image.size = size->value.GetInt64();
  MYDOCKER_ASSIGN_OR_RETURN(std::string config, RecordConfigJson(json, path));
  MYDOCKER_RETURN_IF_ERROR(ParseImageConfig(config, &image, path));
  return image;
}

absl::StatusOr<std::string> ExtendImageConfig(absl::string_view parent, absl::string_view diff_id,
                                              absl::Time created, absl::string_view created_by,
                                              absl::string_view comment) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(ParseDocument(doc, parent, "parent image config"));
  auto& a = doc.GetAllocator();
  auto str = [&a](absl::string_view s) {
    return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
  };
  std::string when = absl::FormatTime(kTimeFormat, created, absl::UTCTimeZone());
  doc.RemoveMember("created");
  doc.AddMember("created", str(when), a);
  auto rootfs = doc.FindMember("rootfs");
  if (rootfs == doc.MemberEnd() || !rootfs->value.IsObject() ||
      !rootfs->value.HasMember("diff_ids") || !rootfs->value["diff_ids"].IsArray()) {
    return Malformed("parent image config", "no rootfs.diff_ids");
  }
  rootfs->value["diff_ids"].PushBack(str(diff_id), a);
  if (!doc.HasMember("history") || !doc["history"].IsArray()) {
    doc.RemoveMember("history");
    doc.AddMember("history", rapidjson::Value(rapidjson::kArrayType), a);
  }
  rapidjson::Value entry(rapidjson::kObjectType);
  entry.AddMember("created", str(when), a);
  entry.AddMember("created_by", str(created_by), a);
  if (!comment.empty()) entry.AddMember("comment", str(comment), a);
  doc["history"].PushBack(entry, a);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  doc.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

namespace {

// Sets `key` of `object` to `value`, replacing what was there.
void SetMember(rapidjson::Value& object, const char* key, rapidjson::Value value,
               rapidjson::Document::AllocatorType& a) {
  object.RemoveMember(key);
  object.AddMember(rapidjson::Value(key, a), value, a);
}

// The object `key` of `object`, made (empty) if missing or not an object.
rapidjson::Value& ObjectMember(rapidjson::Value& object, const char* key,
                               rapidjson::Document::AllocatorType& a) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsObject()) {
    SetMember(object, key, rapidjson::Value(rapidjson::kObjectType), a);
    it = object.FindMember(key);
  }
  return it->value;
}

void AddKeys(rapidjson::Value& object, const std::vector<std::string>& keys,
             rapidjson::Document::AllocatorType& a) {
  for (const std::string& key : keys) {
    object.RemoveMember(key.c_str());
    object.AddMember(rapidjson::Value(key.c_str(), a), rapidjson::Value(rapidjson::kObjectType), a);
  }
}

}  // namespace

absl::StatusOr<std::string> ApplyCommitConfig(absl::string_view config_json,
                                              const CommitConfig& config) {
  bool run_fields = config.env || config.cmd || config.entrypoint || config.working_dir ||
                    config.user || config.stop_signal || !config.exposed_ports.empty() ||
                    !config.volumes.empty() || !config.labels.empty() || config.healthcheck;
  if (!run_fields && config.author.empty()) return std::string(config_json);  // the same bytes
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(ParseDocument(doc, config_json, "image config"));
  auto& a = doc.GetAllocator();
  auto str = [&a](absl::string_view s) {
    return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
  };
  auto strings = [&](const std::vector<std::string>& list) {
    rapidjson::Value array(rapidjson::kArrayType);
    for (const std::string& s : list) array.PushBack(str(s), a);
    return array;
  };
  if (!config.author.empty()) SetMember(doc, "author", str(config.author), a);
  rapidjson::Value& run = ObjectMember(doc, "config", a);
  if (config.env) SetMember(run, "Env", strings(*config.env), a);
  if (config.cmd) SetMember(run, "Cmd", strings(*config.cmd), a);
  if (config.entrypoint) SetMember(run, "Entrypoint", strings(*config.entrypoint), a);
  if (config.working_dir) SetMember(run, "WorkingDir", str(*config.working_dir), a);
  if (config.user) SetMember(run, "User", str(*config.user), a);
  if (config.stop_signal) SetMember(run, "StopSignal", str(*config.stop_signal), a);
  if (config.healthcheck) {
    rapidjson::Document check(&a);
    std::string json = HealthConfigToJson(*config.healthcheck);
    check.Parse(json.data(), json.size());
    SetMember(run, "Healthcheck", rapidjson::Value(check, a), a);
  }
  if (!config.exposed_ports.empty())
    AddKeys(ObjectMember(run, "ExposedPorts", a), config.exposed_ports, a);
  if (!config.volumes.empty()) AddKeys(ObjectMember(run, "Volumes", a), config.volumes, a);
  if (!config.labels.empty()) {
    rapidjson::Value& labels = ObjectMember(run, "Labels", a);
    for (const auto& [key, value] : config.labels) SetMember(labels, key.c_str(), str(value), a);
  }
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  doc.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string SerializeRepositories(const Repositories& repositories) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  for (const auto& [tag, id] : repositories) {
    WriteString(w, tag);
    WriteString(w, id);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<Repositories> ParseRepositories(absl::string_view json, absl::string_view path) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(ParseDocument(doc, json, path));
  Repositories repositories;
  for (const auto& member : doc.GetObject()) {
    if (!member.value.IsString()) return Malformed(path, "a tag maps to a non-string");
    repositories.emplace(std::string(member.name.GetString(), member.name.GetStringLength()),
                         std::string(member.value.GetString(), member.value.GetStringLength()));
  }
  return repositories;
}

}  // namespace mydocker
