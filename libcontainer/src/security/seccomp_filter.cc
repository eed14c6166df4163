// Compiling a seccomp profile to BPF with libseccomp.
#include <linux/audit.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <map>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"
#include "security/seccomp.h"

namespace mydocker {
namespace {

struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

absl::StatusOr<uint32_t> Action(const std::string& name, std::optional<uint32_t> errno_ret) {
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  return absl::InvalidArgumentError(absl::StrCat("unknown seccomp action \"", name, "\""));
}

absl::StatusOr<scmp_compare> Operator(const std::string& name) {
  static const std::map<std::string, scmp_compare> kOps = {
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  auto it = kOps.find(name);
  if (it == kOps.end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown seccomp operator \"", name, "\""));
  }
  return it->second;
}

// libseccomp's token for a profile's architecture name ("SCMP_ARCH_X86_64" or "x86_64"); 0 if
// unknown.
uint32_t ResolveArch(const std::string& name) {
  std::string token =
      absl::AsciiStrToLower(absl::StartsWith(name, "SCMP_ARCH_") ? name.substr(10) : name);
  return seccomp_arch_resolve_name(token.c_str());
}

absl::Status AddArchitectures(void* ctx, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    uint32_t arch = ResolveArch(name);
    if (arch == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown seccomp architecture \"", name, "\""));
    }
    int rc = seccomp_arch_add(ctx, arch);
    if (rc != 0 && rc != -EEXIST) {
      return absl::ErrnoToStatus(-rc, absl::StrCat("seccomp: add architecture ", name));
    }
  }
  return absl::OkStatus();
}

// One rule for `nr`. libseccomp takes at most one comparison per argument in a rule, so
// comparisons that repeat an argument become rules of their own (any of them matching), as
// runc does.
absl::Status AddRule(void* ctx, uint32_t action, int nr, const SeccompSyscall& call,
                     const std::string& name) {
  std::vector<scmp_arg_cmp> cmps;
  bool repeated = false;
  for (const SeccompArg& a : call.args) {
    MYDOCKER_ASSIGN_OR_RETURN(scmp_compare op, Operator(a.op));
    for (const scmp_arg_cmp& c : cmps) repeated |= c.arg == a.index;
    cmps.push_back({a.index, op, a.value, a.value_two});
  }
  auto add = [&](const scmp_arg_cmp* args, unsigned n) -> absl::Status {
    int rc = seccomp_rule_add_array(ctx, action, nr, n, args);
    if (rc == 0) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("seccomp rule for ", name, ": ", absl::ErrnoToStatus(-rc, "").message()));
  };
  if (!repeated) return add(cmps.data(), static_cast<unsigned>(cmps.size()));
  for (const scmp_arg_cmp& c : cmps) MYDOCKER_RETURN_IF_ERROR(add(&c, 1));
  return absl::OkStatus();
}

// System calls added since Linux 6.5 that a libseccomp may not name yet. Their numbers are the
// same on every architecture but alpha (new calls share one table since 5.1).
constexpr std::pair<const char*, int> kUnifiedCalls[] = {
    {"cachestat", 451},         {"fchmodat2", 452},        {"map_shadow_stack", 453},
    {"futex_wake", 454},        {"futex_wait", 455},       {"futex_requeue", 456},
    {"statmount", 457},         {"listmount", 458},        {"lsm_get_self_attr", 459},
    {"lsm_set_self_attr", 460}, {"lsm_list_modules", 461}, {"mseal", 462},
    {"setxattrat", 463},        {"getxattrat", 464},       {"listxattrat", 465},
    {"removexattrat", 466},     {"open_tree_attr", 467},   {"file_getattr", 468},
    {"file_setattr", 469}};

int UnifiedNumber(const std::string& name) {
  for (const auto& [n, nr] : kUnifiedCalls) {
    if (name == n) return nr;
  }
  return -1;
}

// What the program says before libseccomp's, per architecture (by AUDIT_ARCH value): the
// calls this libseccomp cannot name, by number, and ENOSYS for every call numbered above the
// highest the profile names. So a call newer than the profile fails as on an older kernel, which
// is what C libraries expect before they fall back, rather than with the default EPERM (runc
// and crun do the same).
struct ArchPrelude {
  uint32_t arch = 0;
  int highest = -1;
  std::vector<std::pair<int, uint32_t>> by_number;  // number, action
};

sock_filter Stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}

std::vector<sock_filter> PreludeBlock(const ArchPrelude& a, size_t after) {
  std::vector<sock_filter> b = {Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr))};
  size_t x32_check = b.size();
  if (a.arch == AUDIT_ARCH_X86_64) b.push_back(Jump(BPF_JMP | BPF_JSET | BPF_K, 0x40000000, 0, 0));
  for (const auto& [nr, action] : a.by_number) {
    b.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1));
    b.push_back(Stmt(BPF_RET | BPF_K, action));
  }
  b.push_back(Jump(BPF_JMP | BPF_JGE | BPF_K, static_cast<uint32_t>(a.highest + 1), 0, 1));
  b.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS));
  // x32 calls (nr with bit 30) are left to libseccomp's program, as is everything else.
  if (a.arch == AUDIT_ARCH_X86_64) b[x32_check].jt = static_cast<uint8_t>(b.size() - x32_check - 1);
  b.push_back(Stmt(BPF_JMP | BPF_JA, static_cast<uint32_t>(after)));
  return b;
}

// The prelude's instructions; empty if a jump would not fit in BPF's 8-bit offsets.
std::vector<sock_filter> Prelude(const std::vector<ArchPrelude>& arches) {
  std::vector<std::vector<sock_filter>> blocks(arches.size());
  size_t after = 0;  // instructions after the block being made
  for (size_t i = arches.size(); i-- > 0;) {
    blocks[i] = PreludeBlock(arches[i], after);
    after += blocks[i].size();
  }
  std::vector<sock_filter> out = {Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch))};
  size_t dispatch = 1 + arches.size() + 1;  // load, one test per architecture, jump past all
  size_t start = dispatch;
  for (size_t i = 0; i < arches.size(); ++i) {
    size_t jt = start - out.size() - 1;
    if (jt > 255 || blocks[i].size() > 255) return {};
    out.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, arches[i].arch, static_cast<uint8_t>(jt), 0));
    start += blocks[i].size();
  }
  out.push_back(Stmt(BPF_JMP | BPF_JA, static_cast<uint32_t>(after)));
  for (const auto& b : blocks) out.insert(out.end(), b.begin(), b.end());
  return out;
}

// The architectures the prelude covers: those of the filter that have a table of their own (not
// x32, whose calls arrive as x86_64's with bit 30 set).
std::vector<uint32_t> PreludeArches(const LinuxSeccomp& seccomp) {
  std::vector<uint32_t> arches = {seccomp_arch_native()};
  for (const std::string& name : seccomp.architectures) {
    uint32_t arch = ResolveArch(name);
    if (arch != 0 && arch != SCMP_ARCH_X32 &&
        std::find(arches.begin(), arches.end(), arch) == arches.end()) {
      arches.push_back(arch);
    }
  }
  return arches;
}

absl::StatusOr<std::vector<sock_filter>> Export(void* ctx) {
  UniqueFd fd(::memfd_create("seccomp", MFD_CLOEXEC));
  if (!fd) return LastErrnoError("memfd_create for seccomp");
  int rc = seccomp_export_bpf(ctx, fd.get());
  if (rc != 0) return absl::ErrnoToStatus(-rc, "seccomp: export filter");
  off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0) {
    return absl::InternalError(absl::StrCat("seccomp: exported filter of ", size, " bytes"));
  }
  std::vector<sock_filter> program(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(fd.get(), program.data(), static_cast<size_t>(size), 0) != size) {
    return LastErrnoError("read exported seccomp filter");
  }
  return program;
}

}  // namespace

absl::StatusOr<std::vector<sock_filter>> CompileSeccomp(const LinuxSeccomp& seccomp, bool compact) {
  MYDOCKER_ASSIGN_OR_RETURN(uint32_t default_action,
                            Action(seccomp.default_action, seccomp.default_errno_ret));
  Context ctx(seccomp_init(default_action));
  if (ctx == nullptr) return absl::InternalError("seccomp_init failed");
  // The filter is only exported here; init loads it itself, at the step it chooses.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  MYDOCKER_RETURN_IF_ERROR(AddArchitectures(ctx.get(), seccomp.architectures));
  int rules = 0;
  // Only where unnamed calls are refused: with an allowing default, a new call is allowed.
  const bool refusing = default_action != SCMP_ACT_ALLOW && default_action != SCMP_ACT_LOG;
  std::vector<ArchPrelude> prelude;
  if (refusing) {
    for (uint32_t arch : PreludeArches(seccomp)) prelude.push_back({arch, -1, {}});
  }
  for (const SeccompSyscall& call : seccomp.syscalls) {
    MYDOCKER_ASSIGN_OR_RETURN(uint32_t action, Action(call.action, call.errno_ret));
    for (const std::string& name : call.names) {
      for (ArchPrelude& a : prelude) {
        a.highest = std::max(a.highest, seccomp_syscall_resolve_name_arch(a.arch, name.c_str()));
      }
      if (action == default_action) continue;  // libseccomp refuses such rules: no change
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {
        int unified = UnifiedNumber(name);
        if (unified < 0 || !call.args.empty()) continue;  // unknown here, as runc and crun do
        for (ArchPrelude& a : prelude) a.by_number.emplace_back(unified, action);
        continue;
      }
      MYDOCKER_RETURN_IF_ERROR(AddRule(ctx.get(), action, nr, call, name));
      ++rules;
    }
  }
  // System call numbers in a binary tree rather than a list: a call the profile does not name
  // runs through ~8 comparisons instead of all of them, and so does the kernel's emulation of
  // the filter for every system call number when it is loaded (its cache of calls that are
  // always allowed): loading took ~0.4 ms with the list. Not before libseccomp 2.5.4, whose
  // tree without any rule ignored the default action (libseccomp issue 370); if the attribute
  // is refused, the list stays.
  const scmp_version* v = seccomp_version();
  if (rules > 0 &&
      (v->major > 2 || (v->major == 2 && (v->minor > 5 || (v->minor == 5 && v->micro >= 4))))) {
    seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<sock_filter> program, Export(ctx.get()));
  if (refusing) {
    // An architecture for which the profile names no call keeps libseccomp's program only.
    prelude.erase(std::remove_if(prelude.begin(), prelude.end(),
                                 [](const ArchPrelude& a) { return a.highest < 0; }),
                  prelude.end());
    std::vector<sock_filter> head = Prelude(prelude);
    program.insert(program.begin(), head.begin(), head.end());
  }
  if (compact && program.size() <= BPF_MAXINSNS) program = CompactSeccomp(program);
  if (program.size() > BPF_MAXINSNS) {
    return absl::InvalidArgumentError(absl::StrCat("seccomp profile compiles to ", program.size(),
                                                   " instructions, the kernel takes at most ",
                                                   BPF_MAXINSNS));
  }
  return program;
}

}  // namespace mydocker
