#include "oci/record.h"

#include "absl/time/clock.h"
#include "json_util.h"
#include "mydocker/container_state.h"
#include "mydocker/status_macros.h"
#include "rapidjson/prettywriter.h"

namespace mydocker::oci {
namespace {

template <typename W>
void WriteAnnotations(W& w, const std::map<std::string, std::string>& annotations) {
  if (annotations.empty()) return;
  w.Key("annotations");
  w.StartObject();
  for (const auto& [k, v] : annotations) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  }
  w.EndObject();
}

template <typename W>
void WriteString(W& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

const char* StatusName(Status status) {
  switch (status) {
    case Status::kCreating:
      return "creating";
    case Status::kCreated:
      return "created";
    case Status::kRunning:
      return "running";
    case Status::kPaused:
      return "paused";
    case Status::kStopped:
      break;
  }
  return "stopped";
}

std::string RecordToJson(const Record& r) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  WriteString(w, "id", r.id);
  w.Key("pid");
  w.Int(r.init.pid);
  w.Key("startTime");
  w.Uint64(r.init.start_time);
  WriteString(w, "bundle", r.bundle);
  WriteString(w, "rootfs", r.rootfs);
  WriteString(w, "cgroupPath", r.cgroup_path);
  WriteString(w, "created", FormatRfc3339(r.created));
  WriteAnnotations(w, r.annotations);
  if (r.root_mount_id != 0) {
    w.Key("rootMountId");
    w.Uint64(r.root_mount_id);
    w.Key("mountNamespace");
    w.Uint64(r.mount_namespace);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<Record> RecordFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "state", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, ""));
  Record rec;
  std::string created;
  MYDOCKER_RETURN_IF_ERROR(r.GetString("id", &rec.id));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("pid", &rec.init.pid));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("startTime", &rec.init.start_time));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("bundle", &rec.bundle));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("rootfs", &rec.rootfs));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("cgroupPath", &rec.cgroup_path));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("created", &created));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("rootMountId", &rec.root_mount_id));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("mountNamespace", &rec.mount_namespace));
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, created, &rec.created, &err)) {
    return absl::DataLossError("state: bad created time");
  }
  MYDOCKER_ASSIGN_OR_RETURN(auto annotations, r.GetObject("annotations"));
  if (annotations.has_value()) {
    const rapidjson::Value* v = r.Find("annotations");
    for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
      std::string key(it->name.GetString(), it->name.GetStringLength()), value;
      MYDOCKER_RETURN_IF_ERROR(annotations->GetString(key.c_str(), &value));
      rec.annotations[key] = value;
    }
  }
  return rec;
}

std::string StateJson(const Record& r, Status status) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  WriteString(w, "ociVersion", "1.0.2");
  WriteString(w, "id", r.id);
  WriteString(w, "status", StatusName(status));
  w.Key("pid");
  w.Int(status == Status::kStopped ? 0 : r.init.pid);
  WriteString(w, "bundle", r.bundle);
  WriteString(w, "rootfs", r.rootfs);
  WriteString(w, "created", FormatRfc3339(r.created));
  WriteString(w, "owner", "");
  WriteAnnotations(w, r.annotations);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string StatsJson(const std::string& id, const CgroupStats& s) {
  rapidjson::StringBuffer buffer;
  json::Writer out(buffer);
  out.StartObject();
  json::KeyString(out, "type", "stats");
  json::KeyString(out, "id", id);
  json::KeyObject(out, "data", [&] {
    json::KeyObject(out, "cpu", [&] {
      json::KeyObject(out, "usage", [&] { json::KeyUint(out, "total", s.cpu_usage_ns); });
    });
    json::KeyObject(out, "memory", [&] {
      json::KeyObject(out, "usage", [&] {
        json::KeyUint(out, "usage", s.memory_usage);
        json::KeyOptional(out, "limit", s.memory_limit);
      });
      json::KeyUint(out, "oom_kill", s.oom_kills);
    });
    json::KeyObject(out, "pids", [&] {
      json::KeyUint(out, "current", s.pids_current);
      json::KeyOptional(out, "limit", s.pids_limit);
    });
  });
  out.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace mydocker::oci
