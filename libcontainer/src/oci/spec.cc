#include "oci/spec.h"

#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "json_util.h"
#include "mydocker/devices.h"
#include "mydocker/status_macros.h"

namespace mydocker::oci {
namespace {

absl::Status Refuse(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

absl::Status ReadCapabilities(const json::ObjectReader& process, Spec& spec) {
  MYDOCKER_ASSIGN_OR_RETURN(auto caps, process.GetObject("capabilities"));
  if (!caps.has_value()) return absl::OkStatus();
  CapabilitySets& sets = spec.capabilities.emplace();
  MYDOCKER_RETURN_IF_ERROR(caps->GetStringArray("bounding", &sets.bounding));
  MYDOCKER_RETURN_IF_ERROR(caps->GetStringArray("effective", &sets.effective));
  MYDOCKER_RETURN_IF_ERROR(caps->GetStringArray("permitted", &sets.permitted));
  MYDOCKER_RETURN_IF_ERROR(caps->GetStringArray("inheritable", &sets.inheritable));
  return caps->GetStringArray("ambient", &sets.ambient);
}

absl::Status ReadHookList(const json::ObjectReader& hooks, const char* key,
                          std::vector<Hook>* out) {
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, hooks.GetArray(key));
  if (array == nullptr) return absl::OkStatus();
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r,
                              json::ObjectReader::Make((*array)[i], hooks.ElementPath(key, i)));
    Hook hook;
    MYDOCKER_RETURN_IF_ERROR(r.GetString("path", &hook.path));
    if (hook.path.empty() || hook.path[0] != '/') {
      return Refuse(r.FieldPath("path"), "must be an absolute path");
    }
    MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("args", &hook.args));
    MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("env", &hook.env));
    MYDOCKER_RETURN_IF_ERROR(r.GetInteger("timeout", &hook.timeout));
    if (hook.timeout.has_value() && *hook.timeout <= 0) {
      return Refuse(r.FieldPath("timeout"), "must be positive");
    }
    out->push_back(std::move(hook));
  }
  return absl::OkStatus();
}

absl::Status ReadHooks(const json::ObjectReader& top, Hooks& hooks) {
  MYDOCKER_ASSIGN_OR_RETURN(auto r, top.GetObject("hooks"));
  if (!r.has_value()) return absl::OkStatus();
  MYDOCKER_RETURN_IF_ERROR(ReadHookList(*r, "prestart", &hooks.prestart));
  MYDOCKER_RETURN_IF_ERROR(ReadHookList(*r, "createRuntime", &hooks.create_runtime));
  MYDOCKER_RETURN_IF_ERROR(ReadHookList(*r, "createContainer", &hooks.create_container));
  MYDOCKER_RETURN_IF_ERROR(ReadHookList(*r, "startContainer", &hooks.start_container));
  MYDOCKER_RETURN_IF_ERROR(ReadHookList(*r, "poststart", &hooks.poststart));
  return ReadHookList(*r, "poststop", &hooks.poststop);
}

absl::StatusOr<unsigned long> Propagation(absl::string_view name) {
  static constexpr std::pair<absl::string_view, unsigned long> kModes[] = {
      {"shared", MS_SHARED},
      {"slave", MS_SLAVE},
      {"private", MS_PRIVATE},
      {"unbindable", MS_UNBINDABLE},
      {"rshared", MS_SHARED | MS_REC},
      {"rslave", MS_SLAVE | MS_REC},
      {"rprivate", MS_PRIVATE | MS_REC},
      {"runbindable", MS_UNBINDABLE | MS_REC}};
  for (const auto& [n, flags] : kModes) {
    if (n == name) return flags;
  }
  return Refuse("linux.rootfsPropagation", absl::StrCat("unknown mode \"", name, "\""));
}

// What this host or this runtime cannot do, refused by name rather than ignored.
absl::Status RefuseUnsupported(const json::ObjectReader& top) {
  MYDOCKER_ASSIGN_OR_RETURN(auto process, top.GetObject("process"));
  std::string label;
  if (process.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(process->GetString("apparmorProfile", &label));
    if (!label.empty()) return Refuse("process.apparmorProfile", "this host has no AppArmor");
    MYDOCKER_RETURN_IF_ERROR(process->GetString("selinuxLabel", &label));
    if (!label.empty()) return Refuse("process.selinuxLabel", "this host has no SELinux");
  }
  MYDOCKER_ASSIGN_OR_RETURN(auto linux_spec, top.GetObject("linux"));
  if (!linux_spec.has_value()) return absl::OkStatus();
  if (linux_spec->Find("intelRdt") != nullptr) {
    return Refuse("linux.intelRdt", "Intel RDT is not supported");
  }
  MYDOCKER_RETURN_IF_ERROR(linux_spec->GetString("mountLabel", &label));
  if (!label.empty()) return Refuse("linux.mountLabel", "this host has no SELinux");
  return absl::OkStatus();
}

// Namespaces given by path are joined, not created.
absl::Status ReadNamespacePaths(const json::ObjectReader& linux_spec, Spec& spec) {
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, linux_spec.GetArray("namespaces"));
  if (array == nullptr) return absl::OkStatus();
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(
        json::ObjectReader r,
        json::ObjectReader::Make((*array)[i], linux_spec.ElementPath("namespaces", i)));
    std::string name, path;
    MYDOCKER_RETURN_IF_ERROR(r.GetString("type", &name));
    MYDOCKER_RETURN_IF_ERROR(r.GetString("path", &path));
    MYDOCKER_ASSIGN_OR_RETURN(NamespaceType type, ParseNamespaceType(name));
    if (path.empty()) continue;
    if (type == NamespaceType::kUser) {
      return Refuse(r.FieldPath("path"), "joining a user namespace by path is not supported");
    }
    if (path[0] != '/') return Refuse(r.FieldPath("path"), "must be an absolute path");
    auto& ns = spec.config.linux_spec.namespaces;
    ns.erase(std::remove(ns.begin(), ns.end(), type), ns.end());
    spec.join.emplace_back(type, path);
  }
  return absl::OkStatus();
}

// linux.uidMappings or gidMappings: what the kernel would take (at most 340 lines, none empty,
// none past the 32-bit id space, no two overlapping on either side), checked here so that a bad
// map is refused by name before anything is created.
absl::Status ReadIdMappings(const json::ObjectReader& linux_spec, const char* key,
                            std::vector<IdMapping>* out) {
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, linux_spec.GetArray(key));
  if (array == nullptr) return absl::OkStatus();
  constexpr rapidjson::SizeType kMaxLines = 340;  // the kernel's limit per map
  if (array->Size() > kMaxLines) {
    return Refuse(linux_spec.FieldPath(key), absl::StrCat("more than ", kMaxLines, " mappings"));
  }
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(
        json::ObjectReader r,
        json::ObjectReader::Make((*array)[i], linux_spec.ElementPath(key, i)));
    IdMapping m;
    MYDOCKER_RETURN_IF_ERROR(r.GetInteger("containerID", &m.container_id));
    MYDOCKER_RETURN_IF_ERROR(r.GetInteger("hostID", &m.host_id));
    MYDOCKER_RETURN_IF_ERROR(r.GetInteger("size", &m.size));
    const std::string what = linux_spec.ElementPath(key, i);
    if (m.size == 0) return Refuse(what, "size must be at least 1");
    if (uint64_t{m.container_id} + m.size > (uint64_t{1} << 32) ||
        uint64_t{m.host_id} + m.size > (uint64_t{1} << 32)) {
      return Refuse(what, "the range goes past the largest id (4294967295)");
    }
    for (const IdMapping& o : *out) {
      auto overlap = [](uint64_t a, uint64_t b, uint64_t size_a, uint64_t size_b) {
        return a < b + size_b && b < a + size_a;
      };
      if (overlap(m.container_id, o.container_id, m.size, o.size) ||
          overlap(m.host_id, o.host_id, m.size, o.size)) {
        return Refuse(what, "overlaps an earlier mapping");
      }
    }
    out->push_back(m);
  }
  return absl::OkStatus();
}

// A new user namespace comes with both maps, and maps only with one.
absl::Status ReadUserNamespace(const json::ObjectReader& linux_spec, Spec& spec) {
  MYDOCKER_RETURN_IF_ERROR(ReadIdMappings(linux_spec, "uidMappings", &spec.uid_mappings));
  MYDOCKER_RETURN_IF_ERROR(ReadIdMappings(linux_spec, "gidMappings", &spec.gid_mappings));
  const auto& ns = spec.config.linux_spec.namespaces;
  const bool user = std::find(ns.begin(), ns.end(), NamespaceType::kUser) != ns.end();
  const bool maps = !spec.uid_mappings.empty() || !spec.gid_mappings.empty();
  if (user && (spec.uid_mappings.empty() || spec.gid_mappings.empty())) {
    return Refuse("linux.namespaces",
                  "user namespaces need both linux.uidMappings and linux.gidMappings");
  }
  if (!user && maps) {
    return Refuse(linux_spec.FieldPath(spec.uid_mappings.empty() ? "gidMappings" : "uidMappings"),
                  "mappings need a new user namespace in linux.namespaces");
  }
  return absl::OkStatus();
}

absl::Status ReadLinuxExtras(const json::ObjectReader& top, Spec& spec) {
  MYDOCKER_ASSIGN_OR_RETURN(auto linux_spec, top.GetObject("linux"));
  if (!linux_spec.has_value()) return absl::OkStatus();
  MYDOCKER_RETURN_IF_ERROR(ReadNamespacePaths(*linux_spec, spec));
  MYDOCKER_RETURN_IF_ERROR(ReadUserNamespace(*linux_spec, spec));
  std::string propagation;
  MYDOCKER_RETURN_IF_ERROR(linux_spec->GetString("rootfsPropagation", &propagation));
  if (!propagation.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(spec.root_propagation, Propagation(propagation));
  }
  return absl::OkStatus();
}

// What a namespace the container shares with the runtime (none in linux.namespaces, neither new
// nor by path) rules out: whatever would change the runtime's own. Without a mount namespace
// the mounts are made in the runtime's (under a private bind of the root: create.cc), so a new
// user namespace, which could not mount there, and root propagation, which would have to change
// a mount of the runtime's namespace, are refused; without a UTS namespace the hostname, and a
// kernel parameter without the namespace it belongs to (runc's rule: others are refused too).
absl::Status CheckSharedNamespaces(const Spec& spec) {
  if (!HasNamespace(spec, NamespaceType::kMount)) {
    if (HasNamespace(spec, NamespaceType::kUser)) {
      return Refuse("linux.namespaces",
                    "a new user namespace needs a mount namespace (no \"mount\" is given)");
    }
    if (spec.root_propagation != 0) {
      return Refuse("linux.rootfsPropagation",
                    "needs a mount namespace of the container's own (no \"mount\" is given)");
    }
  }
  if (!spec.config.hostname.empty() && !HasNamespace(spec, NamespaceType::kUts)) {
    return Refuse("hostname",
                  "needs a UTS namespace of the container's own (it would set the runtime's)");
  }
  static const char* const kIpc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                     "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                     "kernel.shmmni", "kernel.shm_rmid_forced"};
  for (const auto& [name, value] : spec.config.linux_spec.sysctl) {
    const char* needs = nullptr;
    NamespaceType type;
    if (absl::StartsWith(name, "fs.mqueue.") ||
        std::find(std::begin(kIpc), std::end(kIpc), name) != std::end(kIpc)) {
      type = NamespaceType::kIpc;
      needs = "an IPC namespace";
    } else if (absl::StartsWith(name, "net.")) {
      type = NamespaceType::kNetwork;
      needs = "a network namespace";
    } else if (name == "kernel.hostname" || name == "kernel.domainname") {
      type = NamespaceType::kUts;
      needs = "a UTS namespace";
    } else {
      return Refuse(absl::StrCat("linux.sysctl: ", name),
                    "is not in a separate kernel namespace (only kernel.msg*, kernel.sem, "
                    "kernel.shm*, fs.mqueue.*, net.*, kernel.hostname and kernel.domainname are)");
    }
    if (!HasNamespace(spec, type)) {
      return Refuse(absl::StrCat("linux.sysctl: ", name),
                    absl::StrCat("needs ", needs,
                                 " of the container's own (it would set the "
                                 "runtime's)"));
    }
  }
  return absl::OkStatus();
}

// "1.0.2", "1.1.0-rc.1": the spec's major version 1 in semantic-version form.
absl::Status CheckVersion(const std::string& version) {
  std::vector<std::string> parts = absl::StrSplit(version.substr(0, version.find('-')), '.');
  bool ok = parts.size() == 3 && parts[0] == "1";
  for (const std::string& p : parts) {
    ok = ok && !p.empty() && std::all_of(p.begin(), p.end(), absl::ascii_isdigit);
  }
  if (!ok) {
    return Refuse("ociVersion",
                  absl::StrCat("\"", version, "\" is not a version 1.x.y of the spec"));
  }
  return absl::OkStatus();
}

absl::Status ResolveRoot(const std::string& bundle, Spec& spec) {
  std::string& path = spec.config.root.path;
  if (path.empty()) return Refuse("root.path", "is required");
  if (path[0] != '/') path = absl::StrCat(bundle, "/", path);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Refuse("root.path", absl::StrCat(path, " is not a directory"));
  }
  if (!spec.config.root.lower_dirs.empty() || !spec.config.root.upper_dir.empty()) {
    return Refuse("root", "lowerDirs and upperDir are not OCI fields");
  }
  return absl::OkStatus();
}

// Bind sources relative to the bundle; idmapped mounts refused; the cgroup mount kept aside.
absl::Status AdjustMounts(const std::string& bundle, Spec& spec) {
  std::vector<MountSpec> kept;
  for (MountSpec& m : spec.config.mounts) {
    for (const std::string& opt : m.options) {
      if (opt == "idmap" || opt == "ridmap") {
        return Refuse(absl::StrCat("mount ", m.destination), "idmapped mounts are not supported");
      }
    }
    if (m.type == "cgroup" || m.type == "cgroup2") {
      spec.cgroup_mount = true;
      spec.cgroup_mount_target = m.destination;
      spec.cgroup_mount_readonly =
          std::find(m.options.begin(), m.options.end(), "ro") != m.options.end();
      continue;
    }
    bool bind = m.type == "bind" ||
                std::find(m.options.begin(), m.options.end(), "bind") != m.options.end() ||
                std::find(m.options.begin(), m.options.end(), "rbind") != m.options.end();
    if (bind && !m.source.empty() && m.source[0] != '/') {
      m.source = absl::StrCat(bundle, "/", m.source);
    }
    kept.push_back(std::move(m));
  }
  spec.config.mounts = std::move(kept);
  return absl::OkStatus();
}

// As runc: after the spec's own device rules, the standard nodes (/dev/null, ... made in every
// container) and the spec's linux.devices are allowed.
void AllowStandardDevices(ContainerConfig& config) {
  std::vector<DeviceRule>& rules = config.linux_spec.resources.devices;
  std::vector<DeviceRule> defaults = DefaultDeviceRules();
  rules.insert(rules.end(), defaults.begin() + 1, defaults.end());  // all but "deny all"
  for (const LinuxDevice& d : config.linux_spec.devices) {
    if (d.type == 'p') continue;  // a FIFO is no device to the cgroup
    rules.push_back({true, d.type, d.major, d.minor, "rwm"});
  }
}

}  // namespace

bool HasNamespace(const Spec& spec, NamespaceType type) {
  const auto& ns = spec.config.linux_spec.namespaces;
  if (std::find(ns.begin(), ns.end(), type) != ns.end()) return true;
  for (const auto& [joined, path] : spec.join) {
    if (joined == type) return true;
  }
  return false;
}

absl::Status ValidateId(absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError("container id cannot be empty");
  bool ok = id != "." && id != ".." && id.size() <= 1024;
  for (char c : id) {
    ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' ||
                c == '-' || c == '.');
  }
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("invalid container id \"", id, "\""));
  return absl::OkStatus();
}

absl::StatusOr<std::string> CgroupPath(absl::string_view cgroups_path, absl::string_view id) {
  if (cgroups_path.empty()) return absl::StrCat("mydocker-runc/", id);
  std::vector<std::string> systemd = absl::StrSplit(cgroups_path, ':');
  std::string path(cgroups_path);
  if (systemd.size() == 3 && cgroups_path[0] != '/') {
    path = absl::StrCat(systemd[0], "/", systemd[1], "-", systemd[2], ".scope");
  } else if (systemd.size() != 1) {
    return Refuse("linux.cgroupsPath", "neither a path nor slice:prefix:name");
  }
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  for (const std::string& p : parts) {
    if (p == "." || p == "..") return Refuse("linux.cgroupsPath", "must not contain . or ..");
  }
  if (parts.empty()) return Refuse("linux.cgroupsPath", "names no cgroup");
  return absl::StrJoin(parts, "/");
}

absl::StatusOr<std::string> SpliceJson(absl::string_view document, const char* what,
                                       const std::vector<const char*>& path,
                                       absl::string_view value, const std::string& value_what) {
  rapidjson::Document doc, inner;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(document, what, &doc));
  MYDOCKER_RETURN_IF_ERROR(json::Parse(value, value_what.c_str(), &inner));
  if (!doc.IsObject() || !inner.IsObject()) {
    return absl::InvalidArgumentError(absl::StrCat(value_what, ": must be a JSON object"));
  }
  auto& alloc = doc.GetAllocator();
  rapidjson::Value* at = &doc;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!at->HasMember(path[i]) || !(*at)[path[i]].IsObject()) {
      at->RemoveMember(path[i]);
      at->AddMember(rapidjson::StringRef(path[i]), rapidjson::Value(rapidjson::kObjectType), alloc);
    }
    at = &(*at)[path[i]];
  }
  at->RemoveMember(path.back());
  at->AddMember(rapidjson::StringRef(path.back()), rapidjson::Value(inner, alloc), alloc);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<LinuxResources> ParseResources(absl::string_view json, const std::string& what) {
  MYDOCKER_ASSIGN_OR_RETURN(
      std::string text,
      SpliceJson(R"({"ociVersion": "1.0.2", "process": {"args": ["-"], "cwd": "/"}})", "resources",
                 {"linux", "resources"}, json, what));
  absl::StatusOr<ContainerConfig> config = ConfigFromJson(text);
  if (!config.ok()) return Annotate(config.status(), what);
  rapidjson::Document given;
  given.Parse(json.data(), json.size());  // valid: SpliceJson parsed it
  if (!given.HasMember("devices")) config->linux_spec.resources.devices.clear();
  return config->linux_spec.resources;
}

absl::StatusOr<Hooks> ParseHooks(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "config.json", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader top, json::ObjectReader::Make(doc, ""));
  Hooks hooks;
  MYDOCKER_RETURN_IF_ERROR(ReadHooks(top, hooks));
  return hooks;
}

absl::StatusOr<Spec> ParseSpec(absl::string_view text, const std::string& bundle) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "config.json", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader top, json::ObjectReader::Make(doc, ""));
  MYDOCKER_RETURN_IF_ERROR(RefuseUnsupported(top));
  Spec spec;
  MYDOCKER_ASSIGN_OR_RETURN(spec.config, ConfigFromJson(text));
  MYDOCKER_RETURN_IF_ERROR(CheckVersion(spec.config.oci_version));
  MYDOCKER_RETURN_IF_ERROR(ResolveRoot(bundle, spec));
  MYDOCKER_RETURN_IF_ERROR(AdjustMounts(bundle, spec));
  AllowStandardDevices(spec.config);
  MYDOCKER_ASSIGN_OR_RETURN(auto process, top.GetObject("process"));
  if (process.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(ReadCapabilities(*process, spec));
  }
  MYDOCKER_RETURN_IF_ERROR(ReadLinuxExtras(top, spec));
  MYDOCKER_RETURN_IF_ERROR(CheckSharedNamespaces(spec));
  MYDOCKER_RETURN_IF_ERROR(ReadHooks(top, spec.hooks));
  std::vector<std::pair<std::string, std::string>> annotations;
  MYDOCKER_RETURN_IF_ERROR(top.GetStringMap("annotations", &annotations));
  spec.annotations.insert(annotations.begin(), annotations.end());
  return spec;
}

std::string IdMapText(const std::vector<IdMapping>& mappings) {
  std::string text;
  for (const IdMapping& m : mappings) {
    absl::StrAppend(&text, m.container_id, " ", m.host_id, " ", m.size, "\n");
  }
  return text;
}

}  // namespace mydocker::oci
