#include "mydocker/volume_store.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "mydocker/container_state.h"
#include "mydocker/events.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mydocker {
namespace {

std::string Record(const Volume& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("Name");
  w.String(v.name.c_str());
  w.Key("CreatedAt");
  std::string created = FormatRfc3339(v.created);
  w.String(created.c_str());
  w.Key("Anonymous");
  w.Bool(v.anonymous);
  w.Key("Labels");
  w.StartObject();
  for (const auto& [key, value] : v.labels) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

absl::Status NoSuchVolume(absl::string_view name) {
  return absl::NotFoundError(absl::StrCat("no such volume: ", name));
}

}  // namespace

absl::StatusOr<VolumeSpec> ParseVolumeSpec(absl::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid volume \"", text, "\": ", why));
  };
  VolumeSpec v;
  if (parts.size() == 3) {
    if (parts[2] == "ro") {
      v.readonly = true;
    } else if (parts[2] != "rw") {
      return bad(absl::StrCat("unknown mode \"", parts[2], "\" (want ro or rw)"));
    }
    v.mode = parts[2];
    parts.pop_back();
  }
  if (parts.size() == 1) {
    v.kind = VolumeSpec::kAnonymous;
    v.destination = parts[0];
  } else if (parts.size() == 2) {
    v.source = parts[0];
    v.destination = parts[1];
    if (!v.source.empty() && v.source[0] == '/') {
      v.kind = VolumeSpec::kBind;
    } else if (IsVolumeName(v.source)) {
      v.kind = VolumeSpec::kNamed;
    } else {
      return bad("the source must be an absolute host path or a volume name");
    }
  } else {
    return bad("want SOURCE:DESTINATION[:ro|rw]");
  }
  if (v.destination.empty() || v.destination[0] != '/')
    return bad("the destination must be absolute");
  for (absl::string_view part : absl::StrSplit(v.destination, '/', absl::SkipEmpty())) {
    if (part == "..") return bad("the destination must not contain \"..\"");
  }
  if (v.destination.find_first_not_of('/') == std::string::npos) return bad("cannot mount on /");
  if (v.kind == VolumeSpec::kBind) {
    for (absl::string_view part : absl::StrSplit(v.source, '/')) {
      if (part == "..") return bad("the source must not contain \"..\"");
    }
  }
  return v;
}

bool IsVolumeName(absl::string_view name) {
  if (name.size() < 2 || name.size() > 255 || !absl::ascii_isalnum(name[0])) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

absl::StatusOr<std::unique_ptr<VolumeStore>> VolumeStore::Open(const std::string& root) {
  std::string dir = root + "/volumes";
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  return std::unique_ptr<VolumeStore>(new VolumeStore(dir));
}

absl::StatusOr<Volume> VolumeStore::Ensure(absl::string_view name, bool anonymous,
                                           const std::map<std::string, std::string>& labels) {
  if (!IsVolumeName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid volume name \"", name, "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(dir_ + "/.lock"));
  if (auto existing = Get(name); existing.ok()) return existing;
  Volume v;
  v.name = std::string(name);
  v.mountpoint = absl::StrCat(dir_, "/", name, "/_data");
  v.created = absl::Now();
  v.anonymous = anonymous;
  v.labels = labels;
  absl::Status s = MakeDirs(v.mountpoint, 0755);
  if (s.ok()) s = WriteFileAtomic(absl::StrCat(dir_, "/", name, "/volume.json"), Record(v));
  if (!s.ok()) {
    RemoveAll(absl::StrCat(dir_, "/", name)).IgnoreError();
    return s;
  }
  RecordEvent(StateRoot(), {"volume", "create", v.name, {{"driver", "local"}}});
  return v;
}

absl::StatusOr<Volume> VolumeStore::Get(absl::string_view name) const {
  if (!IsVolumeName(name)) return NoSuchVolume(name);
  auto data = ReadFile(absl::StrCat(dir_, "/", name, "/volume.json"));
  if (!data.ok()) return NoSuchVolume(name);
  rapidjson::Document doc;
  doc.Parse(data->c_str());
  Volume v;
  v.name = std::string(name);
  v.mountpoint = absl::StrCat(dir_, "/", name, "/_data");
  v.created = absl::InfinitePast();
  if (!doc.HasParseError() && doc.IsObject()) {
    auto created = doc.FindMember("CreatedAt");
    if (created != doc.MemberEnd() && created->value.IsString()) {
      v.created = ParseTime(created->value.GetString()).value_or(absl::InfinitePast());
    }
    auto anon = doc.FindMember("Anonymous");
    v.anonymous = anon != doc.MemberEnd() && anon->value.IsBool() && anon->value.GetBool();
    auto labels = doc.FindMember("Labels");
    if (labels != doc.MemberEnd() && labels->value.IsObject()) {
      for (const auto& m : labels->value.GetObject()) {
        if (!m.value.IsString()) continue;
        v.labels[std::string(m.name.GetString(), m.name.GetStringLength())] =
            std::string(m.value.GetString(), m.value.GetStringLength());
      }
    }
  }
  return v;
}

absl::StatusOr<std::vector<Volume>> VolumeStore::List() const {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir_));
  std::vector<Volume> out;
  for (const std::string& name : names) {
    if (auto v = Get(name); v.ok()) out.push_back(*v);
  }
  return out;
}

absl::Status VolumeStore::Remove(absl::string_view name) {
  MYDOCKER_ASSIGN_OR_RETURN(Volume v, Get(name));
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(dir_ + "/.lock"));
  MYDOCKER_RETURN_IF_ERROR(RemoveAll(absl::StrCat(dir_, "/", v.name)));
  RecordEvent(StateRoot(), {"volume", "destroy", v.name, {{"driver", "local"}}});
  return absl::OkStatus();
}

}  // namespace mydocker
