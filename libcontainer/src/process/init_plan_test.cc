#include "process/init_plan.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <csignal>

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

TEST(InitPlanTest, InitRunsTheHelperWithTheCommandAfterIt) {
  ContainerConfig c = BaseConfig();
  c.process.env = {"PATH=/bin", "_MYDOCKER_NSENTER=3", "A=1"};
  auto plan = BuildInitPlan(c);
  ASSERT_TRUE(plan.ok()) << plan.status();
  PlanInitProcess(7, *plan);
  EXPECT_EQ(plan->init_binary_fd, 7);
  ASSERT_EQ(plan->exec_candidate_ptrs.size(), 2u);
  EXPECT_STREQ(plan->exec_candidate_ptrs[0], "/proc/self/fd/7");
  EXPECT_EQ(plan->exec_candidate_ptrs[1], nullptr);
  std::vector<std::string> argv;
  for (char* a : plan->argv) {
    if (a != nullptr) argv.emplace_back(a);
  }
  EXPECT_EQ(argv, (std::vector<std::string>{"mydocker-init", "__init", "--", "sh", "-c", "true"}));
  EXPECT_EQ(plan->argv.back(), nullptr);
  std::vector<std::string> env;
  for (char* e : plan->envp) {
    if (e != nullptr) env.emplace_back(e);
  }
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/bin", "A=1"}));
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

TEST(InitPlanTest, BindsKeepTheirPlaceAmongTheMounts) {
  ContainerConfig c = BaseConfig();
  const size_t defaults = c.mounts.size();
  c.mounts.push_back({"/a", "bind", "/tmp", {"rbind"}});
  c.mounts.push_back({"/a/t", "tmpfs", "tmpfs", {}});
  c.mounts.push_back({"/b", "bind", "/tmp", {"rbind"}});
  c.mounts.push_back({"/c", "bind", "/tmp", {"rbind"}});
  auto plan = BuildInitPlan(c);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->binds.size(), 3u);
  ASSERT_EQ(plan->mounts.size(), defaults + 1);
  EXPECT_EQ(plan->binds[0].before_mount, defaults);      // before the tmpfs on /a/t
  EXPECT_EQ(plan->binds[1].before_mount, defaults + 1);  // after every mount
  EXPECT_EQ(plan->binds[2].before_mount, defaults + 1);
}

TEST(InitPlanTest, BindsAreCopiedAgainOnlyWhereTheListingDecidesWhichMountAPathIs) {
  ContainerConfig c = BaseConfig();
  c.mounts.push_back({"/dev/shm/x", "bind", "/tmp", {"rbind"}});  // on a tmpfs made after pivot
  c.mounts.push_back({"/data", "bind", "/tmp", {"rbind"}});       // on the root file system
  c.mounts.push_back({"/proc2", "bind", "/tmp", {"rbind"}});      // /proc is not a prefix
  c.mounts.push_back({"/t", "tmpfs", "tmpfs", {}});
  c.mounts.push_back({"/t", "bind", "/tmp", {"rbind"}});  // stacked on that tmpfs
  auto plan = BuildInitPlan(c);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->binds.size(), 4u);
  EXPECT_TRUE(plan->binds[0].copy_at_attach);
  EXPECT_FALSE(plan->binds[1].copy_at_attach);
  EXPECT_FALSE(plan->binds[2].copy_at_attach);
  EXPECT_TRUE(plan->binds[3].copy_at_attach);
  // The config's own order (OCI mode): every bind that a mount precedes.
  OrderBinds(*plan, /*config_order=*/true);
  for (const PlannedBind& b : plan->binds) EXPECT_TRUE(b.copy_at_attach) << b.target;
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

// The exec tail gets init's part of the plan, its lists NULL-terminated and still valid once
// the plan has moved (BuildInitPlan's result is moved into the monitor).
TEST(InitPlanTest, ExecTailPlanPointsIntoTheMovedPlan) {
  ContainerConfig c = BaseConfig();
  c.process.cwd = "/a/b";
  c.process.args = {"ls", "-l"};
  c.process.env = {"PATH=/x:/y"};
  auto built = BuildInitPlan(c);
  ASSERT_TRUE(built.ok());
  InitPlan plan = *std::move(built);
  plan.sync_fd = 7;
  mydocker_exec_tail_plan t = ExecTailPlan(plan);
  EXPECT_EQ(t.report_fd, 7);
  EXPECT_STREQ(t.cwd, "/a/b");
  ASSERT_NE(t.cwd_create, nullptr);
  EXPECT_STREQ(t.cwd_create[0], "/a");
  EXPECT_STREQ(t.cwd_create[1], "/a/b");
  EXPECT_EQ(t.cwd_create[2], nullptr);
  ASSERT_NE(t.exec_candidates, nullptr);
  EXPECT_STREQ(t.exec_candidates[0], "/x/ls");
  EXPECT_STREQ(t.exec_candidates[1], "/y/ls");
  EXPECT_EQ(t.exec_candidates[2], nullptr);
  EXPECT_STREQ(t.command_name, "ls");
  EXPECT_FALSE(t.command_has_slash);
  EXPECT_STREQ(t.argv[1], "-l");
  EXPECT_EQ(t.argv[2], nullptr);
  EXPECT_STREQ(t.envp[0], "PATH=/x:/y");
  EXPECT_TRUE(t.set_user);
  EXPECT_EQ(t.umask, 022u);
  EXPECT_EQ(t.parent_death_signal, SIGKILL);
  EXPECT_TRUE(t.limit_capabilities);
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
  for (const auto& [target, link] : plan->symlinks)
    ptmx |= link == "/dev/ptmx" && target == "pts/ptmx";
  EXPECT_TRUE(ptmx);
  EXPECT_TRUE(plan->loopback_up);
}

TEST(InitPlanTest, ContainerDevicesWinOverStandardOnesAndGetTheirDirectories) {
  ContainerConfig config = BaseConfig();
  config.linux_spec.devices = {{"/dev/null", 'c', 1, 5, 0600, 0, 0},
                               {"/dev/snd/sub/pcm", 'c', 116, 3, 0660, 0, 29},
                               {"/dev/xvdc", 'b', 7, 0, 0640, 0, 6}};
  auto plan = BuildInitPlan(config);
  ASSERT_TRUE(plan.ok()) << plan.status();
  int nulls = 0;
  for (const PlannedDevice& d : plan->devices) {
    if (d.path != "/dev/null") continue;
    ++nulls;
    EXPECT_EQ(d.dev, makedev(1, 5));
    EXPECT_EQ(d.mode, S_IFCHR | 0600);
  }
  EXPECT_EQ(nulls, 1);
  EXPECT_EQ(plan->device_dirs, (std::vector<std::string>{"/dev/snd", "/dev/snd/sub"}));
  const PlannedDevice& disk = plan->devices.back();
  EXPECT_EQ(disk.path, "/dev/xvdc");
  EXPECT_EQ(disk.mode, S_IFBLK | 0640);
  EXPECT_EQ(disk.gid, 6u);
}

TEST(InitPlanTest, RootMoveOnlyOnAnInitramfsHidingHostProcAndSys) {
  auto plan = BuildInitPlan(BaseConfig());
  ASSERT_TRUE(plan.ok());
  const std::string initramfs =
      "1 1 0:2 / / rw - rootfs rootfs rw\n"
      "2 1 0:20 / /proc rw,nosuid - proc proc rw\n"
      "3 1 0:21 / /sys rw - sysfs sysfs rw\n"
      "4 3 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
      "5 1 0:23 / /var/lib/mydocker rw - tmpfs tmpfs rw\n"
      "6 2 0:24 / /proc/sys/fs/binfmt_misc rw - binfmt_misc binfmt_misc rw\n"
      "7 1 0:25 / /srv/proc\\040copy rw - proc proc rw\n";
  ASSERT_TRUE(plan->limit_capabilities);
  EXPECT_TRUE(plan->capabilities & (uint64_t{1} << 18));  // CAP_SYS_CHROOT, Docker's default
  ASSERT_TRUE(PlanRootMove(initramfs, *plan).ok());
  EXPECT_TRUE(plan->move_root);
  // Without pivot_root a process that can chroot could climb back to the initramfs.
  EXPECT_FALSE(plan->capabilities & (uint64_t{1} << 18));
  EXPECT_TRUE(plan->capabilities & (uint64_t{1} << 0));  // the rest stays (CAP_CHOWN)
  EXPECT_EQ(plan->hide_before_move, (std::vector<std::string>{"/srv/proc copy", "/proc", "/sys"}));

  const std::string disk =
      "20 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "21 20 0:20 / /proc rw - proc proc rw\n";
  ASSERT_TRUE(PlanRootMove(disk, *plan).ok());
  EXPECT_FALSE(plan->move_root);
  EXPECT_TRUE(plan->hide_before_move.empty());
  EXPECT_FALSE(PlanRootMove("garbage\n", *plan).ok());
}

TEST(InitPlanTest, UserNamespaceBindsTheHostsDevicesAndDetachesProcAndSysfs) {
  auto plan = BuildInitPlan(BaseConfig());
  ASSERT_TRUE(plan.ok()) << plan.status();
  const size_t devices = plan->devices.size(), binds = plan->binds.size();
  ASSERT_GT(devices, 0u);
  PlanForUserNamespace(*plan);
  EXPECT_TRUE(plan->wait_for_id_maps);
  EXPECT_TRUE(plan->devices.empty());
  ASSERT_EQ(plan->binds.size(), binds + devices);
  EXPECT_EQ(plan->bind_fds.size(), plan->binds.size());
  const PlannedBind& null = plan->binds[binds];
  EXPECT_EQ(null.source, "/dev/null");
  EXPECT_EQ(null.target, "/dev/null");
  EXPECT_FALSE(null.source_is_dir);
  EXPECT_FALSE(null.recursive);
  EXPECT_EQ(null.before_mount, plan->mounts.size());  // after /dev is mounted
  EXPECT_EQ(plan->detached_fds, std::vector<int>(plan->mounts.size(), -1));
  const PlannedMount* proc = Find(*plan, "/proc");
  const PlannedMount* sys = Find(*plan, "/sys");
  const PlannedMount* dev = Find(*plan, "/dev");
  ASSERT_TRUE(proc && sys && dev);
  EXPECT_TRUE(proc->detached);
  EXPECT_EQ(proc->detached_attr,
            static_cast<unsigned>(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV));
  EXPECT_TRUE(sys->detached);
  EXPECT_NE(sys->detached_attr & MOUNT_ATTR_RDONLY, 0u);
  EXPECT_FALSE(dev->detached);  // a tmpfs: a user namespace mounts it as it is
}

TEST(InitPlanTest, DetachedMountsKeepTheirFileSystemOptions) {
  ContainerConfig config = BaseConfig();
  config.mounts.push_back({"/p2", "proc", "proc", {"nosuid", "hidepid=2", "subset=pid"}});
  auto plan = BuildInitPlan(config);
  ASSERT_TRUE(plan.ok()) << plan.status();
  PlanForUserNamespace(*plan);
  const PlannedMount* p2 = Find(*plan, "/p2");
  ASSERT_NE(p2, nullptr);
  using Option = std::pair<std::string, std::string>;
  EXPECT_EQ(p2->fs_options, (std::vector<Option>{{"hidepid", "2"}, {"subset", "pid"}}));
  EXPECT_EQ(p2->detached_attr, static_cast<unsigned>(MOUNT_ATTR_NOSUID));
}

}  // namespace
}  // namespace mydocker::process
