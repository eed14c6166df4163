#include "run_options.h"

#include "gtest/gtest.h"

namespace mydocker::cli {
namespace {

std::optional<std::string> FakeHost(const std::string& key) {
  if (key == "HOME") return std::string("/home/me");
  return std::nullopt;
}

TEST(RunOptionsTest, EnvTakesHostValueForBareKeys) {
  auto env = ResolveEnv({"A=1", "HOME", "MISSING", "B="}, FakeHost);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(*env, (std::vector<std::string>{"A=1", "HOME=/home/me", "B="}));
}

TEST(RunOptionsTest, EnvRejectsEmptyKeys) {
  EXPECT_FALSE(ResolveEnv({"=x"}, FakeHost).ok());
  EXPECT_FALSE(ResolveEnv({"A B=1"}, FakeHost).ok());
}

TEST(RunOptionsTest, EnvFileSkipsCommentsAndBlankLines) {
  auto env = ParseEnvFile("f.env", "# comment\n\nA=1\r\n  HOME\nC=x=y\n", FakeHost);
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(*env, (std::vector<std::string>{"A=1", "HOME=/home/me", "C=x=y"}));
}

TEST(RunOptionsTest, EnvFileErrorsNameTheLine) {
  auto env = ParseEnvFile("f.env", "A=1\n=bad\n", FakeHost);
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("f.env:2"), absl::string_view::npos);
}

TEST(RunOptionsTest, LabelFileKeepsBareKeysAndNamesTheBadLine) {
  auto labels = ParseLabelFile("l.txt", "# c\n\na=1\r\n  b\nc=x=y\n");
  ASSERT_TRUE(labels.ok()) << labels.status();
  EXPECT_EQ(*labels, (std::vector<std::string>{"a=1", "b", "c=x=y"}));
  auto bad = ParseLabelFile("l.txt", "a=1\n=2\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "l.txt:2: invalid label '=2': empty name");
}

TEST(RunOptionsTest, LabelsAreCheckedBeforeAnythingIsCreated) {
  RunFlags flags;
  flags.args = {"busybox"};
  flags.labels = {"a=1", "b"};
  auto o = BuildCreateOptions(flags, FakeHost);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->labels, (std::vector<std::string>{"a=1", "b"}));
  flags.labels = {"=oops"};
  EXPECT_EQ(BuildCreateOptions(flags, FakeHost).status().message(),
            "invalid label '=oops': empty name");
  flags.labels.clear();
  flags.label_files = {"/nonexistent/labels"};
  EXPECT_FALSE(BuildCreateOptions(flags, FakeHost).ok());
}

TEST(RunOptionsTest, ImageAndCommand) {
  RunFlags flags;
  flags.args = {"busybox", "ls", "-l"};
  flags.rm = true;
  flags.tty = true;
  auto o = BuildCreateOptions(flags, FakeHost);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->image, "busybox");
  EXPECT_EQ(o->command, (std::vector<std::string>{"ls", "-l"}));
  EXPECT_TRUE(o->auto_remove);
  EXPECT_TRUE(o->tty);
}

TEST(RunOptionsTest, MissingImageIsAnError) {
  EXPECT_FALSE(BuildCreateOptions(RunFlags{}, FakeHost).ok());
}

TEST(RunOptionsTest, RelativeWorkdirIsRefused) {
  RunFlags flags;
  flags.args = {"busybox"};
  flags.workdir = "tmp";
  EXPECT_FALSE(BuildCreateOptions(flags, FakeHost).ok());
}

// Built in one place from strings (not member-by-member assignment of literals, which makes
// GCC 12 -O2 report a false -Wrestrict / -Wmaybe-uninitialized in std::string).
RunFlags ResourceFlagsFor(std::string memory, std::string swap, std::string cpus,
                          std::string cpuset) {
  RunFlags flags;
  flags.memory = std::move(memory);
  flags.memory_swap = std::move(swap);
  flags.cpus = std::move(cpus);
  flags.cpuset_cpus = std::move(cpuset);
  return flags;
}

TEST(RunOptionsTest, ResourcesAreParsed) {
  RunFlags flags = ResourceFlagsFor("32m", "-1", "1.5", "1,0");
  flags.cpu_shares = 512;
  flags.pids_limit = 20;
  auto r = ParseResources(flags);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r->memory.limit, 32 << 20);
  EXPECT_EQ(*r->memory.swap, -1);
  EXPECT_EQ(*r->cpu.quota, 150000);
  EXPECT_EQ(*r->cpu.period, 100000u);
  EXPECT_EQ(*r->cpu.shares, 512u);
  EXPECT_EQ(r->cpu.cpus, "0-1");
  EXPECT_EQ(*r->pids.limit, 20);
}

TEST(RunOptionsTest, BadResourcesAreRefused) {
  RunFlags a;
  a.memory = "12q";
  EXPECT_FALSE(ParseResources(a).ok());
  RunFlags b;
  b.memory_swap = "1g";  // without --memory
  EXPECT_FALSE(ParseResources(b).ok());
  RunFlags c;
  c.pids_limit = -5;
  EXPECT_FALSE(ParseResources(c).ok());
  RunFlags d;
  d.cpus = "-1";
  EXPECT_FALSE(ParseResources(d).ok());
  // Beyond what pids.max takes (also a saturated 99999999999999999999): refused now, not at
  // start.
  RunFlags e;
  e.pids_limit = std::numeric_limits<int64_t>::max();
  EXPECT_NE(ParseResources(e).status().message().find("at most 4194304"), std::string::npos);
  e.pids_limit = 4194304;
  EXPECT_TRUE(ParseResources(e).ok());
}

TEST(RunOptionsTest, PidsLimitZeroMeansUnlimitedLikeDocker) {
  RunFlags flags;
  flags.pids_limit = 0;
  auto r = ParseResources(flags);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->pids.limit.has_value());
}

TEST(RunOptionsTest, HealthFlagsAsDockersCli) {
  HealthFlags none;
  EXPECT_FALSE(ParseHealthFlags(none).value().has_value());
  HealthFlags f;
  f.cmd = "curl -f localhost || exit 1";
  f.interval = "1m30s";
  f.timeout = "200ms";
  f.retries = 2;
  std::optional<HealthConfig> c = ParseHealthFlags(f).value();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->test, (std::vector<std::string>{"CMD-SHELL", "curl -f localhost || exit 1"}));
  EXPECT_EQ(c->interval, absl::Seconds(90));
  EXPECT_EQ(c->timeout, absl::Milliseconds(200));
  EXPECT_EQ(c->retries, 2);
  HealthFlags off;
  off.none = true;
  EXPECT_EQ(ParseHealthFlags(off).value()->test, std::vector<std::string>{"NONE"});
  off.retries = 1;
  EXPECT_EQ(ParseHealthFlags(off).status().message(),
            "--no-healthcheck conflicts with --health-* options");
  HealthFlags bad;
  bad.start_period = "-1s";
  EXPECT_EQ(ParseHealthFlags(bad).status().message(), "--health-start-period cannot be negative");
  bad.start_period = "soon";
  EXPECT_EQ(ParseHealthFlags(bad).status().message(),
            "invalid argument \"soon\" for \"--health-start-period\" flag: time: invalid "
            "duration \"soon\"");
  bad.start_period = "inf";
  EXPECT_FALSE(ParseHealthFlags(bad).ok());
}

}  // namespace
}  // namespace mydocker::cli
