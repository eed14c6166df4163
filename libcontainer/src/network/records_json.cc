// JSON of network records and container attachments.
#include "absl/strings/str_cat.h"
#include "json_util.h"
#include "mydocker/container_state.h"
#include "mydocker/status_macros.h"
#include "network/store.h"

namespace mydocker::network {

std::string NetworkToJson(const NetworkRecord& r) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  json::KeyString(w, "Name", r.name);
  json::KeyString(w, "Id", r.id);
  json::KeyString(w, "Created", FormatRfc3339(r.created));
  json::KeyString(w, "Driver", r.driver);
  json::KeyString(w, "Bridge", r.bridge);
  json::KeyString(w, "Subnet", r.subnet);
  json::KeyString(w, "Gateway", r.gateway);
  json::KeyBool(w, "Internal", r.internal);
  json::KeyObject(w, "Labels", [&] {
    for (const auto& [k, v] : r.labels) json::KeyString(w, k, v);
  });
  w.EndObject();
  return sb.GetString();
}

absl::StatusOr<NetworkRecord> NetworkFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "network", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, ""));
  NetworkRecord n;
  std::string created;
  MYDOCKER_RETURN_IF_ERROR(r.GetString("Name", &n.name));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("Id", &n.id));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("Created", &created));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("Driver", &n.driver));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("Bridge", &n.bridge));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("Subnet", &n.subnet));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("Gateway", &n.gateway));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("Internal", &n.internal));
  if (auto t = ParseTime(created); t.ok()) n.created = *t;
  MYDOCKER_ASSIGN_OR_RETURN(std::optional<json::ObjectReader> labels, r.GetObject("Labels"));
  if (const rapidjson::Value* v = r.Find("Labels"); labels && v != nullptr) {
    for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) {
      std::string key = it->name.GetString();
      MYDOCKER_RETURN_IF_ERROR(labels->GetString(key.c_str(), &n.labels[key]));
    }
  }
  return n;
}

namespace {

void WriteAttachment(json::Writer& w, const NetworkAttachment& a) {
  w.StartObject();
  json::KeyString(w, "network", a.network);
  json::KeyString(w, "bridge", a.bridge);
  json::KeyString(w, "subnet", a.subnet);
  json::KeyString(w, "ip", a.ip);
  json::KeyString(w, "gateway", a.gateway);
  json::KeyString(w, "mac", a.mac);
  json::KeyBool(w, "internal", a.internal);
  json::KeyString(w, "hostVeth", a.host_veth);
  json::KeyString(w, "interface", a.interface);
  json::KeyStringArray(w, "aliases", a.aliases);
  json::KeyString(w, "joinContainer", a.join_container);
  json::KeyBool(w, "host", a.host);
  json::KeyObjectArray(w, "ports", a.ports, [&](const PortMapping& p) {
    json::KeyString(w, "hostIp", p.host_ip);
    json::KeyUint(w, "hostPort", p.host_port);
    json::KeyUint(w, "containerPort", p.container_port);
    json::KeyString(w, "protocol", p.protocol);
  });
  w.EndObject();
}

absl::StatusOr<NetworkAttachment> ReadAttachment(const rapidjson::Value& v, const std::string& at) {
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(v, at));
  NetworkAttachment a;
  MYDOCKER_RETURN_IF_ERROR(r.GetString("network", &a.network));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("bridge", &a.bridge));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("subnet", &a.subnet));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("ip", &a.ip));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("gateway", &a.gateway));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("mac", &a.mac));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("internal", &a.internal));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("hostVeth", &a.host_veth));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("interface", &a.interface));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("aliases", &a.aliases));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("joinContainer", &a.join_container));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("host", &a.host));
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* ports, r.GetArray("ports"));
  for (rapidjson::SizeType i = 0; ports != nullptr && i < ports->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader p,
                              json::ObjectReader::Make((*ports)[i], r.ElementPath("ports", i)));
    PortMapping m;
    MYDOCKER_RETURN_IF_ERROR(p.GetString("hostIp", &m.host_ip));
    MYDOCKER_RETURN_IF_ERROR(p.GetInteger("hostPort", &m.host_port));
    MYDOCKER_RETURN_IF_ERROR(p.GetInteger("containerPort", &m.container_port));
    MYDOCKER_RETURN_IF_ERROR(p.GetString("protocol", &m.protocol));
    a.ports.push_back(std::move(m));
  }
  return a;
}

}  // namespace

std::string AttachmentsToJson(const std::vector<NetworkAttachment>& list) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  json::Key(w, "networks");
  w.StartArray();
  for (const NetworkAttachment& a : list) WriteAttachment(w, a);
  w.EndArray();
  w.EndObject();
  return sb.GetString();
}

absl::StatusOr<std::vector<NetworkAttachment>> AttachmentsFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "network attachments", &doc));
  std::vector<NetworkAttachment> list;
  // Version 1.1.0's record was one attachment.
  if (!doc.HasMember("networks")) {
    MYDOCKER_ASSIGN_OR_RETURN(NetworkAttachment a, ReadAttachment(doc, ""));
    list.push_back(std::move(a));
    return list;
  }
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, ""));
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* all, r.GetArray("networks"));
  for (rapidjson::SizeType i = 0; all != nullptr && i < all->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(NetworkAttachment a,
                              ReadAttachment((*all)[i], r.ElementPath("networks", i)));
    list.push_back(std::move(a));
  }
  return list;
}

}  // namespace mydocker::network
