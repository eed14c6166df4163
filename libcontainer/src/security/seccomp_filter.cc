// Compiling a seccomp profile to BPF with libseccomp.
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
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

absl::Status AddArchitectures(void* ctx, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    std::string token =
        absl::AsciiStrToLower(absl::StartsWith(name, "SCMP_ARCH_") ? name.substr(10) : name);
    uint32_t arch = seccomp_arch_resolve_name(token.c_str());
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

absl::StatusOr<std::vector<sock_filter>> CompileSeccomp(const LinuxSeccomp& seccomp) {
  MYDOCKER_ASSIGN_OR_RETURN(uint32_t default_action,
                            Action(seccomp.default_action, seccomp.default_errno_ret));
  Context ctx(seccomp_init(default_action));
  if (ctx == nullptr) return absl::InternalError("seccomp_init failed");
  // The filter is only exported here; init loads it itself, at the step it chooses.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  MYDOCKER_RETURN_IF_ERROR(AddArchitectures(ctx.get(), seccomp.architectures));
  int rules = 0;
  for (const SeccompSyscall& call : seccomp.syscalls) {
    MYDOCKER_ASSIGN_OR_RETURN(uint32_t action, Action(call.action, call.errno_ret));
    if (action == default_action) continue;  // libseccomp refuses such rules; they change nothing
    for (const std::string& name : call.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;
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
  if (program.size() > BPF_MAXINSNS) {
    return absl::InvalidArgumentError(absl::StrCat("seccomp profile compiles to ", program.size(),
                                                   " instructions, the kernel takes at most ",
                                                   BPF_MAXINSNS));
  }
  return program;
}

}  // namespace mydocker
