// ParseResourceUpdate and IsEmpty: the resource parsing `update` shares with `run`.
#include "gtest/gtest.h"
#include "run_options.h"

namespace mydocker::cli {
namespace {

TEST(ResourceUpdateTest, SameParsingAsRun) {
  ResourceFlags flags;
  flags.memory = "64m";
  flags.cpus = "0.5";
  flags.cpuset_cpus = "1,0";
  auto r = ParseResourceUpdate(flags);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->memory.limit, 64 << 20);
  EXPECT_EQ(r->cpu.quota, 50000);
  EXPECT_EQ(r->cpu.period, 100000u);
  EXPECT_EQ(r->cpu.cpus, "0-1");
  EXPECT_FALSE(r->pids.limit.has_value());
}

TEST(ResourceUpdateTest, PidsLimitZeroOrMinusOneLiftsTheLimit) {
  for (int64_t value : {0, -1}) {
    ResourceFlags flags;
    flags.pids_limit = value;
    auto r = ParseResourceUpdate(flags);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->pids.limit, -1) << value;
    EXPECT_FALSE(IsEmpty(*r));
  }
  ResourceFlags flags;
  flags.pids_limit = 30;
  EXPECT_EQ(ParseResourceUpdate(flags)->pids.limit, 30);
}

TEST(ResourceUpdateTest, InvalidValuesAreRejected) {
  ResourceFlags a;
  a.memory = "10q";
  EXPECT_FALSE(ParseResourceUpdate(a).ok());
  ResourceFlags b;
  b.pids_limit = -5;
  EXPECT_FALSE(ParseResourceUpdate(b).ok());
  ResourceFlags c;
  c.memory_swap = "64x";
  EXPECT_FALSE(ParseResourceUpdate(c).ok());
}

// Unlike run, update takes --memory-swap alone: Container::Update measures it against the
// container's memory limit (as Docker does).
TEST(ResourceUpdateTest, MemorySwapAloneIsParsed) {
  ResourceFlags f;
  f.memory_swap = "64m";
  absl::StatusOr<LinuxResources> r = ParseResourceUpdate(f);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->memory.swap, int64_t{64} << 20);
  EXPECT_FALSE(r->memory.limit.has_value());
  EXPECT_FALSE(ParseResources(f).ok());  // run: needs --memory too
}

TEST(ResourceUpdateTest, IsEmptyWhenNothingIsSet) {
  EXPECT_TRUE(IsEmpty(LinuxResources{}));
  EXPECT_TRUE(IsEmpty(*ParseResourceUpdate(ResourceFlags{})));
  LinuxResources r;
  r.cpu.shares = 512;
  EXPECT_FALSE(IsEmpty(r));
  LinuxResources m;
  m.cpu.mems = "0";
  EXPECT_FALSE(IsEmpty(m));
}

}  // namespace
}  // namespace mydocker::cli
