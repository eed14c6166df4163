#include "cgroups/device_filter.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker::cgroups {
namespace {

// Registers the program reads its context into (struct bpf_cgroup_dev_ctx: access_type holds the
// device type in its low 16 bits and the access in its high 16; then major, minor).
constexpr uint8_t kCtx = 1, kScratch = 1, kType = 2, kAccess = 3, kMajor = 4, kMinor = 5;

struct bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  struct bpf_insn insn;
  std::memset(&insn, 0, sizeof insn);
  insn.code = code;
  insn.dst_reg = dst & 0xf;
  insn.src_reg = src & 0xf;
  insn.off = off;
  insn.imm = imm;
  return insn;
}

struct bpf_insn LoadCtxWord(uint8_t dst, int16_t offset) {
  return Insn(BPF_LDX | BPF_MEM | BPF_W, dst, kCtx, offset, 0);
}
struct bpf_insn Alu32Imm(uint8_t op, uint8_t dst, int32_t imm) {
  return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
struct bpf_insn Return(int32_t value) {
  return Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, value);
}
struct bpf_insn Exit() {
  return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

// Appends the test of one exception: each condition that fails jumps past the block; if all
// hold, the program returns the opposite of the default. The type is always tested, so the code
// after the block stays reachable (the verifier refuses unreachable instructions).
void AppendException(const DeviceException& ex, bool default_allow,
                     std::vector<struct bpf_insn>& prog) {
  std::vector<size_t> jumps;  // indexes whose offset goes to the end of the block
  auto jump_unless = [&](uint8_t op, uint8_t reg, int32_t imm) {
    jumps.push_back(prog.size());
    prog.push_back(Insn(BPF_JMP | op | BPF_K, reg, 0, 0, imm));
  };
  jump_unless(BPF_JNE, kType, ex.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  constexpr uint8_t kAll = kDeviceMknod | kDeviceRead | kDeviceWrite;
  if (ex.access != kAll) {
    prog.push_back(Insn(BPF_ALU64 | BPF_MOV | BPF_X, kScratch, kAccess, 0, 0));
    if (default_allow) {
      // A deny exception applies when the access asks for any of its bits.
      prog.push_back(Alu32Imm(BPF_AND, kScratch, ex.access));
      jump_unless(BPF_JEQ, kScratch, 0);
    } else {
      // An allow exception applies when it covers every bit asked for.
      prog.push_back(Alu32Imm(BPF_AND, kScratch, static_cast<int32_t>(~ex.access & kAll)));
      jump_unless(BPF_JNE, kScratch, 0);
    }
  }
  if (ex.major.has_value()) jump_unless(BPF_JNE, kMajor, static_cast<int32_t>(*ex.major));
  if (ex.minor.has_value()) jump_unless(BPF_JNE, kMinor, static_cast<int32_t>(*ex.minor));
  prog.push_back(Return(default_allow ? 0 : 1));
  prog.push_back(Exit());
  for (size_t at : jumps) prog[at].off = static_cast<int16_t>(prog.size() - at - 1);
}

long Bpf(int cmd, union bpf_attr* attr) { return ::syscall(SYS_bpf, cmd, attr, sizeof *attr); }

absl::StatusOr<UniqueFd> LoadProgram(const std::vector<struct bpf_insn>& program) {
  static constexpr char kLicense[] = "Apache-2.0";
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uintptr_t>(program.data());
  attr.insn_cnt = static_cast<uint32_t>(program.size());
  attr.license = reinterpret_cast<uintptr_t>(kLicense);
  long fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  const int err = errno;
  // Again with the verifier's log, which says why (only worth it for a refused program).
  std::string log(64 * 1024, '\0');
  attr.log_level = 1;
  attr.log_buf = reinterpret_cast<uintptr_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  log.resize(std::strlen(log.c_str()));
  std::string detail(absl::StripTrailingAsciiWhitespace(log));
  if (detail.size() > 2000) detail = "..." + detail.substr(detail.size() - 2000);
  std::string what = "load device cgroup eBPF program";
  if (!detail.empty()) absl::StrAppend(&what, " (verifier: ", detail, ")");
  if (err == EPERM) absl::StrAppend(&what, " (needs CAP_SYS_ADMIN or CAP_BPF)");
  return ErrnoError(err, what);
}

absl::StatusOr<UniqueFd> OpenCgroup(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return LastErrnoError(absl::StrCat("open cgroup ", dir));
  return fd;
}

absl::StatusOr<std::vector<uint32_t>> QueryPrograms(int cgroup_fd, const std::string& dir) {
  std::vector<uint32_t> ids(8);
  for (;;) {
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = reinterpret_cast<uintptr_t>(ids.data());
    attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
    if (Bpf(BPF_PROG_QUERY, &attr) == 0) {
      ids.resize(std::min<size_t>(attr.query.prog_cnt, ids.size()));
      return ids;
    }
    // ENOSPC: more programs than room; prog_cnt says how many.
    if (errno != ENOSPC || attr.query.prog_cnt <= ids.size()) {
      return LastErrnoError(absl::StrCat("query device programs of cgroup ", dir));
    }
    ids.resize(attr.query.prog_cnt);
  }
}

absl::StatusOr<UniqueFd> ProgramById(uint32_t id) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_id = id;
  long fd = Bpf(BPF_PROG_GET_FD_BY_ID, &attr);
  if (fd < 0) return LastErrnoError(absl::StrCat("open eBPF program ", id));
  return UniqueFd(static_cast<int>(fd));
}

absl::Status Attach(int cgroup_fd, int prog_fd, int replace_fd, const std::string& dir) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (replace_fd >= 0) {
    attr.attach_flags |= BPF_F_REPLACE;
    attr.replace_bpf_fd = static_cast<uint32_t>(replace_fd);
  }
  if (Bpf(BPF_PROG_ATTACH, &attr) != 0) {
    return LastErrnoError(absl::StrCat("attach device cgroup eBPF program to ", dir));
  }
  return absl::OkStatus();
}

absl::Status Detach(int cgroup_fd, int prog_fd, const std::string& dir) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (Bpf(BPF_PROG_DETACH, &attr) != 0 && errno != ENOENT) {
    return LastErrnoError(absl::StrCat("detach device cgroup eBPF program from ", dir));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<struct bpf_insn> DeviceFilterProgram(const DevicePolicy& policy) {
  std::vector<struct bpf_insn> prog = {
      LoadCtxWord(kType, offsetof(struct bpf_cgroup_dev_ctx, access_type)),
      Alu32Imm(BPF_AND, kType, 0xffff),
      LoadCtxWord(kAccess, offsetof(struct bpf_cgroup_dev_ctx, access_type)),
      Alu32Imm(BPF_RSH, kAccess, 16),
      LoadCtxWord(kMajor, offsetof(struct bpf_cgroup_dev_ctx, major)),
      LoadCtxWord(kMinor, offsetof(struct bpf_cgroup_dev_ctx, minor)),
  };
  for (const DeviceException& ex : policy.exceptions)
    AppendException(ex, policy.default_allow, prog);
  prog.push_back(Return(policy.default_allow ? 1 : 0));
  prog.push_back(Exit());
  return prog;
}

absl::StatusOr<std::vector<uint32_t>> AttachedDeviceFilters(const std::string& dir) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd cgroup, OpenCgroup(dir));
  return QueryPrograms(cgroup.get(), dir);
}

absl::Status AttachDeviceFilter(const std::string& dir,
                                const std::vector<struct bpf_insn>& program) {
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd prog, LoadProgram(program));
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd cgroup, OpenCgroup(dir));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<uint32_t> old_ids, QueryPrograms(cgroup.get(), dir));
  std::vector<UniqueFd> old;
  for (uint32_t id : old_ids) {
    MYDOCKER_ASSIGN_OR_RETURN(UniqueFd fd, ProgramById(id));
    old.push_back(std::move(fd));
  }
  if (old.size() == 1) {
    absl::Status replaced = Attach(cgroup.get(), prog.get(), old[0].get(), dir);
    // EINVAL: a kernel before 5.6, without BPF_F_REPLACE; attach, then detach, below.
    if (replaced.ok() || !absl::IsInvalidArgument(replaced)) return replaced;
  }
  MYDOCKER_RETURN_IF_ERROR(Attach(cgroup.get(), prog.get(), -1, dir));
  for (const UniqueFd& fd : old) MYDOCKER_RETURN_IF_ERROR(Detach(cgroup.get(), fd.get(), dir));
  return absl::OkStatus();
}

absl::Status ApplyDeviceFilter(const std::string& dir, const DevicePolicy& policy) {
  return AttachDeviceFilter(dir, DeviceFilterProgram(policy));
}

}  // namespace mydocker::cgroups
