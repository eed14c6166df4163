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

SeccompFeatures SupportedSeccomp() {
  SeccompFeatures f;
  f.actions.assign(std::begin(kActions), std::end(kActions));
  f.operators.assign(std::begin(kOperators), std::end(kOperators));
  absl::string_view native = kNativeArches[std::size(kNativeArches) - 1];
  if (!native.empty()) f.archs.emplace_back(native);
  return f;
}

namespace {

// The calls every container may make, as in Docker's default profile: what programs need and
// what the kernel confines to the container's own namespaces, credentials and limits. Left out,
// so refused with EPERM: what reaches the host kernel's global state or widens the container's
// view of it (kernel modules, kexec, clocks, swap, reboot, keyrings, BPF, perf events, mounts and
// the new mount API, new namespaces, other processes' memory, io_uring, userfaultfd, handles by
// inode, fanotify_init, quotas, accounting, the kernel log, port I/O). A call newer than every
// call named here gets ENOSYS (CompileSeccomp), which C libraries take as "fall back".
constexpr const char* kAllowed[] = {
    // files and directories
    "access", "faccessat", "faccessat2", "open", "openat", "openat2", "creat", "close",
    "close_range", "dup", "dup2", "dup3", "read", "readv", "pread64", "preadv", "preadv2", "write",
    "writev", "pwrite64", "pwritev", "pwritev2", "lseek", "_llseek", "fcntl", "fcntl64", "ioctl",
    "flock", "fsync", "fdatasync", "sync", "syncfs", "sync_file_range", "fallocate", "fadvise64",
    "fadvise64_64", "readahead", "truncate", "truncate64", "ftruncate", "ftruncate64", "stat",
    "stat64", "lstat", "lstat64", "fstat", "fstat64", "newfstatat", "fstatat64", "statx", "statfs",
    "statfs64", "fstatfs", "fstatfs64", "oldstat", "oldlstat", "oldfstat", "getdents", "getdents64",
    "readdir", "getcwd", "chdir", "fchdir", "chroot", "umask", "chmod", "fchmod", "fchmodat",
    "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32", "link", "linkat",
    "symlink", "symlinkat", "readlink", "readlinkat", "unlink", "unlinkat", "rename", "renameat",
    "renameat2", "mkdir", "mkdirat", "rmdir", "mknod", "mknodat", "utime", "utimes", "utimensat",
    "utimensat_time64", "futimesat", "getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr",
    "fsetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
    "fremovexattr", "copy_file_range", "sendfile", "sendfile64", "splice", "tee", "vmsplice",
    "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_mark",
    "pipe", "pipe2", "memfd_create", "memfd_secret", "cachestat", "fchmodat2",
    // memory
    "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "msync", "madvise", "mincore", "mlock",
    "mlock2", "mlockall", "munlock", "munlockall", "remap_file_pages", "membarrier", "pkey_alloc",
    "pkey_free", "pkey_mprotect", "mbind", "get_mempolicy", "set_mempolicy",
    "set_mempolicy_home_node", "map_shadow_stack", "process_madvise", "process_mrelease",
    // processes, threads, credentials
    "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid",
    "kill", "tkill", "tgkill", "pidfd_open", "pidfd_send_signal", "getpid", "getppid", "gettid",
    "getpgid", "setpgid", "getpgrp", "getsid", "setsid", "getuid", "getuid32", "geteuid",
    "geteuid32", "getgid", "getgid32", "getegid", "getegid32", "getresuid", "getresuid32",
    "getresgid", "getresgid32", "getgroups", "getgroups32", "setuid", "setuid32", "setgid",
    "setgid32", "setreuid", "setreuid32", "setregid", "setregid32", "setresuid", "setresuid32",
    "setresgid", "setresgid32", "setfsuid", "setfsuid32", "setfsgid", "setfsgid32", "setgroups",
    "setgroups32", "capget", "capset", "prctl", "arch_prctl", "modify_ldt", "set_thread_area",
    "get_thread_area", "set_tid_address", "set_robust_list", "get_robust_list", "rseq", "futex",
    "futex_time64", "futex_waitv", "futex_wake", "futex_wait", "futex_requeue", "seccomp",
    "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "ptrace",
    "restart_syscall", "getpriority", "setpriority", "nice", "ioprio_get", "ioprio_set",
    "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getattr", "sched_setattr",
    "sched_getparam", "sched_setparam", "sched_getscheduler", "sched_setscheduler",
    "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "getrlimit", "ugetrlimit", "setrlimit", "prlimit64",
    "getrusage", "times", "getcpu", "uname", "olduname", "sysinfo", "sethostname", "setdomainname",
    "getrandom",
    // signals
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigsuspend",
    "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "sigaction", "signal", "sigprocmask", "sigreturn", "sigpending", "sigsuspend", "sigaltstack",
    "signalfd", "signalfd4", "pause",
    // time (reading it; setting it is the host's)
    "time", "gettimeofday", "clock_gettime", "clock_gettime64", "clock_getres",
    "clock_getres_time64", "clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "alarm",
    "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
    "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
    "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "adjtimex",
    // waiting and events
    "poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6", "pselect6_time64",
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_wait", "epoll_wait_old",
    "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "io_setup", "io_destroy", "io_submit",
    "io_cancel", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
    // sockets (socket itself below) and System V / POSIX IPC
    "socketpair", "bind", "connect", "listen", "accept", "accept4", "getsockname", "getpeername",
    "send", "sendto", "sendmsg", "sendmmsg", "recv", "recvfrom", "recvmsg", "recvmmsg",
    "recvmmsg_time64", "shutdown", "getsockopt", "setsockopt", "socketcall", "ipc", "shmget",
    "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semtimedop_time64", "semctl",
    "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend",
    "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64", "mq_notify",
    "mq_getsetattr"};

// Namespace flags of clone (CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET,
// NEWTIME): clone is allowed without any of them.
constexpr uint64_t kCloneNamespaceFlags = 0x7E020080;
constexpr uint64_t kAfVsock = 40;

SeccompSyscall Rule(std::vector<std::string> names, const char* action = "SCMP_ACT_ALLOW",
                    std::vector<SeccompArg> args = {}) {
  SeccompSyscall call;
  call.names = std::move(names);
  call.action = action;
  call.args = std::move(args);
  return call;
}

// Calls Docker's default profile allows only to a container holding a capability, because the
// capability is what the kernel checks for them (facts from moby's profiles/seccomp).
struct CapabilityCalls {
  const char* capability;
  std::vector<std::string> names;
};

const std::vector<CapabilityCalls>& CallsByCapability() {
  static const auto* calls = new std::vector<CapabilityCalls>{
      {"CAP_SYS_ADMIN",
       {"bpf", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
        "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl",
        "quotactl_fd", "setns", "syslog", "umount", "umount2", "unshare"}},
      {"CAP_DAC_READ_SEARCH", {"open_by_handle_at"}},
      {"CAP_SYS_BOOT", {"reboot"}},
      {"CAP_SYS_MODULE", {"init_module", "finit_module", "delete_module"}},
      {"CAP_SYS_PACCT", {"acct"}},
      {"CAP_SYS_PTRACE", {"kcmp", "pidfd_getfd", "process_vm_readv", "process_vm_writev"}},
      {"CAP_SYS_RAWIO", {"iopl", "ioperm"}},
      {"CAP_SYS_TIME",
       {"settimeofday", "stime", "clock_settime", "clock_settime64", "clock_adjtime",
        "clock_adjtime64"}},
      {"CAP_SYS_TTY_CONFIG", {"vhangup"}},
      {"CAP_SYSLOG", {"syslog"}},
      {"CAP_BPF", {"bpf"}},
      {"CAP_PERFMON", {"perf_event_open"}},
  };
  return *calls;
}

}  // namespace

LinuxSeccomp DefaultSeccompProfile(const std::vector<std::string>& capabilities) {
  auto has = [&](absl::string_view cap) { return absl::c_linear_search(capabilities, cap); };
  LinuxSeccomp p;
  p.default_action = "SCMP_ACT_ERRNO";
  p.default_errno_ret = EPERM;
#if defined(__x86_64__)
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#endif
  p.syscalls.push_back(Rule({std::begin(kAllowed), std::end(kAllowed)}));
  for (const CapabilityCalls& c : CallsByCapability()) {
    if (has(c.capability)) p.syscalls.push_back(Rule(c.names));
  }
  if (has("CAP_SYS_ADMIN")) {
    // Namespaces of its own are what CAP_SYS_ADMIN is asked for: clone and clone3 with any flags.
    p.syscalls.push_back(Rule({"clone", "clone3"}));
  } else {
    p.syscalls.push_back(
        Rule({"clone"}, "SCMP_ACT_ALLOW", {{0, kCloneNamespaceFlags, 0, "SCMP_CMP_MASKED_EQ"}}));
    // clone3 passes its flags in memory, out of a filter's reach: ENOSYS makes C libraries use
    // clone, whose flags the rule above sees.
    SeccompSyscall clone3 = Rule({"clone3"}, "SCMP_ACT_ERRNO");
    clone3.errno_ret = ENOSYS;
    p.syscalls.push_back(clone3);
  }
  // Every address family but vsock, which reaches the host (or its hypervisor) directly.
  p.syscalls.push_back(Rule({"socket"}, "SCMP_ACT_ALLOW", {{0, kAfVsock, 0, "SCMP_CMP_NE"}}));
  // Docker's personalities: Linux, with UNAME26, with ADDR_LIMIT_32BIT... (0x8, 0x20000,
  // 0x20008) and the query (0xffffffff); not READ_IMPLIES_EXEC or ADDR_NO_RANDOMIZE.
  for (uint64_t persona : {0x0ULL, 0x8ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL}) {
    p.syscalls.push_back(Rule({"personality"}, "SCMP_ACT_ALLOW", {{0, persona, 0, "SCMP_CMP_EQ"}}));
  }
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
