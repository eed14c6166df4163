#include "mydocker/cgroup_manager.h"

#include "cgroups/cgroup_test_util.h"
#include "cgroups/cgroup_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker::cgroups {
namespace {

using ::testing::HasSubstr;
using testing::PutFile;
using testing::TempDir;

// This machine: every v1 controller on its own mount, cgroup2 beside them without controllers.
constexpr char kHybrid[] =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

// A classic v1-only host with cpu and cpuacct co-mounted and optional fields present.
constexpr char kV1Only[] =
    "25 20 0:22 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
    "27 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:11 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "28 25 0:25 / /sys/fs/cgroup/memory rw,nosuid shared:12 - cgroup cgroup rw,memory\n"
    "29 25 0:26 / /sys/fs/cgroup/pids rw,nosuid shared:13 - cgroup cgroup rw,pids\n"
    "30 25 0:27 / /sys/fs/cgroup/systemd rw,nosuid shared:14 - cgroup cgroup "
    "rw,xattr,name=systemd\n";

constexpr char kPureV2[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

TEST(BlockIoTest, SumsDevicesFromV1AndV2Files) {
  uint64_t read = 0, write = 0;
  AddBlkioServiceBytes(
      "8:0 Read 4096\n8:0 Write 512\n8:0 Sync 0\n8:0 Total 4608\n"
      "8:16 Read 100\n8:16 Write 1\nTotal 4709\nbogus line\n",
      &read, &write);
  EXPECT_EQ(read, 4196u);
  EXPECT_EQ(write, 513u);
  read = write = 0;
  AddIoStat(
      "8:0 rbytes=1000 wbytes=20 rios=3 wios=1 dbytes=0 dios=0\n"
      "253:0 rbytes=5 wbytes=7 rios=1 wios=1\n",
      &read, &write);
  EXPECT_EQ(read, 1005u);
  EXPECT_EQ(write, 27u);
}

TEST(CgroupMountsTest, ParsesHybridHost) {
  auto mounts = ParseCgroupMounts(kHybrid);
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  EXPECT_EQ(mounts->v1.at("cpu"), "/sys/fs/cgroup/cpu");
  EXPECT_EQ(mounts->v1.at("cpuacct"), "/sys/fs/cgroup/cpuacct");
  EXPECT_EQ(mounts->v1.at("memory"), "/sys/fs/cgroup/memory");
  EXPECT_EQ(mounts->v1.size(), 8u);  // name=systemd is not a resource controller
  EXPECT_EQ(mounts->unified, "/sys/fs/cgroup/unified");
}

TEST(CgroupMountsTest, ParsesCoMountedControllers) {
  auto mounts = ParseCgroupMounts(kV1Only);
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  EXPECT_EQ(mounts->v1.at("cpu"), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(mounts->v1.at("cpuacct"), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(mounts->v1.count("freezer"), 0u);
  EXPECT_TRUE(mounts->unified.empty());
}

TEST(CgroupMountsTest, ParsesPureV2AndEscapes) {
  auto mounts = ParseCgroupMounts(std::string(kPureV2) +
                                  "50 22 0:40 / /mnt/my\\040cg rw - cgroup2 none rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  EXPECT_TRUE(mounts->v1.empty());
  EXPECT_EQ(mounts->unified, "/sys/fs/cgroup");
  auto other = ParseCgroupMounts("50 22 0:40 / /mnt/my\\040cg rw - cgroup2 none rw\n");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->unified, "/mnt/my cg");
}

TEST(CgroupMountsTest, PrefersHierarchyRootMount) {
  auto mounts = ParseCgroupMounts(
      "1 0 0:1 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "2 0 0:1 / /host/memory rw - cgroup cgroup rw,memory\n");
  ASSERT_TRUE(mounts.ok());
  EXPECT_EQ(mounts->v1.at("memory"), "/host/memory");
}

TEST(CgroupMountsTest, RejectsMalformedLine) {
  EXPECT_EQ(ParseCgroupMounts("1 2 3\n").status().code(), absl::StatusCode::kInvalidArgument);
}

absl::StatusOr<CgroupVersion> DetectFrom(const std::string& mountinfo) {
  TempDir dir;
  PutFile(dir.path() + "/mountinfo", mountinfo);
  CgroupOptions options;
  options.mountinfo_path = dir.path() + "/mountinfo";
  auto manager = CgroupManager::Detect(options);
  if (!manager.ok()) return manager.status();
  return (*manager)->version();
}

TEST(CgroupDetectTest, HybridHostIsV1) { EXPECT_EQ(*DetectFrom(kHybrid), CgroupVersion::kV1); }

TEST(CgroupDetectTest, V1OnlyHostIsV1) { EXPECT_EQ(*DetectFrom(kV1Only), CgroupVersion::kV1); }

TEST(CgroupDetectTest, PureV2HostIsV2) { EXPECT_EQ(*DetectFrom(kPureV2), CgroupVersion::kV2); }

TEST(CgroupDetectTest, NoCgroupsIsFailedPrecondition) {
  auto version = DetectFrom("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
  EXPECT_EQ(version.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(CgroupDetectTest, OverridesChooseDriver) {
  CgroupOptions v2;
  v2.v2_root_override = "/nonexistent";
  EXPECT_EQ((*CgroupManager::Detect(v2))->version(), CgroupVersion::kV2);
  CgroupOptions v1;
  v1.v1_roots_override = {{"memory", "/nonexistent"}};
  EXPECT_EQ((*CgroupManager::Detect(v1))->version(), CgroupVersion::kV1);
  v1.v2_root_override = "/x";
  EXPECT_EQ(CgroupManager::Detect(v1).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CgroupDetectTest, ThisMachine) {
  auto manager = CgroupManager::Detect();
  ASSERT_TRUE(manager.ok()) << manager.status();
  auto mounts = ParseCgroupMounts(*ReadFile("/proc/self/mountinfo"));
  ASSERT_TRUE(mounts.ok());
  EXPECT_EQ((*manager)->version(), mounts->v1.empty() ? CgroupVersion::kV2 : CgroupVersion::kV1);
}

TEST(CgroupPathTest, CleansAndRejects) {
  EXPECT_EQ(*CleanCgroupPath("mydocker/abc"), "mydocker/abc");
  EXPECT_EQ(*CleanCgroupPath("/mydocker/abc"), "mydocker/abc");
  for (const char* bad : {"", "/", "a//b", "a/../b", "..", "a/.", "a/"}) {
    EXPECT_EQ(CleanCgroupPath(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(CgroupValidateTest, MemoryRules) {
  MachineLimits limits{.online_cpus = 2, .allowed_cpus = {0, 1}, .allowed_mems = {0}};
  LinuxResources r;
  r.memory.limit = 1 << 20;
  auto s = ValidateResourceValues(r, limits);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("minimum memory limit allowed is 6MB"));
  EXPECT_THAT(s.message(), HasSubstr("1048576"));
  r.memory.limit = -5;
  EXPECT_THAT(ValidateResourceValues(r, limits).message(), HasSubstr("must not be negative"));
  r.memory.limit = 32 << 20;
  r.memory.swap = 16 << 20;
  EXPECT_THAT(ValidateResourceValues(r, limits).message(),
              HasSubstr("must be at least the memory limit"));
  r.memory.swap = -1;
  EXPECT_TRUE(ValidateResourceValues(r, limits).ok());
  r.memory.swap = -2;
  EXPECT_FALSE(ValidateResourceValues(r, limits).ok());
  r.memory.limit.reset();
  r.memory.swap = 64 << 20;
  EXPECT_THAT(ValidateResourceValues(r, limits).message(), HasSubstr("requires a memory limit"));
}

TEST(CgroupValidateTest, HugepageSizesAndInterfaceNames) {
  MachineLimits limits{.online_cpus = 2, .allowed_cpus = {0, 1}, .allowed_mems = {0}};
  for (const char* good : {"64KB", "2MB", "1GB", "16GB"}) {
    EXPECT_TRUE(ValidateHugepageSize(good).ok()) << good;
  }
  for (const char* bad : {"3MB", "2mb", "2M", "MB", "02MB", "2 MB", "", "2MB/..", "99999MB"}) {
    absl::Status s = ValidateHugepageSize(bad);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("invalid hugepage size")) << bad;
  }
  LinuxResources r;
  r.hugepage_limits.push_back({"3MB", 1 << 30});
  EXPECT_THAT(ValidateResourceValues(r, limits).message(), HasSubstr("\"3MB\""));
  r.hugepage_limits = {{"2MB", 1 << 30}};
  r.network.priorities = {{"eth0", 5}, {"lo", 1}};
  EXPECT_TRUE(ValidateResourceValues(r, limits).ok());
  for (const char* bad : {"", "a b", "eth0\n1", "sixteen-chars-xx", ".."}) {
    r.network.priorities = {{bad, 1}};
    EXPECT_THAT(ValidateResourceValues(r, limits).message(),
                HasSubstr("invalid network interface name"))
        << bad;
  }
}

TEST(CgroupValidateTest, HugepageSizesAreTheHosts) {
  TempDir sysfs;
  for (const char* d : {"hugepages-2048kB", "hugepages-1048576kB", "hugepages-64kB", "other"}) {
    MakeDirs(absl::StrCat(sysfs.path(), "/", d)).IgnoreError();
  }
  EXPECT_TRUE(CheckHugepageSizes({{"2MB", 1}, {"1GB", 2}, {"64KB", 3}}, sysfs.path()).ok());
  absl::Status s = CheckHugepageSizes({{"2MB", 1}, {"32MB", 2}}, sysfs.path());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "hugepage size 32MB is not supported on this host (it has 1GB, 2MB, 64KB)");
  EXPECT_THAT(CheckHugepageSizes({{"2MB", 1}}, sysfs.path() + "/missing").message(),
              HasSubstr("(it has none)"));
  EXPECT_TRUE(CheckHugepageSizes({}, sysfs.path() + "/missing").ok());
}

TEST(CgroupValidateTest, CpuRules) {
  MachineLimits limits{.online_cpus = 2, .allowed_cpus = {0, 1}, .allowed_mems = {0}};
  LinuxResources r;
  r.cpu.quota = 300000;
  r.cpu.period = 100000;
  auto s = ValidateResourceValues(r, limits);
  EXPECT_EQ(s.message(),
            "invalid cpus 3.00: range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs "
            "available");
  r.cpu.quota = 200000;
  EXPECT_TRUE(ValidateResourceValues(r, limits).ok());
  r.cpu.quota = 500;
  EXPECT_THAT(ValidateResourceValues(r, limits).message(), HasSubstr("invalid cpu quota 500"));
  r.cpu.quota = -1;
  r.cpu.period = 999;
  EXPECT_THAT(ValidateResourceValues(r, limits).message(), HasSubstr("invalid cpu period 999"));
  r.cpu.period.reset();
  r.cpu.cpus = "0-2";
  EXPECT_EQ(ValidateResourceValues(r, limits).message(),
            "invalid cpuset cpus \"0-2\": 2 is not available (allowed: 0-1)");
  r.cpu.cpus = "1,x";
  EXPECT_THAT(ValidateResourceValues(r, limits).message(), HasSubstr("invalid cpuset"));
  r.cpu.cpus = "1";
  r.cpu.mems = "1";
  EXPECT_THAT(ValidateResourceValues(r, limits).message(), HasSubstr("invalid cpuset mems"));
}

TEST(CgroupValidateTest, PidsRules) {
  LinuxResources r;
  for (int64_t bad : {0, -2}) {
    r.pids.limit = bad;
    EXPECT_THAT(ValidateResourceValues(r, {}).message(), HasSubstr("invalid pids limit"));
  }
  r.pids.limit = -1;
  EXPECT_TRUE(ValidateResourceValues(r, {}).ok());
}

TEST(CgroupUtilTest, SharesToWeight) {
  EXPECT_EQ(CpuSharesToWeight(2), 1u);
  EXPECT_EQ(CpuSharesToWeight(1024), 39u);
  EXPECT_EQ(CpuSharesToWeight(262144), 10000u);
  EXPECT_EQ(CpuSharesToWeight(1), 1u);
  EXPECT_EQ(CpuSharesToWeight(1000000), 10000u);
}

TEST(CgroupUtilTest, KeyedValues) {
  TempDir dir;
  PutFile(dir.path() + "/memory.stat", "cache 10\ntotal_inactive_file 4096\n");
  EXPECT_EQ(*ReadKeyedValue(dir.path(), "memory.stat", "total_inactive_file"), 4096u);
  EXPECT_EQ(ReadKeyedValue(dir.path(), "memory.stat", "inactive_file").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace mydocker::cgroups
