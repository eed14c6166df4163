#include "mydocker/container_config.h"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <regex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "json_util.h"
#include "mydocker/devices.h"
#include "mydocker/resources.h"
#include "mydocker/status_macros.h"
#include "mydocker/volume_store.h"
#include "security/seccomp.h"

namespace mydocker {
namespace {

constexpr std::array<std::pair<NamespaceType, absl::string_view>, 7> kNamespaceNames = {{
    {NamespaceType::kPid, "pid"},
    {NamespaceType::kNetwork, "network"},
    {NamespaceType::kMount, "mount"},
    {NamespaceType::kIpc, "ipc"},
    {NamespaceType::kUts, "uts"},
    {NamespaceType::kUser, "user"},
    {NamespaceType::kCgroup, "cgroup"},
}};

}  // namespace

std::vector<std::string> NamespaceTypeNames() {
  std::vector<std::string> names;
  for (const auto& [type, name] : kNamespaceNames) names.emplace_back(name);
  return names;
}

namespace {

constexpr std::array<std::pair<absl::string_view, int>, 16> kRlimits = {{
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
}};

}  // namespace

absl::StatusOr<int> RlimitResource(absl::string_view type) {
  for (const auto& [name, resource] : kRlimits) {
    if (name == type) return resource;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown rlimit \"", absl::CHexEscape(type), "\""));
}

namespace {

// go-units' names, which Docker's --ulimit takes ("as" is left out, as Docker leaves it out).
constexpr std::array<std::pair<absl::string_view, int>, 15> kUlimitNames = {{
    {"core", RLIMIT_CORE},
    {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},
    {"fsize", RLIMIT_FSIZE},
    {"locks", RLIMIT_LOCKS},
    {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE},
    {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},
    {"nproc", RLIMIT_NPROC},
    {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},
    {"rttime", RLIMIT_RTTIME},
    {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
}};

// A limit value: a number, or -1 for unlimited (RLIM_INFINITY).
std::optional<uint64_t> UlimitValue(absl::string_view text) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(text, &n) || n < -1) return std::nullopt;
  return n == -1 ? ~uint64_t{0} : static_cast<uint64_t>(n);
}

}  // namespace

absl::StatusOr<Rlimit> ParseUlimit(absl::string_view spec) {
  size_t eq = spec.find('=');
  if (eq == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ulimit argument: ", absl::CHexEscape(spec)));
  }
  absl::string_view name = spec.substr(0, eq);
  auto known = std::find_if(kUlimitNames.begin(), kUlimitNames.end(),
                            [&](const auto& e) { return e.first == name; });
  if (known == kUlimitNames.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ulimit type: ", absl::CHexEscape(name)));
  }
  std::vector<absl::string_view> values = absl::StrSplit(spec.substr(eq + 1), ':');
  if (values.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat("too many limit value arguments - ",
                                                   absl::CHexEscape(spec.substr(eq + 1)),
                                                   ", can only have up to two, `soft[:hard]`"));
  }
  Rlimit limit;
  limit.resource = known->second;
  std::optional<uint64_t> soft = UlimitValue(values[0]);
  std::optional<uint64_t> hard = values.size() == 2 ? UlimitValue(values[1]) : soft;
  if (!soft || !hard) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid ulimit value in \"", absl::CHexEscape(spec), "\": a number, or -1 for unlimited"));
  }
  if (*soft > *hard) {
    return absl::InvalidArgumentError(
        absl::StrCat("ulimit soft limit must be less than or equal to hard limit: ", values[0],
                     " > ", values.size() == 2 ? values[1] : values[0]));
  }
  limit.soft = *soft;
  limit.hard = *hard;
  return limit;
}

std::string UlimitName(int resource) {
  for (const auto& [name, number] : kUlimitNames) {
    if (number == resource) return std::string(name);
  }
  return "";
}

std::string RlimitType(int resource) {
  for (const auto& [name, number] : kRlimits) {
    if (number == resource) return std::string(name);
  }
  return "";
}

namespace {

// ---- Writing -------------------------------------------------------------------------------

void WriteUser(json::Writer& w, const UserSpec& user) {
  json::KeyObject(w, "user", [&] {
    json::KeyUint(w, "uid", user.uid);
    json::KeyUint(w, "gid", user.gid);
    if (user.umask) json::KeyUint(w, "umask", *user.umask);
    if (user.additional_gids.empty()) return;
    json::Key(w, "additionalGids");
    w.StartArray();
    for (uint32_t gid : user.additional_gids) w.Uint(gid);
    w.EndArray();
  });
}

void WriteProcess(json::Writer& w, const ProcessSpec& p) {
  w.StartObject();
  json::KeyBool(w, "terminal", p.terminal);
  if (p.open_stdin) json::KeyBool(w, "openStdin", true);
  if (p.console_size.has_value()) {
    json::KeyObject(w, "consoleSize", [&] {
      json::KeyUint(w, "height", p.console_size->height);
      json::KeyUint(w, "width", p.console_size->width);
    });
  }
  WriteUser(w, p.user);
  json::KeyStringArray(w, "args", p.args);
  json::KeyStringArray(w, "env", p.env);
  json::KeyString(w, "cwd", p.cwd);
  if (p.no_new_privileges) json::KeyBool(w, "noNewPrivileges", true);
  if (!p.rlimits.empty()) {
    json::KeyObjectArray(w, "rlimits", p.rlimits, [&](const Rlimit& r) {
      json::KeyString(w, "type", RlimitType(r.resource));
      json::KeyUint(w, "soft", r.soft);
      json::KeyUint(w, "hard", r.hard);
    });
  }
  if (p.oom_score_adj) json::KeyInt(w, "oomScoreAdj", *p.oom_score_adj);
  if (p.capabilities.has_value()) {
    json::KeyObject(w, "capabilities", [&] {
      for (const char* set : {"bounding", "effective", "permitted"}) {
        json::KeyStringArray(w, set, *p.capabilities);
      }
    });
  }
  w.EndObject();
}

void WriteRoot(json::Writer& w, const RootSpec& root) {
  json::KeyObject(w, "root", [&] {
    json::KeyString(w, "path", root.path);
    json::KeyBool(w, "readonly", root.readonly);
    // mydocker's extension: the overlay that is assembled at `path`.
    if (!root.lower_dirs.empty()) json::KeyStringArray(w, "lowerDirs", root.lower_dirs);
    if (!root.upper_dir.empty()) json::KeyString(w, "upperDir", root.upper_dir);
    if (!root.work_dir.empty()) json::KeyString(w, "workDir", root.work_dir);
    if (!root.storage_driver.empty()) json::KeyString(w, "storageDriver", root.storage_driver);
  });
}

void WriteMounts(json::Writer& w, const std::vector<MountSpec>& mounts) {
  json::KeyObjectArray(w, "mounts", mounts, [&](const MountSpec& m) {
    json::KeyString(w, "destination", m.destination);
    json::KeyString(w, "type", m.type);
    json::KeyString(w, "source", m.source);
    json::KeyStringArray(w, "options", m.options);
  });
}

void WriteCpu(json::Writer& w, const CpuResources& cpu) {
  if (!cpu.shares && !cpu.quota && !cpu.period && cpu.cpus.empty() && cpu.mems.empty()) return;
  json::KeyObject(w, "cpu", [&] {
    json::KeyOptional(w, "shares", cpu.shares);
    json::KeyOptional(w, "quota", cpu.quota);
    json::KeyOptional(w, "period", cpu.period);
    if (!cpu.cpus.empty()) json::KeyString(w, "cpus", cpu.cpus);
    if (!cpu.mems.empty()) json::KeyString(w, "mems", cpu.mems);
  });
}

void WriteResources(json::Writer& w, const LinuxResources& r) {
  json::KeyObject(w, "resources", [&] {
    if (!r.memory.empty()) {
      json::KeyObject(w, "memory", [&] {
        json::KeyOptional(w, "limit", r.memory.limit);
        json::KeyOptional(w, "swap", r.memory.swap);
        json::KeyOptional(w, "reservation", r.memory.reservation);
        json::KeyOptional(w, "swappiness", r.memory.swappiness);
        if (r.memory.disable_oom_killer) {
          json::KeyBool(w, "disableOOMKiller", *r.memory.disable_oom_killer);
        }
      });
    }
    WriteCpu(w, r.cpu);
    if (r.pids.limit) {
      json::KeyObject(w, "pids", [&] { json::KeyOptional(w, "limit", r.pids.limit); });
    }
    if (r.block_io.weight) {
      json::KeyObject(w, "blockIO", [&] { json::KeyUint(w, "weight", *r.block_io.weight); });
    }
    if (!r.hugepage_limits.empty()) {
      json::KeyObjectArray(w, "hugepageLimits", r.hugepage_limits, [&](const HugepageLimit& h) {
        json::KeyString(w, "pageSize", h.page_size);
        json::KeyUint(w, "limit", h.limit);
      });
    }
    if (!r.network.empty()) {
      json::KeyObject(w, "network", [&] {
        json::KeyOptional(w, "classID", r.network.class_id);
        json::KeyObjectArray(w, "priorities", r.network.priorities, [&](const auto& p) {
          json::KeyString(w, "name", p.first);
          json::KeyUint(w, "priority", p.second);
        });
      });
    }
    // Always written: a record without the key predates device policies (see ReadResources).
    json::KeyObjectArray(w, "devices", r.devices, [&](const DeviceRule& rule) {
      json::KeyBool(w, "allow", rule.allow);
      json::KeyString(w, "type", absl::string_view(&rule.type, 1));
      json::KeyOptional(w, "major", rule.major);
      json::KeyOptional(w, "minor", rule.minor);
      json::KeyString(w, "access", rule.access);
    });
  });
}

void WriteDevices(json::Writer& w, const std::vector<LinuxDevice>& devices) {
  json::KeyObjectArray(w, "devices", devices, [&](const LinuxDevice& d) {
    json::KeyString(w, "path", d.path);
    json::KeyString(w, "type", absl::string_view(&d.type, 1));
    json::KeyInt(w, "major", d.major);
    json::KeyInt(w, "minor", d.minor);
    json::KeyUint(w, "fileMode", d.file_mode);
    json::KeyUint(w, "uid", d.uid);
    json::KeyUint(w, "gid", d.gid);
  });
}

void WriteLinux(json::Writer& w, const LinuxSpec& linux_spec) {
  json::KeyObject(w, "linux", [&] {
    json::KeyObjectArray(w, "namespaces", linux_spec.namespaces, [&](NamespaceType ns) {
      json::KeyString(w, "type", NamespaceTypeName(ns));
    });
    WriteResources(w, linux_spec.resources);
    if (!linux_spec.cgroups_path.empty()) {
      json::KeyString(w, "cgroupsPath", linux_spec.cgroups_path);
    }
    if (!linux_spec.devices.empty()) WriteDevices(w, linux_spec.devices);
    json::KeyStringArray(w, "maskedPaths", linux_spec.masked_paths);
    json::KeyStringArray(w, "readonlyPaths", linux_spec.readonly_paths);
    if (linux_spec.seccomp.has_value()) {
      json::Key(w, "seccomp");
      WriteSeccomp(w, *linux_spec.seccomp);
    }
    if (!linux_spec.sysctl.empty()) {
      json::KeyObject(w, "sysctl", [&] {
        for (const auto& [name, value] : linux_spec.sysctl) json::KeyString(w, name, value);
      });
    }
  });
}

// ---- Reading -------------------------------------------------------------------------------

absl::Status ReadUser(const json::ObjectReader& r, UserSpec* user) {
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("uid", &user->uid));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("gid", &user->gid));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("umask", &user->umask));
  if (user->umask && *user->umask > 0777) {
    return absl::InvalidArgumentError(
        absl::StrCat(r.FieldPath("umask"), ": not a file mode mask (0 to 0777)"));
  }
  return r.GetIntegerArray("additionalGids", &user->additional_gids);
}

absl::Status ReadRlimits(const json::ObjectReader& process, std::vector<Rlimit>* out) {
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, process.GetArray("rlimits"));
  if (array == nullptr) return absl::OkStatus();
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(
        json::ObjectReader r,
        json::ObjectReader::Make((*array)[i], process.ElementPath("rlimits", i)));
    std::string type;
    Rlimit limit;
    MYDOCKER_RETURN_IF_ERROR(r.GetString("type", &type));
    MYDOCKER_RETURN_IF_ERROR(r.GetInteger("soft", &limit.soft));
    MYDOCKER_RETURN_IF_ERROR(r.GetInteger("hard", &limit.hard));
    absl::StatusOr<int> resource = RlimitResource(type);
    if (!resource.ok()) return Annotate(resource.status(), r.FieldPath("type"));
    if (limit.soft > limit.hard) {
      return absl::InvalidArgumentError(r.FieldPath("soft") + ": greater than hard");
    }
    limit.resource = *resource;
    out->push_back(limit);
  }
  return absl::OkStatus();
}

absl::Status ReadProcess(const json::ObjectReader& r, ProcessSpec* p) {
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("terminal", &p->terminal));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("openStdin", &p->open_stdin));
  MYDOCKER_ASSIGN_OR_RETURN(auto console, r.GetObject("consoleSize"));
  if (console.has_value()) {
    ConsoleSize size;
    MYDOCKER_RETURN_IF_ERROR(console->GetInteger("height", &size.height));
    MYDOCKER_RETURN_IF_ERROR(console->GetInteger("width", &size.width));
    p->console_size = size;
  }
  MYDOCKER_ASSIGN_OR_RETURN(auto user, r.GetObject("user"));
  if (user.has_value()) MYDOCKER_RETURN_IF_ERROR(ReadUser(*user, &p->user));
  // The one field nothing can default: what to run.
  const rapidjson::Value* args = r.Find("args");
  if (args == nullptr || !args->IsArray() || args->Empty()) {
    return absl::InvalidArgumentError(r.FieldPath("args") +
                                      " must be a non-empty array of strings");
  }
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("args", &p->args));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("env", &p->env));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("cwd", &p->cwd));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("noNewPrivileges", &p->no_new_privileges));
  MYDOCKER_RETURN_IF_ERROR(ReadRlimits(r, &p->rlimits));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("oomScoreAdj", &p->oom_score_adj));
  if (p->oom_score_adj && (*p->oom_score_adj < -1000 || *p->oom_score_adj > 1000)) {
    return absl::InvalidArgumentError(r.FieldPath("oomScoreAdj") + " must be -1000 to 1000");
  }
  if (p->cwd.empty() || p->cwd[0] != '/') {
    return absl::InvalidArgumentError(r.FieldPath("cwd") + " must be an absolute path");
  }
  MYDOCKER_ASSIGN_OR_RETURN(auto caps, r.GetObject("capabilities"));
  if (caps.has_value()) {
    // mydocker applies one set as bounding, permitted and effective; the bounding set is the
    // one that limits what the process can ever regain.
    std::vector<std::string> bounding;
    MYDOCKER_RETURN_IF_ERROR(caps->GetStringArray("bounding", &bounding));
    p->capabilities = std::move(bounding);
  }
  return absl::OkStatus();
}

absl::Status ReadRoot(const json::ObjectReader& r, RootSpec* root) {
  MYDOCKER_RETURN_IF_ERROR(r.GetString("path", &root->path));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("readonly", &root->readonly));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("lowerDirs", &root->lower_dirs));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("upperDir", &root->upper_dir));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("storageDriver", &root->storage_driver));
  return r.GetString("workDir", &root->work_dir);
}

absl::StatusOr<MountSpec> ReadMount(const rapidjson::Value& v, std::string path) {
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(v, std::move(path)));
  MountSpec m;
  MYDOCKER_RETURN_IF_ERROR(r.GetString("destination", &m.destination));
  if (m.destination.empty() || m.destination[0] != '/') {
    return absl::InvalidArgumentError(r.FieldPath("destination") + " must be an absolute path");
  }
  MYDOCKER_RETURN_IF_ERROR(r.GetString("type", &m.type));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("source", &m.source));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("options", &m.options));
  return m;
}

absl::Status ReadMounts(const json::ObjectReader& r, std::vector<MountSpec>* mounts) {
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, r.GetArray("mounts"));
  if (array == nullptr) return absl::OkStatus();
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(MountSpec m, ReadMount((*array)[i], r.ElementPath("mounts", i)));
    mounts->push_back(std::move(m));
  }
  return absl::OkStatus();
}

absl::Status ReadNamespaces(const json::ObjectReader& r, std::vector<NamespaceType>* out) {
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, r.GetArray("namespaces"));
  if (array == nullptr) return absl::OkStatus();
  std::array<bool, kNamespaceNames.size()> seen{};
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(
        json::ObjectReader ns,
        json::ObjectReader::Make((*array)[i], r.ElementPath("namespaces", i)));
    std::string name;
    MYDOCKER_RETURN_IF_ERROR(ns.GetString("type", &name));
    absl::StatusOr<NamespaceType> type = ParseNamespaceType(name);
    if (!type.ok()) return Annotate(type.status(), ns.FieldPath("type"));
    // Joining or creating one namespace type twice has no meaning; refuse rather than guess.
    if (std::exchange(seen[static_cast<size_t>(*type)], true)) {
      return absl::InvalidArgumentError(
          absl::StrCat(ns.FieldPath("type"), ": duplicate namespace \"", name, "\""));
    }
    out->push_back(*type);
  }
  return absl::OkStatus();
}

// A one-letter member ("type": "c") into `out`; `allowed` lists the letters it may be.
absl::Status GetTypeLetter(const json::ObjectReader& r, const char* allowed, char* out) {
  std::string type;
  MYDOCKER_RETURN_IF_ERROR(r.GetString("type", &type));
  if (type.size() != 1 || std::strchr(allowed, type[0]) == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(r.FieldPath("type"), " must be one of \"", allowed, "\" (one letter)"));
  }
  *out = type[0];
  return absl::OkStatus();
}

// Records written before device policies existed have no "devices": every container then had
// Docker's default policy, so that is what they mean.
absl::Status ReadDeviceRules(const json::ObjectReader& r, std::vector<DeviceRule>* out) {
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, r.GetArray("devices"));
  if (array == nullptr) {
    *out = DefaultDeviceRules();
    return absl::OkStatus();
  }
  out->clear();
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader d,
                              json::ObjectReader::Make((*array)[i], r.ElementPath("devices", i)));
    DeviceRule rule;
    MYDOCKER_RETURN_IF_ERROR(d.GetBool("allow", &rule.allow));
    rule.type = 'a';
    if (d.Find("type") != nullptr) MYDOCKER_RETURN_IF_ERROR(GetTypeLetter(d, "abc", &rule.type));
    MYDOCKER_RETURN_IF_ERROR(d.GetInteger("major", &rule.major));
    MYDOCKER_RETURN_IF_ERROR(d.GetInteger("minor", &rule.minor));
    MYDOCKER_RETURN_IF_ERROR(d.GetString("access", &rule.access));
    if (absl::Status s = ValidateDeviceRule(rule); !s.ok()) {
      return Annotate(s, r.ElementPath("devices", i));
    }
    out->push_back(std::move(rule));
  }
  return absl::OkStatus();
}

absl::Status ReadDevices(const json::ObjectReader& r, std::vector<LinuxDevice>* out) {
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, r.GetArray("devices"));
  if (array == nullptr) return absl::OkStatus();
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader d,
                              json::ObjectReader::Make((*array)[i], r.ElementPath("devices", i)));
    LinuxDevice dev;
    MYDOCKER_RETURN_IF_ERROR(d.GetString("path", &dev.path));
    MYDOCKER_RETURN_IF_ERROR(GetTypeLetter(d, "bcup", &dev.type));
    if (dev.type == 'u') dev.type = 'c';  // OCI: unbuffered character device
    MYDOCKER_RETURN_IF_ERROR(d.GetInteger("major", &dev.major));
    MYDOCKER_RETURN_IF_ERROR(d.GetInteger("minor", &dev.minor));
    MYDOCKER_RETURN_IF_ERROR(d.GetInteger("fileMode", &dev.file_mode));
    MYDOCKER_RETURN_IF_ERROR(d.GetInteger("uid", &dev.uid));
    MYDOCKER_RETURN_IF_ERROR(d.GetInteger("gid", &dev.gid));
    if (dev.path.empty() || dev.path[0] != '/' || dev.major < 0 || dev.major > kMaxDeviceMajor ||
        dev.minor < 0 || dev.minor > kMaxDeviceMinor || dev.file_mode > 07777) {
      return absl::InvalidArgumentError(
          absl::StrCat(r.ElementPath("devices", i),
                       ": a device needs an absolute path, major 0 to ", kMaxDeviceMajor,
                       ", minor 0 to ", kMaxDeviceMinor, " and permission bits only in fileMode"));
    }
    out->push_back(std::move(dev));
  }
  return absl::OkStatus();
}

absl::Status ReadHugepageLimits(const json::ObjectReader& r, std::vector<HugepageLimit>* out) {
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, r.GetArray("hugepageLimits"));
  if (array == nullptr) return absl::OkStatus();
  out->clear();
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(
        json::ObjectReader h,
        json::ObjectReader::Make((*array)[i], r.ElementPath("hugepageLimits", i)));
    HugepageLimit limit;
    MYDOCKER_RETURN_IF_ERROR(h.GetString("pageSize", &limit.page_size));
    MYDOCKER_RETURN_IF_ERROR(h.GetInteger("limit", &limit.limit));
    out->push_back(std::move(limit));
  }
  return absl::OkStatus();
}

absl::Status ReadNetworkResources(const json::ObjectReader& r, NetworkResources* out) {
  MYDOCKER_ASSIGN_OR_RETURN(auto network, r.GetObject("network"));
  if (!network.has_value()) return absl::OkStatus();
  MYDOCKER_RETURN_IF_ERROR(network->GetInteger("classID", &out->class_id));
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* array, network->GetArray("priorities"));
  if (array == nullptr) return absl::OkStatus();
  out->priorities.clear();
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(
        json::ObjectReader p,
        json::ObjectReader::Make((*array)[i], network->ElementPath("priorities", i)));
    std::pair<std::string, uint32_t> entry;
    MYDOCKER_RETURN_IF_ERROR(p.GetString("name", &entry.first));
    MYDOCKER_RETURN_IF_ERROR(p.GetInteger("priority", &entry.second));
    out->priorities.push_back(std::move(entry));
  }
  return absl::OkStatus();
}

absl::Status ReadResources(const json::ObjectReader& r, LinuxResources* res) {
  MYDOCKER_ASSIGN_OR_RETURN(auto memory, r.GetObject("memory"));
  if (memory.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(memory->GetInteger("limit", &res->memory.limit));
    MYDOCKER_RETURN_IF_ERROR(memory->GetInteger("swap", &res->memory.swap));
    MYDOCKER_RETURN_IF_ERROR(memory->GetInteger("reservation", &res->memory.reservation));
    MYDOCKER_RETURN_IF_ERROR(memory->GetInteger("swappiness", &res->memory.swappiness));
    if (memory->Find("disableOOMKiller") != nullptr) {
      bool disable = false;
      MYDOCKER_RETURN_IF_ERROR(memory->GetBool("disableOOMKiller", &disable));
      res->memory.disable_oom_killer = disable;
    }
  }
  MYDOCKER_ASSIGN_OR_RETURN(auto cpu, r.GetObject("cpu"));
  if (cpu.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(cpu->GetInteger("shares", &res->cpu.shares));
    MYDOCKER_RETURN_IF_ERROR(cpu->GetInteger("quota", &res->cpu.quota));
    MYDOCKER_RETURN_IF_ERROR(cpu->GetInteger("period", &res->cpu.period));
    MYDOCKER_RETURN_IF_ERROR(cpu->GetString("cpus", &res->cpu.cpus));
    MYDOCKER_RETURN_IF_ERROR(cpu->GetString("mems", &res->cpu.mems));
  }
  MYDOCKER_ASSIGN_OR_RETURN(auto pids, r.GetObject("pids"));
  if (pids.has_value()) MYDOCKER_RETURN_IF_ERROR(pids->GetInteger("limit", &res->pids.limit));
  MYDOCKER_ASSIGN_OR_RETURN(auto block_io, r.GetObject("blockIO"));
  if (block_io.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(block_io->GetInteger("weight", &res->block_io.weight));
  }
  MYDOCKER_RETURN_IF_ERROR(ReadHugepageLimits(r, &res->hugepage_limits));
  MYDOCKER_RETURN_IF_ERROR(ReadNetworkResources(r, &res->network));
  return ReadDeviceRules(r, &res->devices);
}

absl::Status ReadLinux(const json::ObjectReader& r, LinuxSpec* linux_spec) {
  MYDOCKER_RETURN_IF_ERROR(ReadNamespaces(r, &linux_spec->namespaces));
  MYDOCKER_ASSIGN_OR_RETURN(auto resources, r.GetObject("resources"));
  if (resources.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(ReadResources(*resources, &linux_spec->resources));
  } else {
    linux_spec->resources.devices = DefaultDeviceRules();  // as ReadDeviceRules, for old records
  }
  MYDOCKER_RETURN_IF_ERROR(r.GetString("cgroupsPath", &linux_spec->cgroups_path));
  MYDOCKER_RETURN_IF_ERROR(ReadDevices(r, &linux_spec->devices));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("maskedPaths", &linux_spec->masked_paths));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("readonlyPaths", &linux_spec->readonly_paths));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringMap("sysctl", &linux_spec->sysctl));
  for (const auto& [name, value] : linux_spec->sysctl) {
    if (name.empty() || absl::StrContains(name, "..") || absl::StrContains(name, '/')) {
      return absl::InvalidArgumentError(
          absl::StrCat(r.FieldPath("sysctl"), ": invalid name \"", absl::CHexEscape(name), "\""));
    }
  }
  MYDOCKER_ASSIGN_OR_RETURN(auto seccomp, r.GetObject("seccomp"));
  if (seccomp.has_value()) {
    linux_spec->seccomp.emplace();
    MYDOCKER_RETURN_IF_ERROR(ReadSeccomp(*seccomp, &*linux_spec->seccomp));
  }
  return absl::OkStatus();
}

}  // namespace

// GCC 12 reports a false -Wrestrict inside std::string's copy for these literal lists at -O2
// (GCC bug 105651); the code is plain initialisation.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
ContainerConfig DefaultContainerConfig() {
  ContainerConfig c;
  c.process.cwd = "/";
  // Docker's default set: enough for ordinary root-in-a-box programs, nothing that reaches
  // the host kernel's global state (no SYS_ADMIN, SYS_MODULE, SYS_TIME, NET_ADMIN, ...).
  c.process.capabilities = std::vector<std::string>{
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  c.linux_spec.namespaces = {NamespaceType::kPid, NamespaceType::kNetwork, NamespaceType::kMount,
                             NamespaceType::kIpc, NamespaceType::kUts};
  c.mounts = {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      // newinstance gives the container its own ptmx, so it cannot reach the host's terminals.
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
  };
  // Kernel interfaces that leak host information or allow host-wide changes (the OCI default).
  c.linux_spec.masked_paths = {"/proc/acpi",        "/proc/kcore",
                               "/proc/keys",        "/proc/latency_stats",
                               "/proc/timer_list",  "/proc/timer_stats",
                               "/proc/sched_debug", "/proc/scsi",
                               "/sys/firmware",     "/sys/devices/virtual/powercap"};
  c.linux_spec.readonly_paths = {"/proc/asound", "/proc/bus", "/proc/fs",
                                 "/proc/irq",    "/proc/sys", "/proc/sysrq-trigger"};
  c.linux_spec.seccomp = DefaultSeccompProfile();
  c.linux_spec.resources.devices = DefaultDeviceRules();
  return c;
}
#pragma GCC diagnostic pop

std::string NamespaceTypeName(NamespaceType type) {
  for (const auto& [t, name] : kNamespaceNames) {
    if (t == type) return std::string(name);
  }
  return absl::StrCat("unknown(", static_cast<int>(type), ")");
}

absl::StatusOr<NamespaceType> ParseNamespaceType(absl::string_view name) {
  for (const auto& [t, n] : kNamespaceNames) {
    if (n == name) return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown namespace type \"", absl::CHexEscape(name), "\""));
}

namespace {

constexpr char kStopSignalAnnotation[] = "org.opencontainers.image.stopSignal";
constexpr char kStopTimeoutAnnotation[] = "com.mydocker.stopTimeout";
constexpr char kInitAnnotation[] = "com.mydocker.init";
constexpr char kRestartAnnotation[] = "com.mydocker.restartPolicy";
constexpr char kHealthAnnotation[] = "com.mydocker.healthcheck";
constexpr char kLogAnnotation[] = "com.mydocker.logConfig";
constexpr char kLabelsAnnotation[] = "com.mydocker.labels";
constexpr char kPidModeAnnotation[] = "com.mydocker.pidMode";
constexpr char kIpcModeAnnotation[] = "com.mydocker.ipcMode";
constexpr char kUtsModeAnnotation[] = "com.mydocker.utsMode";
constexpr char kCreateAnnotation[] = "com.mydocker.createOptions";

std::string LabelsToJson(const std::map<std::string, std::string>& labels) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  for (const auto& [key, value] : labels) json::KeyString(w, key, value);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

absl::StatusOr<std::map<std::string, std::string>> LabelsFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "labels", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, "labels"));
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& m : doc.GetObject()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string key, json::ToString(m.name, "labels"));
    MYDOCKER_ASSIGN_OR_RETURN(std::string value, json::ToString(m.value, r.FieldPath(key)));
    pairs.emplace_back(std::move(key), std::move(value));
  }
  return std::map<std::string, std::string>(pairs.begin(), pairs.end());
}

std::string LogConfigToJson(const LogConfig& log) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::KeyString(w, "Type", log.type);
  json::KeyObject(w, "Config", [&] {
    for (const auto& [key, value] : log.options) json::KeyString(w, key, value);
  });
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

absl::StatusOr<LogConfig> LogConfigFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "LogConfig", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, "LogConfig"));
  std::string type;
  MYDOCKER_RETURN_IF_ERROR(r.GetString("Type", &type));
  // GetObject checks the member is an object; its members are read as they are.
  MYDOCKER_ASSIGN_OR_RETURN(std::optional<json::ObjectReader> config, r.GetObject("Config"));
  std::vector<std::string> options;
  if (config.has_value()) {
    for (const auto& m : r.Find("Config")->GetObject()) {
      MYDOCKER_ASSIGN_OR_RETURN(std::string key, json::ToString(m.name, "LogConfig.Config"));
      MYDOCKER_ASSIGN_OR_RETURN(std::string value, json::ToString(m.value, "LogConfig.Config"));
      options.push_back(absl::StrCat(key, "=", value));
    }
  }
  return MakeLogConfig(type, options);
}

std::string CreateRecordToJson(const CreateRecord& r) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::KeyStringArray(w, "Entrypoint", r.entrypoint);
  json::KeyStringArray(w, "Cmd", r.cmd);
  json::KeyString(w, "User", r.user);
  json::KeyBool(w, "Privileged", r.privileged);
  json::KeyStringArray(w, "CapAdd", r.cap_add);
  json::KeyStringArray(w, "CapDrop", r.cap_drop);
  json::KeyObject(w, "Tmpfs", [&] {
    for (const auto& [path, options] : r.tmpfs) json::KeyString(w, path, options);
  });
  json::KeyStringArray(w, "VolumesFrom", r.volumes_from);
  json::KeyObjectArray(w, "Mounts", r.mount_points, [&](const MountPoint& m) {
    json::KeyString(w, "Type", m.type);
    json::KeyString(w, "Name", m.name);
    json::KeyString(w, "Source", m.source);
    json::KeyString(w, "Destination", m.destination);
    json::KeyString(w, "Mode", m.mode);
    json::KeyBool(w, "RW", m.rw);
    json::KeyString(w, "Propagation", m.propagation);
  });
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

absl::StatusOr<CreateRecord> CreateRecordFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "createOptions", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, "createOptions"));
  CreateRecord c;
  c.recorded = true;
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("Entrypoint", &c.entrypoint));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("Cmd", &c.cmd));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("User", &c.user));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("Privileged", &c.privileged));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("CapAdd", &c.cap_add));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("CapDrop", &c.cap_drop));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringMap("Tmpfs", &c.tmpfs));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("VolumesFrom", &c.volumes_from));
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* mounts, r.GetArray("Mounts"));
  c.mounts_recorded = mounts != nullptr;
  for (rapidjson::SizeType i = 0; mounts != nullptr && i < mounts->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader m,
                              json::ObjectReader::Make((*mounts)[i], r.ElementPath("Mounts", i)));
    MountPoint p;
    MYDOCKER_RETURN_IF_ERROR(m.GetString("Type", &p.type));
    MYDOCKER_RETURN_IF_ERROR(m.GetString("Name", &p.name));
    MYDOCKER_RETURN_IF_ERROR(m.GetString("Source", &p.source));
    MYDOCKER_RETURN_IF_ERROR(m.GetString("Destination", &p.destination));
    MYDOCKER_RETURN_IF_ERROR(m.GetString("Mode", &p.mode));
    MYDOCKER_RETURN_IF_ERROR(m.GetBool("RW", &p.rw));
    MYDOCKER_RETURN_IF_ERROR(m.GetString("Propagation", &p.propagation));
    c.mount_points.push_back(std::move(p));
  }
  return c;
}

void WriteAnnotations(json::Writer& w, const ContainerConfig& config) {
  if (config.stop_signal.empty() && !config.stop_timeout.has_value() && !config.init &&
      config.restart_policy.IsNone() && !config.healthcheck.has_value() &&
      config.log_config.type == "json-file" && config.log_config.options.empty() &&
      config.labels.empty() && config.pid_mode.empty() && config.ipc_mode.empty() &&
      config.uts_mode.empty() && !config.create_record.recorded) {
    return;
  }
  json::KeyObject(w, "annotations", [&] {
    if (!config.stop_signal.empty()) json::KeyString(w, kStopSignalAnnotation, config.stop_signal);
    if (config.stop_timeout.has_value()) {
      json::KeyString(w, kStopTimeoutAnnotation, std::to_string(*config.stop_timeout));
    }
    if (config.init) json::KeyString(w, kInitAnnotation, "true");
    if (!config.restart_policy.IsNone()) {
      json::KeyString(w, kRestartAnnotation, FormatRestartPolicy(config.restart_policy));
    }
    if (config.healthcheck) {
      json::KeyString(w, kHealthAnnotation, HealthConfigToJson(*config.healthcheck));
    }
    if (config.log_config.type != "json-file" || !config.log_config.options.empty()) {
      json::KeyString(w, kLogAnnotation, LogConfigToJson(config.log_config));
    }
    if (!config.labels.empty()) {
      json::KeyString(w, kLabelsAnnotation, LabelsToJson(config.labels));
    }
    if (!config.pid_mode.empty()) json::KeyString(w, kPidModeAnnotation, config.pid_mode);
    if (!config.ipc_mode.empty()) json::KeyString(w, kIpcModeAnnotation, config.ipc_mode);
    if (!config.uts_mode.empty()) json::KeyString(w, kUtsModeAnnotation, config.uts_mode);
    if (config.create_record.recorded) {
      json::KeyString(w, kCreateAnnotation, CreateRecordToJson(config.create_record));
    }
  });
}

absl::Status ReadAnnotations(const json::ObjectReader& r, ContainerConfig* c) {
  MYDOCKER_ASSIGN_OR_RETURN(auto annotations, r.GetObject("annotations"));
  if (!annotations.has_value()) return absl::OkStatus();
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kStopSignalAnnotation, &c->stop_signal));
  std::string timeout, init, restart;
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kInitAnnotation, &init));
  c->init = init == "true";
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kRestartAnnotation, &restart));
  if (!restart.empty()) {
    absl::StatusOr<RestartPolicy> policy = ParseRestartPolicy(restart);
    if (!policy.ok()) return Annotate(policy.status(), "annotations.restartPolicy");
    c->restart_policy = *policy;
  }
  std::string health;
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kHealthAnnotation, &health));
  if (!health.empty()) {
    absl::StatusOr<HealthConfig> check = HealthConfigFromJson(health);
    if (!check.ok()) return Annotate(check.status(), "annotations.healthcheck");
    c->healthcheck = *check;
  }
  std::string log;
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kLogAnnotation, &log));
  if (!log.empty()) {
    absl::StatusOr<LogConfig> config = LogConfigFromJson(log);
    if (!config.ok()) return Annotate(config.status(), "annotations.logConfig");
    c->log_config = *config;
  }
  std::string labels;
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kLabelsAnnotation, &labels));
  if (!labels.empty()) {
    absl::StatusOr<std::map<std::string, std::string>> map = LabelsFromJson(labels);
    if (!map.ok()) return Annotate(map.status(), "annotations.labels");
    c->labels = *std::move(map);
  }
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kPidModeAnnotation, &c->pid_mode));
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kIpcModeAnnotation, &c->ipc_mode));
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kUtsModeAnnotation, &c->uts_mode));
  std::string record;
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kCreateAnnotation, &record));
  if (!record.empty()) {
    absl::StatusOr<CreateRecord> parsed = CreateRecordFromJson(record);
    if (!parsed.ok()) return Annotate(parsed.status(), "annotations.createOptions");
    c->create_record = *std::move(parsed);
  }
  MYDOCKER_RETURN_IF_ERROR(annotations->GetString(kStopTimeoutAnnotation, &timeout));
  int seconds = 0;
  if (!timeout.empty()) {
    if (!absl::SimpleAtoi(timeout, &seconds)) {
      return absl::InvalidArgumentError(
          absl::StrCat("annotations.", kStopTimeoutAnnotation, " is not a number of seconds"));
    }
    c->stop_timeout = seconds;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LogRotation> LogRotationOf(const LogConfig& log) {
  LogRotation r;
  if (log.type == "local") r = LogRotation{20 << 20, 5};
  bool size_given = false;
  for (const auto& [key, value] : log.options) {
    if (key == "max-size") {
      size_given = true;
      if (value == "-1") {
        r.max_size = -1;
        continue;
      }
      absl::StatusOr<int64_t> size = ParseMemorySize(value);
      if (!size.ok() || *size <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid value for log opt max-size: \"", absl::CHexEscape(value), "\""));
      }
      r.max_size = *size;
    } else if (key == "max-file") {
      if (!absl::SimpleAtoi(value, &r.max_file) || r.max_file < 1) {
        return absl::InvalidArgumentError("max-file cannot be less than 1");
      }
    }
  }
  if (log.type == "json-file" && r.max_file > 1 && (!size_given || r.max_size < 0)) {
    return absl::InvalidArgumentError("max-file can only be set if max-size is set");
  }
  return r;
}

absl::StatusOr<LogConfig> MakeLogConfig(absl::string_view type,
                                        const std::vector<std::string>& options) {
  LogConfig log;
  log.type = type.empty() ? "local" : std::string(type);
  if (log.type != "local" && log.type != "json-file" && log.type != "none") {
    return absl::InvalidArgumentError(
        absl::StrCat("logger: no log driver named '", log.type,
                     "' is registered (mydocker has local, json-file and none)"));
  }
  for (const std::string& option : options) {
    size_t eq = option.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid log option \"", option, "\": want KEY=VALUE"));
    }
    std::string key = option.substr(0, eq);
    std::string value = option.substr(eq + 1);
    // labels=, env=, labels-regex= and env-regex= (json-file's, as Docker's): the attributes
    // `logs --details` shows.
    const bool attrs = log.type == "json-file" && (key == "labels" || key == "env" ||
                                                   key == "labels-regex" || key == "env-regex");
    if (log.type == "json-file" && key == "tag") {
      return absl::InvalidArgumentError(
          "log opt tag: tag templates are not supported by mydocker yet (labels, env, "
          "labels-regex and env-regex are)");
    }
    if (attrs && absl::EndsWith(key, "-regex")) {
      try {
        std::regex check(value);
      } catch (const std::regex_error& e) {
        return absl::InvalidArgumentError(absl::StrCat("log opt ", key,
                                                       ": invalid regular expression \"",
                                                       absl::CHexEscape(value), "\": ", e.what()));
      }
    }
    if (log.type == "none" ||
        (key != "max-size" && key != "max-file" && key != "compress" && !attrs)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown log opt '", key, "' for ", log.type, " log driver"));
    }
    if (key == "compress" && value != "false") {
      return absl::InvalidArgumentError(
          "log opt compress: compressed rotated logs are not supported by mydocker yet "
          "(compress=false is)");
    }
    auto same = std::find_if(log.options.begin(), log.options.end(),
                             [&](const auto& o) { return o.first == key; });
    if (same != log.options.end()) {
      same->second = std::move(value);  // the last one counts, as in Docker's map
    } else {
      log.options.emplace_back(std::move(key), std::move(value));
    }
  }
  MYDOCKER_RETURN_IF_ERROR(LogRotationOf(log).status());
  return log;
}

namespace {

// Go's url.QueryEscape, which Docker applies to each attribute's key and value.
std::string QueryEscape(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

}  // namespace

std::string LogDetails(const ContainerConfig& config) {
  std::map<std::string, std::string> options(config.log_config.options.begin(),
                                             config.log_config.options.end());
  std::map<std::string, std::string> env;  // the last of a name counts
  for (const std::string& kv : config.process.env) {
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  // Docker's order (loginfo.ExtraAttributes): labels, labels-regex, env, env-regex; a later
  // one wins for a name given twice.
  std::map<std::string, std::string> attrs;
  auto by_names = [&attrs](const std::string& names,
                           const std::map<std::string, std::string>& from) {
    for (absl::string_view name : absl::StrSplit(names, ',', absl::SkipEmpty())) {
      auto it = from.find(std::string(name));
      if (it != from.end()) attrs[it->first] = it->second;
    }
  };
  // A name matches when the expression is found in it (Go's MatchString). MakeLogConfig
  // refused a bad expression; one that fails here all the same selects nothing.
  auto by_regex = [&attrs](const std::string& expression,
                           const std::map<std::string, std::string>& from) {
    if (expression.empty()) return;
    try {
      std::regex re(expression);
      for (const auto& [name, value] : from) {
        if (std::regex_search(name, re)) attrs[name] = value;
      }
    } catch (const std::regex_error&) {
    }
  };
  by_names(options["labels"], config.labels);
  by_regex(options["labels-regex"], config.labels);
  by_names(options["env"], env);
  by_regex(options["env-regex"], env);
  std::vector<std::string> pairs;
  for (const auto& [key, value] : attrs) {
    pairs.push_back(absl::StrCat(QueryEscape(key), "=", QueryEscape(value)));
  }
  return absl::StrJoin(pairs, ",");
}

absl::StatusOr<std::pair<std::string, std::string>> ParseLabel(absl::string_view spec) {
  size_t eq = spec.find('=');
  absl::string_view key = absl::StripAsciiWhitespace(spec.substr(0, eq));
  if (key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid label '", absl::CHexEscape(spec), "': empty name"));
  }
  if (spec.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid label '", absl::CHexEscape(spec), "': a NUL byte"));
  }
  return std::make_pair(std::string(key), eq == absl::string_view::npos
                                              ? std::string()
                                              : std::string(spec.substr(eq + 1)));
}

// Docker's rules: the CLI splits NAME[:COUNT] (opts.ParseRestartPolicy), the daemon checks
// the pair (ValidateRestartPolicy); the messages are theirs.
absl::StatusOr<RestartPolicy> ParseRestartPolicy(absl::string_view spec) {
  RestartPolicy policy;
  size_t colon = spec.find(':');
  policy.name = std::string(spec.substr(0, colon));
  absl::string_view count = colon == absl::string_view::npos ? "" : spec.substr(colon + 1);
  if (colon != absl::string_view::npos && policy.name.empty()) {
    return absl::InvalidArgumentError(
        "invalid restart policy format: no policy provided before colon");
  }
  if (!count.empty() && !absl::SimpleAtoi(count, &policy.max_retries)) {
    return absl::InvalidArgumentError(
        "invalid restart policy format: maximum retry count must be an integer");
  }
  if (policy.name.empty() || policy.name == "no" || policy.name == "always" ||
      policy.name == "unless-stopped") {
    if (policy.max_retries != 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid restart policy: maximum retry count can only be used with 'on-failure'",
          policy.max_retries < 0 ? " and cannot be negative" : ""));
    }
    if (policy.name.empty()) policy.name = "no";
    return policy;
  }
  if (policy.name != "on-failure") {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid restart policy: unknown policy '", absl::CHexEscape(policy.name),
                     "'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"));
  }
  if (policy.max_retries < 0) {
    return absl::InvalidArgumentError(
        "invalid restart policy: maximum retry count cannot be negative");
  }
  return policy;
}

std::string FormatRestartPolicy(const RestartPolicy& policy) {
  if (policy.IsNone()) return "no";
  if (policy.name == "on-failure" && policy.max_retries > 0) {
    return absl::StrCat(policy.name, ":", policy.max_retries);
  }
  return policy.name;
}

std::string ConfigToJson(const ContainerConfig& config) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  json::KeyString(w, "ociVersion", config.oci_version);
  json::Key(w, "process");
  WriteProcess(w, config.process);
  WriteRoot(w, config.root);
  if (!config.hostname.empty()) json::KeyString(w, "hostname", config.hostname);
  WriteMounts(w, config.mounts);
  WriteLinux(w, config.linux_spec);
  WriteAnnotations(w, config);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<ContainerConfig> ConfigFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "config", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, ""));
  ContainerConfig c;
  MYDOCKER_RETURN_IF_ERROR(r.GetString("ociVersion", &c.oci_version));
  MYDOCKER_ASSIGN_OR_RETURN(auto process, r.GetObject("process"));
  if (!process.has_value()) return absl::InvalidArgumentError("process is required");
  MYDOCKER_RETURN_IF_ERROR(ReadProcess(*process, &c.process));
  MYDOCKER_ASSIGN_OR_RETURN(auto root, r.GetObject("root"));
  if (root.has_value()) MYDOCKER_RETURN_IF_ERROR(ReadRoot(*root, &c.root));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("hostname", &c.hostname));
  MYDOCKER_RETURN_IF_ERROR(ReadMounts(r, &c.mounts));
  MYDOCKER_ASSIGN_OR_RETURN(auto linux_spec, r.GetObject("linux"));
  if (linux_spec.has_value()) {
    MYDOCKER_RETURN_IF_ERROR(ReadLinux(*linux_spec, &c.linux_spec));
  } else {
    c.linux_spec.resources.devices = DefaultDeviceRules();
  }
  MYDOCKER_RETURN_IF_ERROR(ReadAnnotations(r, &c));
  return c;
}

std::vector<MountPoint> RecoverMountPoints(const std::vector<MountSpec>& mounts,
                                           const std::string& root) {
  static constexpr absl::string_view kPropagations[] = {"rprivate", "private", "rshared",
                                                        "shared",   "rslave",  "slave"};
  const std::string volumes = root + "/volumes/";
  std::vector<MountPoint> out;
  for (const MountSpec& m : mounts) {
    if (m.type != "bind" || m.source.empty() || m.source[0] != '/') continue;
    bool under_root = absl::StartsWith(m.source, root + "/");
    MountPoint p;
    if (absl::StartsWith(m.source, volumes) && absl::EndsWith(m.source, "/_data")) {
      p.name = m.source.substr(volumes.size(), m.source.size() - volumes.size() - 6);
      if (!IsVolumeName(p.name)) continue;
      p.type = "volume";
    } else if (under_root) {
      continue;  // the runtime's own (/etc/hosts, /etc/resolv.conf, /etc/hostname, ...)
    } else {
      p.type = "bind";
      p.propagation = "rprivate";
    }
    p.source = m.source;
    p.destination = m.destination;
    for (const std::string& o : m.options) {
      if (o == "ro") p.rw = false;
      if (p.type == "bind" && std::find(std::begin(kPropagations), std::end(kPropagations), o) !=
                                  std::end(kPropagations)) {
        p.propagation = o;
      }
    }
    if (p.type == "bind" && !p.rw) p.mode = "ro";
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace mydocker
