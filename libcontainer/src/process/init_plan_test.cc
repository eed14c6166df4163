#include "process/init_plan.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include "gtest/gtest.h"

namespace mydocker::process {
namespace {

ContainerConfig BaseConfig() {
  ContainerConfig c = DefaultContainerConfig();
  c.process.args = {"sh", "-c", "true"};
  c.root.path = "/r/rootfs";
  c.root.lower_dirs = {"/r/layers/b", "/r/layers/a"};
  c.root.upper_dir = "/r/upper";
  c.root.work_dir = "/r/work";
  return c;
}

const PlannedMount* Find(const InitPlan& plan, const std::string& target) {
  for (const PlannedMount& m : plan.mounts) {
    if (m.target == target) return &m;
  }
  return nullptr;
}

TEST(InitPlanTest, OverlayOptionsListLayersTopmostFirst) {
  auto plan = BuildInitPlan(BaseConfig());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->overlay_data,
            "lowerdir=/r/layers/b:/r/layers/a,upperdir=/r/upper,workdir=/r/work,"
            "redirect_dir=off,metacopy=off,index=off");
  EXPECT_EQ(plan->rootfs, "/r/rootfs");
}

TEST(InitPlanTest, MountOptionsSplitIntoFlagsAndData) {
  auto plan = BuildInitPlan(BaseConfig());
  ASSERT_TRUE(plan.ok());
  const PlannedMount* dev = Find(*plan, "/dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->fstype, "tmpfs");
  EXPECT_EQ(dev->flags, static_cast<unsigned long>(MS_NOSUID | MS_STRICTATIME));
  EXPECT_EQ(dev->data, "mode=755,size=65536k");
  const PlannedMount* sys = Find(*plan, "/sys");
  ASSERT_NE(sys, nullptr);
  EXPECT_TRUE(sys->flags & MS_RDONLY);
  EXPECT_FALSE(sys->remount_readonly);
}

TEST(InitPlanTest, BindsAreOpenedBeforeAndAttachedAfterPivotRoot) {
  ContainerConfig c = BaseConfig();
  c.mounts.push_back({"/data/in", "bind", "/tmp", {"rbind", "ro"}});
  c.mounts.push_back({"/etc/hostname", "bind", "/etc/hostname", {"bind"}});
  auto plan = BuildInitPlan(c);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Find(*plan, "/data/in"), nullptr);  // not an ordinary mount
  ASSERT_EQ(plan->binds.size(), 2u);
  EXPECT_EQ(plan->bind_fds.size(), 2u);
  const PlannedBind& dir = plan->binds[0];
  EXPECT_TRUE(dir.readonly);
  EXPECT_TRUE(dir.recursive);
  EXPECT_TRUE(dir.source_is_dir);
  EXPECT_EQ(dir.target_dirs, (std::vector<std::string>{"/data", "/data/in"}));
  const PlannedBind& file = plan->binds[1];
  EXPECT_FALSE(file.readonly);
  EXPECT_FALSE(file.recursive);
  EXPECT_FALSE(file.source_is_dir);
  EXPECT_EQ(file.target_dirs, (std::vector<std::string>{"/etc"}));
}

TEST(InitPlanTest, MissingBindSourceIsRefused) {
  ContainerConfig c = BaseConfig();
  c.mounts.push_back({"/data", "bind", "/no/such/dir", {"rbind"}});
  EXPECT_EQ(BuildInitPlan(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(InitPlanTest, RefusesEscapingOrRelativeDestinations) {
  for (const char* dest : {"/data/../etc", "relative", ""}) {
    ContainerConfig c = BaseConfig();
    c.mounts.push_back({dest, "tmpfs", "tmpfs", {}});
    EXPECT_EQ(BuildInitPlan(c).status().code(), absl::StatusCode::kInvalidArgument) << dest;
  }
}

TEST(InitPlanTest, RefusesLayerPathsThatWouldBreakOverlayOptions) {
  ContainerConfig c = BaseConfig();
  c.root.lower_dirs = {"/r/a,upperdir=/etc"};
  EXPECT_EQ(BuildInitPlan(c).status().code(), absl::StatusCode::kInvalidArgument);
  c.root.lower_dirs = {};
  EXPECT_EQ(BuildInitPlan(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(InitPlanTest, CommandIsSearchedAlongTheContainersPath) {
  ContainerConfig c = BaseConfig();
  c.process.env = {"PATH=/opt/bin::/bin", "A=b"};
  auto plan = BuildInitPlan(c);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->exec_candidates, (std::vector<std::string>{"/opt/bin/sh", "./sh", "/bin/sh"}));
  EXPECT_FALSE(plan->command_has_slash);
  ASSERT_EQ(plan->argv.size(), 4u);
  EXPECT_STREQ(plan->argv[0], "sh");
  EXPECT_EQ(plan->argv[3], nullptr);
  ASSERT_EQ(plan->envp.size(), 3u);
  EXPECT_STREQ(plan->envp[1], "A=b");
}

TEST(InitPlanTest, CommandWithSlashIsTakenAsIs) {
  ContainerConfig c = BaseConfig();
  c.process.args = {"./run.sh"};
  auto plan = BuildInitPlan(c);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->exec_candidates, (std::vector<std::string>{"./run.sh"}));
  EXPECT_TRUE(plan->command_has_slash);
}

TEST(InitPlanTest, DefaultPathWhenTheEnvironmentHasNone) {
  EXPECT_EQ(PathFromEnv({"A=1"}), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  EXPECT_EQ(PathFromEnv({"PATH=/x"}), "/x");
}

TEST(InitPlanTest, EmptyCommandIsRefused) {
  ContainerConfig c = BaseConfig();
  c.process.args = {""};
  EXPECT_EQ(BuildInitPlan(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(InitPlanTest, WorkingDirectoryComponentsAreCreatedInOrder) {
  ContainerConfig c = BaseConfig();
  c.process.cwd = "/a//b/c/";
  auto plan = BuildInitPlan(c);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->cwd_components, (std::vector<std::string>{"/a", "/a/b", "/a/b/c"}));
  c.process.cwd = "/a/../../etc";
  EXPECT_EQ(BuildInitPlan(c).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(InitPlanTest, DefaultCapabilitiesAreDockersSet) {
  auto plan = BuildInitPlan(BaseConfig());
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->limit_capabilities);
  EXPECT_EQ(plan->capabilities, 0xa80425fbu);
}

TEST(InitPlanTest, UnknownCapabilityIsRefused) {
  ContainerConfig c = BaseConfig();
  c.process.capabilities = std::vector<std::string>{"CAP_FLY"};
  EXPECT_EQ(BuildInitPlan(c).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*CapabilityNumber("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(*CapabilityNumber("NET_RAW"), 13);
}

TEST(InitPlanTest, DevicesAndLinks) {
  auto plan = BuildInitPlan(BaseConfig());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->devices.size(), 6u);
  EXPECT_EQ(plan->devices[0].path, "/dev/null");
  EXPECT_TRUE(S_ISCHR(plan->devices[0].mode));
  bool ptmx = false;
  for (const auto& [target, link] : plan->symlinks) ptmx |= link == "/dev/ptmx" && target == "pts/ptmx";
  EXPECT_TRUE(ptmx);
  EXPECT_TRUE(plan->loopback_up);
}

}  // namespace
}  // namespace mydocker::process
