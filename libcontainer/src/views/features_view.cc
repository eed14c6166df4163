// What this build of mydocker supports, in the shape of the OCI runtime spec's features
// document (`runc features`, `crun features`), with mydocker's own facts as annotations.
#include "absl/strings/str_cat.h"
#include "mydocker/container_config.h"
#include "mydocker/views.h"
#include "security/seccomp.h"
#include "views/view_json.h"

namespace mydocker::views {
namespace {

void WriteLinux(json::Writer& w) {
  json::KeyObject(w, "linux", [&] {
    json::KeyStringArray(w, "namespaces", NamespaceTypeNames());
    json::KeyObject(w, "cgroup", [&] {
      json::KeyBool(w, "v1", true);
      json::KeyBool(w, "v2", true);
      json::KeyBool(w, "systemd", false);
      json::KeyBool(w, "systemdUser", false);
    });
    SeccompFeatures seccomp = SupportedSeccomp();
    json::KeyObject(w, "seccomp", [&] {
      json::KeyBool(w, "enabled", true);
      json::KeyStringArray(w, "actions", seccomp.actions);
      json::KeyStringArray(w, "operators", seccomp.operators);
      json::KeyStringArray(w, "archs", seccomp.archs);
    });
    json::KeyObject(w, "apparmor", [&] { json::KeyBool(w, "enabled", false); });
    json::KeyObject(w, "selinux", [&] { json::KeyBool(w, "enabled", false); });
  });
}

}  // namespace

std::string Features(const FeaturesFacts& facts, JsonStyle style) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::KeyString(w, "ociVersionMin", "1.0.0");
  json::KeyString(w, "ociVersionMax", ContainerConfig().oci_version);
  WriteLinux(w);
  json::KeyObject(w, "annotations", [&] {
    json::KeyString(w, "io.mydocker.version", facts.version);
    json::KeyString(w, "io.mydocker.abi", facts.abi);
  });
  w.EndObject();
  return Styled(buf, style);
}

}  // namespace mydocker::views
