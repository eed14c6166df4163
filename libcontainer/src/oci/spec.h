// The OCI runtime mode's reading of a bundle: config.json into the library's ContainerConfig
// (the same configuration the Docker-like mode runs) plus what only this mode has (namespaces
// to join by path, hooks, the cgroup path as the caller names it; rlimits, sysctls and the OOM
// score adjustment are the configuration's own). Every
// refusal is InvalidArgument with the field's path, before anything is created.
#ifndef MYDOCKER_OCI_SPEC_H_
#define MYDOCKER_OCI_SPEC_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/container_config.h"

namespace mydocker::oci {

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout;  // seconds
};

struct Hooks {
  std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart,
      poststop;
};

// process.capabilities, every set by name ("CAP_CHOWN").
struct CapabilitySets {
  std::vector<std::string> bounding, effective, permitted, inheritable, ambient;
};

// One line of linux.uidMappings or gidMappings: container ids [container_id, container_id +
// size) are host ids [host_id, host_id + size).
struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct Spec {
  std::optional<CapabilitySets> capabilities;
  ContainerConfig config;  // root.path made absolute (relative to the bundle)
  std::vector<std::pair<NamespaceType, std::string>> join;  // namespaces given by path
  Hooks hooks;
  unsigned long root_propagation = 0;  // MS_* | MS_REC, 0: none given
  std::map<std::string, std::string> annotations;
  bool cgroup_mount = false;        // a mount of type "cgroup" (handled by the runtime)
  std::string cgroup_mount_target;  // its destination
  bool cgroup_mount_readonly = false;
  // A new user namespace (linux.namespaces "user") and its maps, written by `create` into
  // /proc/<init>/uid_map and gid_map before init goes on. Empty without one.
  std::vector<IdMapping> uid_mappings, gid_mappings;
};

// True when the container has a namespace of `type` of its own: a new one or one given by path.
// Without one it shares the runtime's (the spec: "the container MUST inherit the runtime
// namespace of that type"); without a mount namespace see create.cc (SharedRoot).
bool HasNamespace(const Spec& spec, NamespaceType type);

// The text written to /proc/<pid>/uid_map or gid_map: "container host size\n" per mapping.
std::string IdMapText(const std::vector<IdMapping>& mappings);

// Container ids: letters, digits and "_+-.", not "." or "..", at most 1024 bytes (runc's rule):
// an id is a directory name under --root.
absl::Status ValidateId(absl::string_view id);

// Parses `json` (the bundle's config.json). `bundle` is the bundle's absolute directory.
absl::StatusOr<Spec> ParseSpec(absl::string_view json, const std::string& bundle);

// `document` (JSON text, named `what` in errors) with the member at `path` (e.g. {"process"},
// {"linux", "resources"}; missing objects on the way are made) replaced by the JSON object in
// `value` (named `value_what`).
absl::StatusOr<std::string> SpliceJson(absl::string_view document, const char* what,
                                       const std::vector<const char*>& path,
                                       absl::string_view value, const std::string& value_what);

// An OCI LinuxResources object (`update --resources F`), read as config.json's
// linux.resources is; `devices` is empty unless the object has rules (the policy stays).
absl::StatusOr<LinuxResources> ParseResources(absl::string_view json, const std::string& what);

// Only the hooks of a config.json (the copy `create` keeps: `start` and `delete` run them).
absl::StatusOr<Hooks> ParseHooks(absl::string_view json);

// The cgroup path (relative to each hierarchy's root) for linux.cgroupsPath: "/a/b" -> "a/b";
// "a/b" likewise; the systemd form "slice:prefix:name" -> "slice/prefix-name.scope" (there is
// no systemd to ask here; runc's cgroupfs driver has no such form); empty -> "mydocker-runc/ID".
absl::StatusOr<std::string> CgroupPath(absl::string_view cgroups_path, absl::string_view id);

}  // namespace mydocker::oci

#endif  // MYDOCKER_OCI_SPEC_H_
