// `docker network inspect`-shaped views of network records.
#include "mydocker/network_store.h"
#include "rapidjson/document.h"
#include "views/view_json.h"

namespace mydocker::views {

std::string NetworkInspect(const NetworkRecord& r, const std::vector<std::string>& containers,
                           JsonStyle style) {
  // The record as stored, then what `network inspect` adds to it.
  rapidjson::Document doc;
  doc.Parse(network::NetworkToJson(r).c_str());
  auto& a = doc.GetAllocator();
  doc.AddMember("Scope", "local", a);
  rapidjson::Value ipam(rapidjson::kObjectType);
  ipam.AddMember("Subnet", rapidjson::Value(r.subnet.c_str(), a), a);
  ipam.AddMember("Gateway", rapidjson::Value(r.gateway.c_str(), a), a);
  doc.AddMember("IPAM", ipam, a);
  rapidjson::Value ids(rapidjson::kArrayType);
  for (const std::string& id : containers) ids.PushBack(rapidjson::Value(id.c_str(), a), a);
  doc.AddMember("Containers", ids, a);
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  doc.Accept(w);
  return Styled(buf, style);
}

std::string StringArray(const std::vector<std::string>& values) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartArray();
  for (const std::string& v : values)
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  w.EndArray();
  return buf.GetString();
}

}  // namespace mydocker::views
