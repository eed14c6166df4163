#include "host/kernel_features.h"

#include <linux/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups/testing/fake_cgroup_manager.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "host/testing/fake_host.h"
#include "mydocker/capabilities.h"
#include "mydocker/fs_util.h"
#include "mydocker/runtime.h"
#include "process/init_plan.h"

namespace mydocker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(KernelFeaturesTest, ParsesReleases) {
  EXPECT_EQ(ParseKernelRelease("5.10.0-28-amd64").major, 5);
  EXPECT_EQ(ParseKernelRelease("5.10.0-28-amd64").minor, 10);
  EXPECT_EQ(ParseKernelRelease("4.18.0-513.el8.x86_64").minor, 18);
  EXPECT_EQ(ParseKernelRelease("6.18.44-fc-v1272").minor, 18);
  EXPECT_EQ(ParseKernelRelease("6.1").minor, 1);
  EXPECT_EQ(ParseKernelRelease("garbage").major, 0);
  EXPECT_EQ(ParseKernelRelease("6.x").major, 0);
}

TEST(KernelFeaturesTest, OneLineNamesTheMinimumAndWhatIsMissing) {
  KernelFeatures old;
  old.release = "4.18.0-513.el8.x86_64";
  old.version = {4, 18};
  old.missing = {"open_tree", "move_mount", "close_range"};
  absl::Status s = CheckKernel(old);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(s.message(),
            "mydocker needs Linux 5.10 or later (this kernel is 4.18.0-513.el8.x86_64: no "
            "open_tree, move_mount, close_range)");
  old.missing.clear();  // a distribution kernel with the calls backported
  EXPECT_TRUE(CheckKernel(old).ok());
}

TEST(KernelFeaturesTest, ARecentKernelIsTrustedOverAnEnosysProbe) {
  // valgrind, or a seccomp sandbox, answers ENOSYS in the caller; the helpers run natively.
  KernelFeatures f;
  f.release = "6.1.0-18-amd64";
  f.version = {6, 1};
  f.missing = {"close_range"};
  EXPECT_TRUE(CheckKernel(f).ok());
  f.version = {5, 9};
  EXPECT_FALSE(CheckKernel(f).ok());
}

TEST(KernelFeaturesTest, TheRunningKernelHasWhatIsNeeded) {
  KernelFeatures f = ProbeRunningKernel();
  EXPECT_TRUE(f.missing.empty()) << f.missing.size();
  EXPECT_GE(f.version.major, 5);
  // 6.x here: the optional calls are there too (the probe finds them).
  if (f.version.major >= 6) {
    EXPECT_TRUE(f.mount_setattr);
    EXPECT_TRUE(f.close_range_cloexec);
  }
}

TEST(RootPrivilegesTest, NamesTheFirstMissingCapability) {
  EXPECT_TRUE(CheckRootPrivileges(~uint64_t{0}).ok());
  absl::Status none = CheckRootPrivileges(0);
  EXPECT_EQ(none.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(none.message(), HasSubstr("mydocker needs root: this process lacks CAP_SYS_ADMIN"));
  EXPECT_THAT(none.message(), HasSubstr("rootless mode is not supported"));
  absl::Status one = CheckRootPrivileges(~(uint64_t{1} << CAP_NET_ADMIN));
  EXPECT_EQ(one.message(),
            "mydocker needs root: this process lacks CAP_NET_ADMIN; rootless mode is not "
            "supported");
}

class RuntimeOpenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mydocker-open-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    options_.root = dir_ + "/root";
    options_.helper_path = "/fake/mydocker-helper";
    options_.host = &host_;
    options_.cgroup_manager = &cgroups_;
  }
  void TearDown() override { RemoveAll(dir_).IgnoreError(); }
  bool RootExists() {
    struct stat st;
    return ::stat(options_.root.c_str(), &st) == 0;
  }

  std::string dir_;
  RuntimeOptions options_;
  testing::FakeHost host_;
  testing::FakeCgroupManager cgroups_;
};

TEST_F(RuntimeOpenTest, AnUnprivilegedCallerIsRefusedBeforeTheRootIsMade) {
  host_.capabilities = (uint64_t{1} << CAP_KILL) | (uint64_t{1} << CAP_CHOWN);
  auto rt = Runtime::Open(options_);
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(rt.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(rt.status().message(), HasSubstr("lacks CAP_SYS_ADMIN"));
  EXPECT_FALSE(RootExists());
}

TEST_F(RuntimeOpenTest, AKernelWithoutANeededCallIsRefusedBeforeTheRootIsMade) {
  host_.kernel = {"5.4.0-150-generic", {5, 4}, {"close_range"}, false, false};
  auto rt = Runtime::Open(options_);
  ASSERT_FALSE(rt.ok());
  EXPECT_EQ(rt.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(rt.status().message(),
            "mydocker needs Linux 5.10 or later (this kernel is 5.4.0-150-generic: no "
            "close_range)");
  EXPECT_FALSE(RootExists());
}

TEST_F(RuntimeOpenTest, AnOlderKernelWithTheNeededCallsOpensWithFallbacks) {
  host_.kernel = {"5.10.0-28-amd64", {5, 10}, {}, false, false};
  auto rt = Runtime::Open(options_);
  ASSERT_TRUE(rt.ok()) << rt.status();
  EXPECT_FALSE((*rt)->kernel().mount_setattr);
  EXPECT_TRUE(RootExists());
}

TEST(MountFallbackPlanTest, ListsTheMountsBelowAReadOnlyRecursiveBind) {
  process::InitPlan plan;
  process::PlannedBind ro;
  ro.source = "/srv/data";
  ro.target = "/data";
  ro.readonly = true;
  process::PlannedBind rw = ro;
  rw.readonly = false;
  process::PlannedBind flat = ro;
  flat.recursive = false;
  plan.binds = {ro, rw, flat};
  const char* mountinfo =
      "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "30 22 0:40 / /srv/data rw - ext4 /dev/sdb1 rw\n"
      "31 30 0:41 / /srv/data/cache rw,nosuid - tmpfs tmpfs rw\n"
      "32 31 0:42 / /srv/data/cache/deep\\040dir rw - tmpfs tmpfs rw\n"
      "33 22 0:43 / /srv/database rw - tmpfs tmpfs rw\n";
  ASSERT_TRUE(process::PlanMountFallback(mountinfo, plan).ok());
  EXPECT_FALSE(plan.mount_setattr);
  EXPECT_THAT(plan.binds[0].submounts, ElementsAre("/data/cache", "/data/cache/deep dir"));
  EXPECT_TRUE(plan.binds[1].submounts.empty());
  EXPECT_TRUE(plan.binds[2].submounts.empty());
}

}  // namespace
}  // namespace mydocker
