#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "security/seccomp.h"

namespace mydocker {
namespace {

void ExpectSameAnswers(const std::vector<sock_filter>& before,
                       const std::vector<sock_filter>& after, const std::string& what) {
  std::optional<seccomp_data> d = SeccompAnswersDiffer(before, after);
  ASSERT_FALSE(d.has_value()) << what << ": arch " << std::hex << d->arch << " nr " << d->nr
                              << " args " << d->args[0] << " " << d->args[1] << " " << d->args[2]
                              << ": " << RunSeccompProgram(before, *d) << " before, "
                              << RunSeccompProgram(after, *d) << " after";
  // The comparison looked at arguments somewhere: each profile here has a rule on one.
  bool read_more = false;
  for (uint32_t arch : {AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64}) {
    for (uint32_t nr = 0; nr < 600 && !read_more; ++nr) {
      seccomp_data probe = {};
      probe.arch = arch;
      probe.nr = static_cast<int>(nr);
      RunSeccompProgram(before, probe, &read_more);
    }
  }
  EXPECT_TRUE(read_more) << what;
}

std::vector<sock_filter> Uncompacted(const LinuxSeccomp& profile) {
  auto program = CompileSeccomp(profile, /*compact=*/false);
  EXPECT_TRUE(program.ok()) << program.status();
  return program.ok() ? *program : std::vector<sock_filter>{};
}

TEST(SeccompCompactTest, DefaultProfilesAnswerAlikeInFewerInstructions) {
  const std::vector<std::vector<std::string>> capability_sets = {
      {},
      {"CAP_CHOWN", "CAP_KILL"},
      {"CAP_SYS_ADMIN"},
      {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_TIME", "CAP_SYS_MODULE", "CAP_BPF",
       "CAP_PERFMON", "CAP_SYSLOG", "CAP_SYS_RAWIO", "CAP_DAC_READ_SEARCH"}};
  for (const auto& caps : capability_sets) {
    std::vector<sock_filter> before = Uncompacted(DefaultSeccompProfile(caps));
    std::vector<sock_filter> after = CompactSeccomp(before);
    ExpectSameAnswers(before, after, absl::StrCat(caps.size(), " capabilities"));
#if defined(__x86_64__)
    // libseccomp's program for x86_64, i386 and x32 has 1,273 instructions with no capability.
    EXPECT_LT(after.size(), before.size() / 3) << caps.size() << " capabilities";
#endif
  }
  auto compiled = CompileSeccomp(DefaultSeccompProfile());
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(compiled->size(), CompactSeccomp(Uncompacted(DefaultSeccompProfile())).size());
}

TEST(SeccompCompactTest, ArgumentRulesAndOtherDefaultsAnswerAlike) {
  LinuxSeccomp allow;  // a deny list with conditions on arguments, 64-bit and masked ones
  allow.default_action = "SCMP_ACT_ALLOW";
  allow.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  allow.syscalls.push_back({{"getppid", "getpgrp"}, "SCMP_ACT_ERRNO", 42, {}});
  allow.syscalls.push_back({{"dup"},
                            "SCMP_ACT_ERRNO",
                            EACCES,
                            {{0, 100, 0, "SCMP_CMP_EQ"}, {0, 101, 0, "SCMP_CMP_EQ"}}});
  allow.syscalls.push_back(
      {{"ioctl"}, "SCMP_ACT_ERRNO", EINVAL, {{1, 0x100000000ULL, 0, "SCMP_CMP_GE"}}});
  allow.syscalls.push_back({{"clone"},
                            "SCMP_ACT_KILL_PROCESS",
                            std::nullopt,
                            {{0, 0x10000000, 0, "SCMP_CMP_MASKED_EQ"}}});
  allow.syscalls.push_back({{"kill"}, "SCMP_ACT_TRAP", std::nullopt, {{1, 9, 0, "SCMP_CMP_LT"}}});
  allow.syscalls.push_back({{"socket", "bind"}, "SCMP_ACT_LOG", std::nullopt, {}});
  std::vector<sock_filter> before = Uncompacted(allow);
  // Rebuilt, though not shorter for so few rules (CompactSeccomp keeps libseccomp's then).
  std::optional<std::vector<sock_filter>> rebuilt = RebuildSeccomp(before);
  ASSERT_TRUE(rebuilt.has_value());
  ExpectSameAnswers(before, *rebuilt, "deny list");

  LinuxSeccomp kill;  // killing by default, one architecture
  kill.default_action = "SCMP_ACT_KILL_PROCESS";
  kill.syscalls.push_back(
      {{"read", "write", "exit_group", "brk", "mmap"}, "SCMP_ACT_ALLOW", std::nullopt, {}});
  kill.syscalls.push_back({{"openat"}, "SCMP_ACT_ERRNO", ENOENT, {}});
  kill.syscalls.push_back({{"close"}, "SCMP_ACT_ALLOW", std::nullopt, {{0, 2, 0, "SCMP_CMP_GT"}}});
  before = Uncompacted(kill);
  rebuilt = RebuildSeccomp(before);
  ASSERT_TRUE(rebuilt.has_value());
  ExpectSameAnswers(before, *rebuilt, "kill list");
  EXPECT_EQ(CompactSeccomp(before).size(), std::min(before.size(), rebuilt->size()));
}

// Every other call allowed: too many answers for one architecture's tests to reach a shared
// RET within an 8-bit jump, so the search has a leaf of its own at each end and far jumps.
TEST(SeccompCompactTest, ManySegmentsAnswerAlike) {
  LinuxSeccomp alternate;
  alternate.default_action = "SCMP_ACT_ERRNO";
  SeccompSyscall allowed{{}, "SCMP_ACT_ALLOW", std::nullopt, {}};
  for (int nr = 0; nr < 460; nr += 2) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (name != nullptr) allowed.names.push_back(name);
    ::free(name);
  }
  alternate.syscalls.push_back(allowed);
  alternate.syscalls.push_back({{"close"}, "SCMP_ACT_ERRNO", EBADF, {{0, 1000, 0, "SCMP_CMP_GE"}}});
  std::vector<sock_filter> before = Uncompacted(alternate);
  std::optional<std::vector<sock_filter>> rebuilt = RebuildSeccomp(before);
  ASSERT_TRUE(rebuilt.has_value());
  ExpectSameAnswers(before, *rebuilt, "every other call");
}

TEST(SeccompCompactTest, ProgramsWithOtherInstructionsStayAsTheyAre) {
  const std::vector<sock_filter> with_x = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_STMT(BPF_MISC | BPF_TAX, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  EXPECT_FALSE(RebuildSeccomp(with_x).has_value());
  std::vector<sock_filter> out = CompactSeccomp(with_x);
  ASSERT_EQ(out.size(), with_x.size());
  EXPECT_EQ(out[1].code, BPF_MISC | BPF_TAX);
  // A mask on the number with a low bit would cut it into too many blocks.
  const std::vector<sock_filter> masked = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  EXPECT_FALSE(RebuildSeccomp(masked).has_value());
  // A jump past the end.
  const std::vector<sock_filter> broken = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 5),
                                           BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  EXPECT_FALSE(RebuildSeccomp(broken).has_value());
}

}  // namespace
}  // namespace mydocker
