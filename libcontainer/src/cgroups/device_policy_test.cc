#include "cgroups/device_policy.h"

#include <linux/bpf.h>

#include <cstddef>

#include "cgroups/device_filter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mydocker/devices.h"

namespace mydocker::cgroups {
namespace {

using ::testing::HasSubstr;

DeviceRule Rule(bool allow, char type, std::optional<int64_t> major, std::optional<int64_t> minor,
                const std::string& access) {
  return {allow, type, major, minor, access};
}

TEST(DevicePolicyTest, DockerDefaultIsAnAllowList) {
  auto policy = ReduceDeviceRules(DefaultDeviceRules());
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_FALSE(policy->default_allow);
  EXPECT_TRUE(policy->Allows('c', 1, 3, kDeviceRead | kDeviceWrite));    // /dev/null
  EXPECT_TRUE(policy->Allows('c', 136, 7, kDeviceRead | kDeviceWrite));  // a pty
  EXPECT_TRUE(policy->Allows('c', 10, 200, kDeviceRead));                // tun
  EXPECT_TRUE(policy->Allows('b', 8, 0, kDeviceMknod));                  // nodes may be made
  EXPECT_FALSE(policy->Allows('b', 8, 0, kDeviceRead));                  // not opened
  EXPECT_FALSE(policy->Allows('b', 7, 0, kDeviceWrite));
  EXPECT_FALSE(policy->Allows('c', 1, 1, kDeviceRead));     // /dev/mem
  EXPECT_FALSE(policy->Allows('c', 10, 229, kDeviceRead));  // fuse
  // An exception must cover the whole access: mknod alone does not allow mknod + read.
  EXPECT_FALSE(policy->Allows('b', 8, 0, kDeviceMknod | kDeviceRead));
}

TEST(DevicePolicyTest, RulesFollowTheKernelsV1Semantics) {
  // Without an 'a' rule the list starts from deny-all (runc's and crun's reading).
  auto policy = ReduceDeviceRules({Rule(true, 'c', 1, 3, "rw")});
  ASSERT_TRUE(policy.ok());
  EXPECT_FALSE(policy->default_allow);
  EXPECT_TRUE(policy->Allows('c', 1, 3, kDeviceRead));
  EXPECT_FALSE(policy->Allows('b', 8, 0, kDeviceRead));

  // Allow-all, then a deny for one disk: a deny list whose exception matches partially.
  policy = ReduceDeviceRules({Rule(true, 'a', {}, {}, "rwm"), Rule(false, 'b', 8, 0, "w")});
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(policy->default_allow);
  EXPECT_TRUE(policy->Allows('b', 8, 0, kDeviceRead));
  EXPECT_FALSE(policy->Allows('b', 8, 0, kDeviceRead | kDeviceWrite));
  EXPECT_TRUE(policy->Allows('b', 8, 1, kDeviceWrite));

  // Allow rules on an allow list merge; a deny of the same devices takes access back; a
  // wildcard deny does not narrow a specific exception.
  policy = ReduceDeviceRules({Rule(false, 'a', {}, {}, "rwm"), Rule(true, 'c', 4, {}, "r"),
                              Rule(true, 'c', 4, {}, "w"), Rule(false, 'c', 4, {}, "r"),
                              Rule(true, 'c', 5, 0, "rw"), Rule(false, 'c', {}, {}, "rw")});
  ASSERT_TRUE(policy.ok());
  ASSERT_EQ(policy->exceptions.size(), 2u);
  EXPECT_EQ(policy->exceptions[0].access, kDeviceWrite);
  EXPECT_FALSE(policy->Allows('c', 4, 1, kDeviceRead));
  EXPECT_TRUE(policy->Allows('c', 4, 1, kDeviceWrite));
  EXPECT_TRUE(policy->Allows('c', 5, 0, kDeviceRead));

  // An 'a' rule resets whatever came before.
  policy = ReduceDeviceRules({Rule(false, 'a', {}, {}, "rwm"), Rule(true, 'c', 1, 3, "rwm"),
                              Rule(true, 'a', {}, {}, "rwm")});
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE(policy->default_allow);
  EXPECT_TRUE(policy->exceptions.empty());
}

TEST(DevicePolicyTest, ReduceRefusesBadRules) {
  auto s = ReduceDeviceRules({Rule(true, 'x', 1, 3, "rwm")});
  EXPECT_THAT(s.status().message(), HasSubstr("invalid device type"));
  s = ReduceDeviceRules({Rule(true, 'c', 4096, 0, "r")});
  EXPECT_THAT(s.status().message(), HasSubstr("out of range"));
  s = ReduceDeviceRules({Rule(true, 'c', 1, -1, "r")});
  EXPECT_FALSE(s.ok());
  s = ReduceDeviceRules({Rule(true, 'c', 1, 3, "rr")});
  EXPECT_THAT(s.status().message(), HasSubstr("invalid device access"));
  s = ReduceDeviceRules({Rule(true, 'c', 1, 3, "")});
  EXPECT_FALSE(s.ok());
}

TEST(DevicePolicyTest, ToRulesAndDevicesListRoundTrip) {
  auto policy = ReduceDeviceRules(DefaultDeviceRules());
  ASSERT_TRUE(policy.ok());
  std::string list;
  for (const DeviceRule& r : policy->ToRules()) {
    if (r.type != 'a') list += FormatDeviceRule(r) + "\n";
  }
  EXPECT_THAT(list, HasSubstr("c 136:* rwm\n"));
  EXPECT_THAT(list, HasSubstr("b *:* m\n"));
  auto parsed = ParseDevicesList(list);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, *policy);
  auto all = ParseDevicesList("a *:* rwm\n");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->default_allow);
  auto again = ReduceDeviceRules(policy->ToRules());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *policy);
}

// Runs a device program the way the kernel would, for the few instructions it is made of, so
// that its verdicts can be compared with DevicePolicy::Allows without loading it.
int RunProgram(const std::vector<struct bpf_insn>& prog, uint32_t access_type, uint32_t major,
               uint32_t minor) {
  uint64_t reg[11] = {};
  const uint32_t ctx[3] = {access_type, major, minor};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const struct bpf_insn& in = prog[pc];
    uint64_t& dst = reg[in.dst_reg];
    const uint64_t imm = static_cast<uint64_t>(static_cast<int64_t>(in.imm));
    switch (in.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        EXPECT_EQ(in.src_reg, 1);
        dst = ctx[in.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        dst = static_cast<uint32_t>(dst & imm);
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        dst = static_cast<uint32_t>(dst) >> in.imm;
        break;
      case BPF_ALU64 | BPF_MOV | BPF_X:
        dst = reg[in.src_reg];
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        dst = imm;
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (dst != imm) pc += in.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (dst == imm) pc += in.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(reg[0]);
      default:
        ADD_FAILURE() << "unexpected opcode " << int(in.code);
        return -1;
    }
  }
  ADD_FAILURE() << "ran off the end of the program";
  return -1;
}

void ExpectProgramMatchesPolicy(const std::vector<DeviceRule>& rules) {
  auto policy = ReduceDeviceRules(rules);
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::vector<struct bpf_insn> prog = DeviceFilterProgram(*policy);
  const uint32_t majors[] = {1, 5, 7, 8, 10, 136, 4095};
  const uint32_t minors[] = {0, 1, 3, 5, 200, 229};
  for (char type : {'b', 'c'}) {
    uint32_t bpf_type = type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
    for (uint32_t access = 1; access <= 7; ++access) {
      for (uint32_t major : majors) {
        for (uint32_t minor : minors) {
          bool allowed = policy->Allows(type, major, minor, static_cast<uint8_t>(access));
          EXPECT_EQ(RunProgram(prog, (access << 16) | bpf_type, major, minor), allowed ? 1 : 0)
              << type << " " << major << ":" << minor << " access " << access;
        }
      }
    }
  }
}

TEST(DeviceFilterTest, ProgramDecidesAsThePolicy) {
  ExpectProgramMatchesPolicy(DefaultDeviceRules());
  ExpectProgramMatchesPolicy({});                                // deny everything: "return 0"
  ExpectProgramMatchesPolicy({Rule(true, 'a', {}, {}, "rwm")});  // allow everything
  ExpectProgramMatchesPolicy(
      {Rule(true, 'a', {}, {}, "rwm"), Rule(false, 'b', 8, {}, "rw"), Rule(false, 'c', 1, 1, "m")});
  std::vector<DeviceRule> extra = DefaultDeviceRules();
  extra.push_back(Rule(true, 'b', 7, 0, "r"));
  extra.push_back(Rule(true, 'c', {}, 229, "w"));
  ExpectProgramMatchesPolicy(extra);
}

TEST(DeviceFilterTest, WildcardExceptionsKeepTheRestReachable) {
  // "b *:* rwm" matches every block device; the character device tests after it must still be
  // reachable, and every jump must land inside the program.
  auto policy = ReduceDeviceRules({Rule(false, 'a', {}, {}, "rwm"), Rule(true, 'b', {}, {}, "rwm"),
                                   Rule(true, 'c', 1, 3, "rwm")});
  ASSERT_TRUE(policy.ok());
  std::vector<struct bpf_insn> prog = DeviceFilterProgram(*policy);
  EXPECT_EQ(prog.back().code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(RunProgram(prog, (kDeviceRead << 16) | BPF_DEVCG_DEV_BLOCK, 8, 0), 1);
  EXPECT_EQ(RunProgram(prog, (kDeviceRead << 16) | BPF_DEVCG_DEV_CHAR, 1, 3), 1);
  EXPECT_EQ(RunProgram(prog, (kDeviceRead << 16) | BPF_DEVCG_DEV_CHAR, 1, 1), 0);
  // Every jump lands inside the program.
  for (size_t i = 0; i < prog.size(); ++i) {
    if ((prog[i].code & 0x07) == BPF_JMP && prog[i].code != (BPF_JMP | BPF_EXIT)) {
      EXPECT_LT(i + 1 + prog[i].off, prog.size());
    }
  }
}

}  // namespace
}  // namespace mydocker::cgroups
