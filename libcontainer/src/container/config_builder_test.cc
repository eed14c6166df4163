#include "container/config_builder.h"

#include <sys/resource.h>

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kId[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

ContainerFacts Facts(CgroupVersion version = CgroupVersion::kV2, bool swap = true) {
  ContainerFacts f;
  f.id = kId;
  f.container_dir = std::string("/state/containers/") + kId;
  f.layer_dirs = {"/state/layers/sha256/top", "/state/layers/sha256/base"};
  f.cgroup_version = version;
  f.swap_limit_supported = swap;
  f.read_image_file = [](const std::string& path) -> absl::StatusOr<std::string> {
    if (path == "/etc/passwd")
      return std::string("root:x:0:0::/root:/bin/sh\nwww:x:33:34::/var/www:/bin/sh\n");
    if (path == "/etc/group") return std::string("root:x:0:\nweb:x:34:\nstaff:x:50:\n");
    return absl::NotFoundError(path);
  };
  f.resolve_device = [](absl::string_view spec) -> absl::StatusOr<DeviceGrant> {
    DeviceGrant g;
    std::string path = spec == "/dev/fake0" ? "/dev/xvda" : std::string(spec);
    g.nodes.push_back({path, 'b', 7, 0, 0600, 0, 0});
    g.rules.push_back({true, 'b', 7, 0, "rwm"});
    return g;
  };
  f.held_capabilities = (uint64_t{1} << 24) - 1;  // CHOWN (0) to SYS_NICE (23)
  f.host_devices = []() -> absl::StatusOr<DeviceGrant> {
    DeviceGrant g;
    g.nodes.push_back({"/dev/xvda", 'b', 202, 0, 0660, 0, 6});
    g.nodes.push_back({"/dev/kmsg", 'c', 1, 11, 0644, 0, 0});
    g.rules.push_back({true, 'b', 202, 0, "rwm"});
    return g;
  };
  return f;
}

ImageConfig Image(std::vector<std::string> entrypoint, std::vector<std::string> cmd) {
  ImageConfig image;
  image.entrypoint = std::move(entrypoint);
  image.cmd = std::move(cmd);
  image.env = {"LANG=C.UTF-8"};
  return image;
}

TEST(ConfigBuilderTest, CommandComesFromEntrypointCmdAndTheCaller) {
  CreateOptions o;
  auto c = BuildContainerConfig(o, Image({"/entry"}, {"a", "b"}), Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->process.args, ElementsAre("/entry", "a", "b"));
  o.command = {"x", "y"};  // replaces cmd, keeps the entrypoint (Docker's rule)
  c = BuildContainerConfig(o, Image({"/entry"}, {"a"}), Facts());
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->process.args, ElementsAre("/entry", "x", "y"));
  o.command.clear();
  auto none = BuildContainerConfig(o, Image({}, {}), Facts());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(none.status().message(), HasSubstr("no command specified"));
}

TEST(ConfigBuilderTest, EntrypointFlagReplacesTheImages) {
  CreateOptions o;
  o.entrypoint = std::vector<std::string>{"/bin/sh"};  // drops the image's CMD too (Docker)
  auto c = BuildContainerConfig(o, Image({"/entry"}, {"a"}), Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->process.args, ElementsAre("/bin/sh"));
  o.command = {"-c", "true"};
  c = BuildContainerConfig(o, Image({"/entry"}, {"a"}), Facts());
  EXPECT_THAT(c->process.args, ElementsAre("/bin/sh", "-c", "true"));
  o.entrypoint = std::vector<std::string>{};  // --entrypoint "": the image's CMD alone
  o.command.clear();
  c = BuildContainerConfig(o, Image({"/entry"}, {"a", "b"}), Facts());
  EXPECT_THAT(c->process.args, ElementsAre("a", "b"));
  EXPECT_FALSE(BuildContainerConfig(o, Image({"/entry"}, {}), Facts()).ok());
}

TEST(ConfigBuilderTest, StopSignalFromTheFlagOrTheImage) {
  CreateOptions o;
  ImageConfig image = Image({}, {"sh"});
  image.stop_signal = "SIGQUIT";
  auto c = BuildContainerConfig(o, image, Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->stop_signal, "SIGQUIT");
  EXPECT_FALSE(c->stop_timeout.has_value());
  o.stop_signal = "USR1";
  o.stop_timeout = 2;
  c = BuildContainerConfig(o, image, Facts());
  EXPECT_EQ(c->stop_signal, "USR1");
  EXPECT_EQ(c->stop_timeout, 2);
  o.stop_signal = "NOPE";
  auto bad = BuildContainerConfig(o, image, Facts());
  EXPECT_EQ(bad.status().message(), "Invalid signal: NOPE");
}

TEST(ConfigBuilderTest, WorkingDirectoryHostnameAndEnvironment) {
  CreateOptions o;
  o.tty = true;
  o.env = {"LANG=en", "A=1"};
  ImageConfig image = Image({}, {"sh"});
  image.working_dir = "/srv";
  auto c = BuildContainerConfig(o, image, Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->process.cwd, "/srv");
  EXPECT_EQ(c->hostname, std::string(kId).substr(0, 12));
  EXPECT_THAT(c->process.env,
              ElementsAre("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                          "LANG=en", std::string("HOSTNAME=") + std::string(kId).substr(0, 12),
                          "TERM=xterm", "A=1", "HOME=/root"));
  o.workdir = "relative";
  auto bad = BuildContainerConfig(o, image, Facts());
  EXPECT_THAT(bad.status().message(), HasSubstr("is not an absolute path"));
  o.workdir.clear();
  o.env = {"=x"};
  EXPECT_THAT(BuildContainerConfig(o, image, Facts()).status().message(),
              HasSubstr("invalid environment variable"));
  o.env.clear();
  o.hostname = "a/b";
  EXPECT_THAT(BuildContainerConfig(o, image, Facts()).status().message(),
              HasSubstr("invalid hostname"));
}

TEST(ConfigBuilderTest, UserNamesAreLookedUpInTheImage) {
  CreateOptions o;
  o.user = "www:staff";
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->process.user.uid, 33u);
  EXPECT_EQ(c->process.user.gid, 50u);
  EXPECT_THAT(c->process.env, Contains("HOME=/var/www"));
  o.user = "nobody";
  EXPECT_EQ(BuildContainerConfig(o, Image({}, {"sh"}), Facts()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConfigBuilderTest, CgroupNamespaceFollowsDockersDefaultPerVersion) {
  CreateOptions o;
  auto has_cgroupns = [](const ContainerConfig& c) {
    const auto& ns = c.linux_spec.namespaces;
    return std::find(ns.begin(), ns.end(), NamespaceType::kCgroup) != ns.end();
  };
  EXPECT_TRUE(has_cgroupns(*BuildContainerConfig(o, Image({}, {"sh"}), Facts())));
  EXPECT_FALSE(
      has_cgroupns(*BuildContainerConfig(o, Image({}, {"sh"}), Facts(CgroupVersion::kV1))));
  o.cgroupns = "private";
  EXPECT_TRUE(has_cgroupns(*BuildContainerConfig(o, Image({}, {"sh"}), Facts(CgroupVersion::kV1))));
  o.cgroupns = "shared";
  EXPECT_THAT(BuildContainerConfig(o, Image({}, {"sh"}), Facts()).status().message(),
              HasSubstr("invalid cgroup namespace mode"));
}

TEST(ConfigBuilderTest, MemoryWithoutSwapGetsTwiceAsMuchWhereTheKernelLimitsSwap) {
  CreateOptions o;
  o.resources.memory.limit = 64 << 20;
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_EQ(c->linux_spec.resources.memory.swap, 128 << 20);
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts(CgroupVersion::kV2, /*swap=*/false));
  EXPECT_FALSE(c->linux_spec.resources.memory.swap.has_value());
  o.resources.memory.swap = -1;
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_EQ(c->linux_spec.resources.memory.swap, -1);
}

TEST(ConfigBuilderTest, CgroupPathUnderItsParent) {
  CreateOptions o;
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_EQ(c->linux_spec.cgroups_path, std::string("mydocker/") + kId);
  o.cgroup_parent = "ci/jobs";
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_EQ(c->linux_spec.cgroups_path, std::string("ci/jobs/") + kId);
  // One spelling, so that a parent inside another container's cgroup is recognised.
  o.cgroup_parent = "ci//./jobs/";
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_EQ(c->linux_spec.cgroups_path, std::string("ci/jobs/") + kId);
  for (const char* bad : {"/abs", "a/../b", "./"}) {
    o.cgroup_parent = bad;
    EXPECT_THAT(BuildContainerConfig(o, Image({}, {"sh"}), Facts()).status().message(),
                HasSubstr("invalid cgroup parent"));
  }
}

TEST(ConfigBuilderTest, DevicePolicyStartsFromDockersList) {
  CreateOptions o;
  o.device_cgroup_rules = {"c 10:229 rw"};
  o.devices = {"/dev/fake0"};
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  const std::vector<DeviceRule>& rules = c->linux_spec.resources.devices;
  const size_t defaults = DefaultDeviceRules().size();
  ASSERT_EQ(rules.size(), defaults + 2);
  EXPECT_FALSE(rules[0].allow);
  EXPECT_EQ(rules[0].type, 'a');
  EXPECT_EQ(rules[defaults].minor, 229);
  EXPECT_EQ(rules[defaults + 1].type, 'b');
  ASSERT_EQ(c->linux_spec.devices.size(), 1u);
  EXPECT_EQ(c->linux_spec.devices[0].path, "/dev/xvda");
  o.devices = {"/dev/fake0", "/dev/xvda"};  // both end at /dev/xvda
  EXPECT_THAT(BuildContainerConfig(o, Image({}, {"sh"}), Facts()).status().message(),
              HasSubstr("two devices for the same path"));
  o.devices.clear();
  o.device_cgroup_rules = {"z 1:1 r"};
  EXPECT_EQ(BuildContainerConfig(o, Image({}, {"sh"}), Facts()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConfigBuilderTest, SeccompProfileChoices) {
  CreateOptions o;
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_TRUE(c->linux_spec.seccomp.has_value());  // the default profile
  o.seccomp_profile = "unconfined";
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_FALSE(c->linux_spec.seccomp.has_value());
  o.seccomp_profile = R"({"defaultAction":"SCMP_ACT_ALLOW"})";
  o.no_new_privileges = true;
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->linux_spec.seccomp->default_action, "SCMP_ACT_ALLOW");
  EXPECT_TRUE(c->process.no_new_privileges);
  o.seccomp_profile = "{not json";
  EXPECT_FALSE(BuildContainerConfig(o, Image({}, {"sh"}), Facts()).ok());
}

bool Allows(const LinuxSeccomp& p, const std::string& call) {
  return std::any_of(p.syscalls.begin(), p.syscalls.end(), [&](const SeccompSyscall& s) {
    return s.action == "SCMP_ACT_ALLOW" && s.args.empty() &&
           std::find(s.names.begin(), s.names.end(), call) != s.names.end();
  });
}

TEST(ConfigBuilderTest, CapAddAndDropChangeTheSetAndTheSeccompProfile) {
  CreateOptions o;
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(*c->process.capabilities, Contains("CAP_CHOWN"));
  EXPECT_FALSE(Allows(*c->linux_spec.seccomp, "mount"));
  o.cap_add = {"sys_admin", "CAP_SYS_PTRACE"};
  o.cap_drop = {"chown"};
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(*c->process.capabilities, Contains("CAP_SYS_ADMIN"));
  EXPECT_THAT(*c->process.capabilities, Not(Contains("CAP_CHOWN")));
  EXPECT_TRUE(Allows(*c->linux_spec.seccomp, "mount"));
  EXPECT_TRUE(Allows(*c->linux_spec.seccomp, "unshare"));
  EXPECT_TRUE(Allows(*c->linux_spec.seccomp, "process_vm_readv"));
  EXPECT_FALSE(Allows(*c->linux_spec.seccomp, "reboot"));
  o.cap_add = {"NET_ADMIN"};
  o.cap_drop = {"ALL"};  // only what is added
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_THAT(*c->process.capabilities, ElementsAre("CAP_NET_ADMIN"));
  o.cap_add = {"all"};  // all the runtime holds, minus the drops
  o.cap_drop = {"SYS_NICE"};
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_EQ(c->process.capabilities->size(), 23u);
  EXPECT_THAT(*c->process.capabilities, Not(Contains("CAP_SYS_NICE")));
  o.cap_drop = {"CAP_NOPE"};
  EXPECT_EQ(BuildContainerConfig(o, Image({}, {"sh"}), Facts()).status().message(),
            "invalid CapDrop: unknown capability: \"CAP_NOPE\"");
}

TEST(ConfigBuilderTest, PrivilegedLiftsTheConfinement) {
  CreateOptions o;
  o.privileged = true;
  o.devices = {"/dev/fake0"};  // replaces the host's /dev/xvda node
  o.cap_drop = {"KILL"};
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->process.capabilities->size(), 23u);  // every held one but KILL
  EXPECT_FALSE(c->linux_spec.seccomp.has_value());
  EXPECT_TRUE(c->linux_spec.masked_paths.empty());
  EXPECT_TRUE(c->linux_spec.readonly_paths.empty());
  for (const MountSpec& m : c->mounts) {
    if (m.destination == "/sys") EXPECT_THAT(m.options, Not(Contains("ro")));
  }
  ASSERT_EQ(c->linux_spec.devices.size(), 2u);
  EXPECT_EQ(c->linux_spec.devices[0].major, 7);  // --device's node
  EXPECT_EQ(c->linux_spec.devices[1].path, "/dev/kmsg");
  const std::vector<DeviceRule>& rules = c->linux_spec.resources.devices;
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_TRUE(rules[0].allow);
  EXPECT_EQ(rules[0].type, 'a');
  o.seccomp_profile = R"({"defaultAction":"SCMP_ACT_ALLOW"})";  // privileged: none at all
  c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  EXPECT_FALSE(c->linux_spec.seccomp.has_value());
}

TEST(ConfigBuilderTest, LabelsGoOnTopOfTheImages) {
  ImageConfig image = Image({}, {"sh"});
  image.labels = {{"maintainer", "x"}, {"tier", "base"}};
  CreateOptions o;
  o.labels = {"tier=web", "empty", "tier=front"};
  auto c = BuildContainerConfig(o, image, Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->labels, (std::map<std::string, std::string>{
                           {"empty", ""}, {"maintainer", "x"}, {"tier", "front"}}));
  o.labels = {"=x"};
  EXPECT_EQ(BuildContainerConfig(o, image, Facts()).status().message(),
            "invalid label '=x': empty name");
  o.labels.clear();
  image.labels[std::string("bad\0", 4)] = "";
  EXPECT_FALSE(BuildContainerConfig(o, image, Facts()).ok());
}

TEST(ConfigBuilderTest, UlimitsAndOomScoreStayWithinWhatTheRuntimeMayGive) {
  ContainerFacts facts = Facts();
  facts.hard_limit = [](int resource) -> uint64_t {
    return resource == RLIMIT_NOFILE ? 4096 : 100;
  };
  facts.oom_score_adj = -10;
  CreateOptions o;
  o.ulimits = {"nofile=1024:2048", "core=0", "nofile=4096"};
  o.oom_score_adj = -10;
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), facts);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->process.rlimits.size(), 2u);
  EXPECT_EQ(c->process.rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(c->process.rlimits[0].soft, 4096u);
  EXPECT_EQ(c->process.rlimits[0].hard, 4096u);
  EXPECT_EQ(c->process.rlimits[1].resource, RLIMIT_CORE);
  EXPECT_EQ(c->process.oom_score_adj, -10);
  o.ulimits = {"nofile=1024:8192"};
  EXPECT_THAT(std::string(BuildContainerConfig(o, Image({}, {"sh"}), facts).status().message()),
              HasSubstr("the hard limit 8192 is above mydocker's own (4096)"));
  o.ulimits = {"core=-1"};
  EXPECT_THAT(std::string(BuildContainerConfig(o, Image({}, {"sh"}), facts).status().message()),
              HasSubstr("the hard limit unlimited is above"));
  o.ulimits.clear();
  o.oom_score_adj = -11;
  EXPECT_THAT(std::string(BuildContainerConfig(o, Image({}, {"sh"}), facts).status().message()),
              HasSubstr("below mydocker's own (-10)"));
  o.oom_score_adj = 1001;
  EXPECT_EQ(BuildContainerConfig(o, Image({}, {"sh"}), facts).status().message(),
            "Invalid value 1001, range for oom score adj is [-1000, 1000]");
  // With CAP_SYS_RESOURCE both may go further.
  facts.held_capabilities |= uint64_t{1} << 24;
  o.oom_score_adj = -1000;
  o.ulimits = {"nofile=1024:8192"};
  EXPECT_TRUE(BuildContainerConfig(o, Image({}, {"sh"}), facts).ok());
}

TEST(ConfigBuilderTest, ShmSizeAndGroupAdd) {
  CreateOptions o;
  o.shm_size = 128 << 20;
  o.group_add = {"staff", "7", "staff"};
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), Facts());
  ASSERT_TRUE(c.ok()) << c.status();
  auto shm = std::find_if(c->mounts.begin(), c->mounts.end(),
                          [](const MountSpec& m) { return m.destination == "/dev/shm"; });
  ASSERT_NE(shm, c->mounts.end());
  EXPECT_THAT(shm->options, Contains("size=134217728"));
  EXPECT_THAT(shm->options, Not(Contains("size=65536k")));
  EXPECT_EQ(c->process.user.additional_gids, (std::vector<uint32_t>{50, 7}));
  o.group_add = {"nosuchgroup"};
  EXPECT_EQ(BuildContainerConfig(o, Image({}, {"sh"}), Facts()).status().message(),
            "unable to find group nosuchgroup");
  o.group_add.clear();
  o.shm_size = 0;
  EXPECT_FALSE(BuildContainerConfig(o, Image({}, {"sh"}), Facts()).ok());
}

TEST(ConfigBuilderTest, SysctlsOnlyInTheContainersOwnNamespaces) {
  ContainerFacts facts = Facts();
  facts.has_sysctl = [](const std::string& name) { return name != "net.ipv4.nonexistent"; };
  CreateOptions o;
  o.sysctls = {"net.ipv4.ip_forward=1", "kernel.shmmax=1000", "fs.mqueue.msg_max=20",
               "net.ipv4.conf.eth0.route_localnet=1", "kernel.shmmax=2000"};
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), facts);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->linux_spec.sysctl,
              ElementsAre(std::make_pair(std::string("net.ipv4.ip_forward"), std::string("1")),
                          std::make_pair(std::string("kernel.shmmax"), std::string("2000")),
                          std::make_pair(std::string("fs.mqueue.msg_max"), std::string("20")),
                          std::make_pair(std::string("net.ipv4.conf.eth0.route_localnet"),
                                         std::string("1"))));
  auto refused = [&](std::vector<std::string> sysctls, const std::string& mode = "") {
    CreateOptions bad;
    bad.sysctls = std::move(sysctls);
    bad.network.mode = mode;
    return std::string(BuildContainerConfig(bad, Image({}, {"sh"}), facts).status().message());
  };
  EXPECT_THAT(refused({"kernel.panic=1"}), HasSubstr("is not in a separate kernel namespace"));
  EXPECT_THAT(refused({"vm.swappiness=1"}), HasSubstr("is not in a separate kernel namespace"));
  EXPECT_THAT(refused({"kernel.hostname=x"}), HasSubstr("use --hostname"));
  EXPECT_THAT(refused({"net.ipv4.ip_forward=1"}, "host"),
              HasSubstr("not allowed in the host's network namespace"));
  EXPECT_THAT(refused({"net.ipv4.ip_forward=1"}, "container:abc"),
              HasSubstr("another container's network namespace"));
  EXPECT_THAT(refused({"net.ipv4.nonexistent=1"}), HasSubstr("no such parameter"));
  EXPECT_THAT(refused({"noequals"}), HasSubstr("want NAME=VALUE"));
  EXPECT_THAT(refused({"net/ipv4/ip_forward=1"}), HasSubstr("want NAME=VALUE"));
  EXPECT_THAT(refused({"net.ipv4..x=1"}), HasSubstr("want NAME=VALUE"));
}

TEST(ConfigBuilderTest, NamespaceModesAsDocker) {
  ContainerFacts facts = Facts();
  facts.host_name = "thehost";
  facts.find_container = [](const std::string& name) -> absl::StatusOr<JoinTarget> {
    if (name == "shared") return JoinTarget{"aaaa", true, "shareable"};
    if (name == "private") return JoinTarget{"bbbb", true, ""};
    if (name == "stopped") return JoinTarget{"cccc", false, "shareable"};
    return absl::NotFoundError(name);
  };
  CreateOptions o;
  o.pid_mode = "host";
  o.ipc_mode = "host";
  o.uts_mode = "host";
  auto c = BuildContainerConfig(o, Image({}, {"sh"}), facts);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->linux_spec.namespaces, Not(Contains(NamespaceType::kPid)));
  EXPECT_THAT(c->linux_spec.namespaces, Not(Contains(NamespaceType::kIpc)));
  EXPECT_THAT(c->linux_spec.namespaces, Not(Contains(NamespaceType::kUts)));
  EXPECT_EQ(c->hostname, "");
  EXPECT_THAT(c->process.env, Contains("HOSTNAME=thehost"));
  auto shm = std::find_if(c->mounts.begin(), c->mounts.end(),
                          [](const MountSpec& m) { return m.destination == "/dev/shm"; });
  ASSERT_NE(shm, c->mounts.end());
  EXPECT_EQ(shm->type, "bind");
  EXPECT_EQ(shm->source, "/dev/shm");
  o = CreateOptions();
  o.pid_mode = "container:shared";
  o.ipc_mode = "container:shared";
  c = BuildContainerConfig(o, Image({}, {"sh"}), facts);
  ASSERT_TRUE(c.ok()) << c.status();
  // Joined, not dropped: exec enters them through init.
  EXPECT_THAT(c->linux_spec.namespaces, Contains(NamespaceType::kPid));
  EXPECT_EQ(c->pid_mode, "container:aaaa");
  EXPECT_EQ(c->ipc_mode, "container:aaaa");
  auto refused = [&](CreateOptions bad) {
    return std::string(BuildContainerConfig(bad, Image({}, {"sh"}), facts).status().message());
  };
  o = CreateOptions();
  o.ipc_mode = "container:private";
  EXPECT_THAT(refused(o), HasSubstr("non-shareable IPC"));
  o.ipc_mode = "container:stopped";
  EXPECT_EQ(refused(o), "cannot join IPC of a non running container: stopped");
  o.ipc_mode = "container:shared";
  o.sysctls = {"kernel.shmmax=1"};
  EXPECT_THAT(refused(o), HasSubstr("another container's IPC namespace"));
  o = CreateOptions();
  o.uts_mode = "host";
  o.hostname = "box";
  EXPECT_EQ(refused(o), "conflicting options: hostname and the UTS mode");
  o = CreateOptions();
  o.pid_mode = "private";
  EXPECT_EQ(refused(o), "invalid PID mode: private");
}

TEST(ConfigBuilderTest, RootIsTheImagesLayersUnderTheContainersDirectory) {
  auto c = BuildContainerConfig(CreateOptions{}, Image({}, {"sh"}), Facts());
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->root.lower_dirs,
              ElementsAre("/state/layers/sha256/top", "/state/layers/sha256/base"));
  EXPECT_EQ(c->root.path, std::string("/state/containers/") + kId + "/rootfs");
  ContainerFacts bad = Facts();
  bad.layer_dirs = {"/state/layers/a,b"};
  EXPECT_FALSE(BuildContainerConfig(CreateOptions{}, Image({}, {"sh"}), bad).ok());
}

}  // namespace
}  // namespace mydocker
