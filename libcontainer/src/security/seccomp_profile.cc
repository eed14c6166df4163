// The default seccomp profile and the JSON forms of profiles.
#include <cerrno>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"
#include "security/seccomp.h"

namespace mydocker {
namespace {

constexpr const char* kActions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",       "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG"};
constexpr const char* kOperators[] = {"SCMP_CMP_NE",       "SCMP_CMP_LT", "SCMP_CMP_LE",
                                      "SCMP_CMP_EQ",       "SCMP_CMP_GE", "SCMP_CMP_GT",
                                      "SCMP_CMP_MASKED_EQ"};

// The architecture of this build in Docker profiles' own names ("includes": {"arches": [...]})
// and in libseccomp's.
#if defined(__x86_64__)
constexpr const char* kNativeArches[] = {"amd64", "x86_64", "SCMP_ARCH_X86_64"};
#elif defined(__aarch64__)
constexpr const char* kNativeArches[] = {"arm64", "aarch64", "SCMP_ARCH_AARCH64"};
#else
constexpr const char* kNativeArches[] = {""};
#endif

bool IsNativeArch(absl::string_view name) {
  return absl::c_any_of(kNativeArches, [&](const char* a) { return name == a; });
}

template <size_t N>
absl::Status CheckName(const char* const (&known)[N], const std::string& value,
                       const std::string& path) {
  if (absl::c_any_of(known, [&](const char* k) { return value == k; })) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ": unknown value \"", value, "\""));
}

absl::Status ReadArg(const json::ObjectReader& r, SeccompArg* arg) {
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("index", &arg->index));
  if (arg->index > 5) {
    return absl::InvalidArgumentError(absl::StrCat(r.FieldPath("index"), " must be 0 to 5"));
  }
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("value", &arg->value));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("valueTwo", &arg->value_two));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("op", &arg->op));
  return CheckName(kOperators, arg->op, r.FieldPath("op"));
}

// Docker's conditions on a rule: {"caps": [...], "arches": [...], "minKernel": "..."}.
// `includes` requires every listed capability and one of the listed architectures; `excludes`
// drops the rule if any listed capability or architecture applies. Kernel versions are not
// checked: the kernels these rules name are far older than any that runs mydocker.
absl::StatusOr<bool> RuleApplies(const json::ObjectReader& rule,
                                 const std::vector<std::string>& capabilities) {
  auto has_cap = [&](const std::string& c) { return absl::c_linear_search(capabilities, c); };
  for (const char* key : {"includes", "excludes"}) {
    MYDOCKER_ASSIGN_OR_RETURN(auto cond, rule.GetObject(key));
    if (!cond.has_value()) continue;
    std::vector<std::string> caps, arches;
    MYDOCKER_RETURN_IF_ERROR(cond->GetStringArray("caps", &caps));
    MYDOCKER_RETURN_IF_ERROR(cond->GetStringArray("arches", &arches));
    bool include = key[0] == 'i';
    if (include && !absl::c_all_of(caps, has_cap)) return false;
    if (include && !arches.empty() && !absl::c_any_of(arches, IsNativeArch)) return false;
    if (!include && (absl::c_any_of(caps, has_cap) || absl::c_any_of(arches, IsNativeArch))) {
      return false;
    }
  }
  return true;
}

absl::Status ReadSyscall(const json::ObjectReader& r, SeccompSyscall* call) {
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("names", &call->names));
  if (call->names.empty()) {
    std::string name;  // Docker's older profiles: one "name"
    MYDOCKER_RETURN_IF_ERROR(r.GetString("name", &name));
    if (!name.empty()) call->names.push_back(name);
  }
  MYDOCKER_RETURN_IF_ERROR(r.GetString("action", &call->action));
  MYDOCKER_RETURN_IF_ERROR(CheckName(kActions, call->action, r.FieldPath("action")));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("errnoRet", &call->errno_ret));
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* args, r.GetArray("args"));
  for (rapidjson::SizeType i = 0; args != nullptr && i < args->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader a,
                              json::ObjectReader::Make((*args)[i], r.ElementPath("args", i)));
    SeccompArg arg;
    MYDOCKER_RETURN_IF_ERROR(ReadArg(a, &arg));
    call->args.push_back(std::move(arg));
  }
  return absl::OkStatus();
}

// Reads the profile; with `capabilities` set, Docker's conditional rules are evaluated and
// its archMap consulted.
absl::Status ReadProfile(const json::ObjectReader& r, LinuxSeccomp* seccomp,
                         const std::vector<std::string>* capabilities) {
  MYDOCKER_RETURN_IF_ERROR(r.GetString("defaultAction", &seccomp->default_action));
  MYDOCKER_RETURN_IF_ERROR(
      CheckName(kActions, seccomp->default_action, r.FieldPath("defaultAction")));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("defaultErrnoRet", &seccomp->default_errno_ret));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("architectures", &seccomp->architectures));
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* arch_map, r.GetArray("archMap"));
  for (rapidjson::SizeType i = 0; capabilities != nullptr && seccomp->architectures.empty() &&
                                  arch_map != nullptr && i < arch_map->Size();
       ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(
        json::ObjectReader m,
        json::ObjectReader::Make((*arch_map)[i], r.ElementPath("archMap", i)));
    std::string arch;
    MYDOCKER_RETURN_IF_ERROR(m.GetString("architecture", &arch));
    if (!IsNativeArch(arch)) continue;
    seccomp->architectures.push_back(arch);
    std::vector<std::string> sub;
    MYDOCKER_RETURN_IF_ERROR(m.GetStringArray("subArchitectures", &sub));
    seccomp->architectures.insert(seccomp->architectures.end(), sub.begin(), sub.end());
  }
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* calls, r.GetArray("syscalls"));
  for (rapidjson::SizeType i = 0; calls != nullptr && i < calls->Size(); ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader c,
                              json::ObjectReader::Make((*calls)[i], r.ElementPath("syscalls", i)));
    if (capabilities != nullptr) {
      MYDOCKER_ASSIGN_OR_RETURN(bool applies, RuleApplies(c, *capabilities));
      if (!applies) continue;
    }
    SeccompSyscall call;
    MYDOCKER_RETURN_IF_ERROR(ReadSyscall(c, &call));
    seccomp->syscalls.push_back(std::move(call));
  }
  return absl::OkStatus();
}

}  // namespace

LinuxSeccomp DefaultSeccompProfile() {
  LinuxSeccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
#if defined(__x86_64__)
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#endif
  SeccompSyscall denied;
  denied.action = "SCMP_ACT_ERRNO";
  denied.errno_ret = EPERM;
  denied.names = {
      // kernel code and the machine itself
      "init_module", "finit_module", "delete_module", "create_module", "query_module",
      "get_kernel_syms", "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "iopl",
      "ioperm", "vm86", "vm86old", "uselib", "nfsservctl", "acct", "lookup_dcookie", "sysfs",
      "_sysctl", "ustat", "syslog", "vhangup", "quotactl", "quotactl_fd",
      // clocks
      "settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime",
      "clock_adjtime64",
      // keyrings, BPF, performance counters, page-fault handling, asynchronous rings
      "add_key", "request_key", "keyctl", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
      "io_uring_enter", "io_uring_register",
      // other processes' memory and resources, memory placement
      "process_vm_readv", "process_vm_writev", "kcmp", "move_pages", "migrate_pages",
      // mounts, namespaces, file handles by inode (the "shocker" escape)
      "mount", "umount", "umount2", "pivot_root", "mount_setattr", "move_mount", "open_tree",
      "fsopen", "fsconfig", "fsmount", "fspick", "unshare", "setns", "name_to_handle_at",
      "open_by_handle_at", "fanotify_init"};
  p.syscalls.push_back(denied);
  // clone with any namespace flag; one rule per flag because a masked comparison tests
  // equality. CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME.
  for (uint64_t flag : {0x00020000ULL, 0x02000000ULL, 0x04000000ULL, 0x08000000ULL, 0x10000000ULL,
                        0x20000000ULL, 0x40000000ULL, 0x00000080ULL}) {
    SeccompSyscall clone;
    clone.names = {"clone"};
    clone.action = "SCMP_ACT_ERRNO";
    clone.errno_ret = EPERM;
    clone.args = {{0, flag, flag, "SCMP_CMP_MASKED_EQ"}};
    p.syscalls.push_back(clone);
  }
  // clone3 passes its flags in memory, out of a filter's reach: ENOSYS makes C libraries use
  // clone, whose flags the rules above see.
  SeccompSyscall clone3;
  clone3.names = {"clone3"};
  clone3.action = "SCMP_ACT_ERRNO";
  clone3.errno_ret = ENOSYS;
  p.syscalls.push_back(clone3);
  return p;
}

absl::StatusOr<LinuxSeccomp> SeccompProfileFromJson(absl::string_view text,
                                                    const std::vector<std::string>& capabilities) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "seccomp profile", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, ""));
  LinuxSeccomp seccomp;
  MYDOCKER_RETURN_IF_ERROR(ReadProfile(r, &seccomp, &capabilities));
  if (seccomp.default_action.empty()) {
    return absl::InvalidArgumentError("seccomp profile: defaultAction is required");
  }
  return seccomp;
}

void WriteSeccomp(json::Writer& w, const LinuxSeccomp& seccomp) {
  w.StartObject();
  json::KeyString(w, "defaultAction", seccomp.default_action);
  json::KeyOptional(w, "defaultErrnoRet", seccomp.default_errno_ret);
  json::KeyStringArray(w, "architectures", seccomp.architectures);
  json::KeyObjectArray(w, "syscalls", seccomp.syscalls, [&](const SeccompSyscall& call) {
    json::KeyStringArray(w, "names", call.names);
    json::KeyString(w, "action", call.action);
    json::KeyOptional(w, "errnoRet", call.errno_ret);
    if (call.args.empty()) return;
    json::KeyObjectArray(w, "args", call.args, [&](const SeccompArg& arg) {
      json::KeyUint(w, "index", arg.index);
      json::KeyUint(w, "value", arg.value);
      json::KeyUint(w, "valueTwo", arg.value_two);
      json::KeyString(w, "op", arg.op);
    });
  });
  w.EndObject();
}

absl::Status ReadSeccomp(const json::ObjectReader& r, LinuxSeccomp* seccomp) {
  return ReadProfile(r, seccomp, nullptr);
}

}  // namespace mydocker
