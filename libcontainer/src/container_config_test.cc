#include "mydocker/container_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "mydocker/devices.h"

namespace mydocker {
namespace {

ContainerConfig FullConfig() {
  ContainerConfig c = DefaultContainerConfig();
  c.process.terminal = true;
  c.process.open_stdin = true;
  c.stop_signal = "SIGQUIT";
  c.stop_timeout = 3;
  c.init = true;
  c.restart_policy = {"on-failure", 5};
  c.process.console_size = ConsoleSize{24, 80};
  c.process.user = {1000, 1000, {10, 4294967295u}};
  c.process.args = {"/bin/sh", "-c", "echo \"hi\"\n\ttab \\ done", "\xc3\xa9t\xc3\xa9"};
  c.process.env = {"PATH=/usr/bin:/bin", "EMPTY="};
  c.process.cwd = "/work dir";
  c.root = {"/var/lib/mydocker/containers/x/rootfs",
            true,
            {"/l/2", "/l/1"},
            "/u",
            "/w",
            "fuse-overlayfs"};
  c.hostname = "box";
  c.mounts.push_back({"/data", "bind", "/host/data", {"rbind", "ro"}});
  c.linux_spec.namespaces.push_back(NamespaceType::kCgroup);
  c.linux_spec.resources.memory = {int64_t{1} << 40, -1};
  c.linux_spec.resources.cpu = {1024, 50000, 100000, "0-1", "0"};
  c.linux_spec.resources.pids = {100};
  c.linux_spec.resources.devices = {{false, 'a', std::nullopt, std::nullopt, "rwm"},
                                    {true, 'c', 1, 3, "rwm"},
                                    {true, 'b', 7, std::nullopt, "r"}};
  c.linux_spec.devices = {{"/dev/xvdc", 'b', 7, 0, 0640, 0, 6}};
  c.linux_spec.cgroups_path = "mydocker/abc";
  c.labels = {{"com.example.tier", "web"}, {"empty", ""}, {"quote\"d", "a\nb"}};
  return c;
}

void ExpectSameConfig(const ContainerConfig& a, const ContainerConfig& b) {
  EXPECT_EQ(a.oci_version, b.oci_version);
  EXPECT_EQ(a.process.terminal, b.process.terminal);
  EXPECT_EQ(a.process.open_stdin, b.process.open_stdin);
  EXPECT_EQ(a.stop_signal, b.stop_signal);
  EXPECT_EQ(a.stop_timeout, b.stop_timeout);
  EXPECT_EQ(a.init, b.init);
  EXPECT_TRUE(a.restart_policy == b.restart_policy);
  ASSERT_EQ(a.process.console_size.has_value(), b.process.console_size.has_value());
  if (a.process.console_size) {
    EXPECT_EQ(a.process.console_size->height, b.process.console_size->height);
    EXPECT_EQ(a.process.console_size->width, b.process.console_size->width);
  }
  EXPECT_EQ(a.process.user.uid, b.process.user.uid);
  EXPECT_EQ(a.process.user.gid, b.process.user.gid);
  EXPECT_EQ(a.process.user.additional_gids, b.process.user.additional_gids);
  EXPECT_EQ(a.process.args, b.process.args);
  EXPECT_EQ(a.process.env, b.process.env);
  EXPECT_EQ(a.process.cwd, b.process.cwd);
  EXPECT_EQ(a.root.path, b.root.path);
  EXPECT_EQ(a.root.readonly, b.root.readonly);
  EXPECT_EQ(a.root.lower_dirs, b.root.lower_dirs);
  EXPECT_EQ(a.root.upper_dir, b.root.upper_dir);
  EXPECT_EQ(a.root.work_dir, b.root.work_dir);
  EXPECT_EQ(a.root.storage_driver, b.root.storage_driver);
  EXPECT_EQ(a.hostname, b.hostname);
  ASSERT_EQ(a.mounts.size(), b.mounts.size());
  for (size_t i = 0; i < a.mounts.size(); ++i) {
    EXPECT_EQ(a.mounts[i].destination, b.mounts[i].destination);
    EXPECT_EQ(a.mounts[i].type, b.mounts[i].type);
    EXPECT_EQ(a.mounts[i].source, b.mounts[i].source);
    EXPECT_EQ(a.mounts[i].options, b.mounts[i].options);
  }
  EXPECT_EQ(a.linux_spec.namespaces, b.linux_spec.namespaces);
  EXPECT_EQ(a.linux_spec.resources.memory.limit, b.linux_spec.resources.memory.limit);
  EXPECT_EQ(a.linux_spec.resources.memory.swap, b.linux_spec.resources.memory.swap);
  EXPECT_EQ(a.linux_spec.resources.cpu.shares, b.linux_spec.resources.cpu.shares);
  EXPECT_EQ(a.linux_spec.resources.cpu.quota, b.linux_spec.resources.cpu.quota);
  EXPECT_EQ(a.linux_spec.resources.cpu.period, b.linux_spec.resources.cpu.period);
  EXPECT_EQ(a.linux_spec.resources.cpu.cpus, b.linux_spec.resources.cpu.cpus);
  EXPECT_EQ(a.linux_spec.resources.cpu.mems, b.linux_spec.resources.cpu.mems);
  EXPECT_EQ(a.linux_spec.resources.pids.limit, b.linux_spec.resources.pids.limit);
  ASSERT_EQ(a.linux_spec.resources.devices.size(), b.linux_spec.resources.devices.size());
  for (size_t i = 0; i < a.linux_spec.resources.devices.size(); ++i) {
    const DeviceRule& x = a.linux_spec.resources.devices[i];
    const DeviceRule& y = b.linux_spec.resources.devices[i];
    EXPECT_EQ(std::tie(x.allow, x.type, x.major, x.minor, x.access),
              std::tie(y.allow, y.type, y.major, y.minor, y.access));
  }
  ASSERT_EQ(a.linux_spec.devices.size(), b.linux_spec.devices.size());
  for (size_t i = 0; i < a.linux_spec.devices.size(); ++i) {
    const LinuxDevice& x = a.linux_spec.devices[i];
    const LinuxDevice& y = b.linux_spec.devices[i];
    EXPECT_EQ(std::tie(x.path, x.type, x.major, x.minor, x.file_mode, x.uid, x.gid),
              std::tie(y.path, y.type, y.major, y.minor, y.file_mode, y.uid, y.gid));
  }
  EXPECT_EQ(a.linux_spec.cgroups_path, b.linux_spec.cgroups_path);
  EXPECT_EQ(a.linux_spec.masked_paths, b.linux_spec.masked_paths);
  EXPECT_EQ(a.linux_spec.readonly_paths, b.linux_spec.readonly_paths);
  EXPECT_EQ(a.labels, b.labels);
}

// Expects InvalidArgument whose message mentions `field`, on one line, lowercase start, no period.
void ExpectInvalid(const std::string& json, const std::string& field) {
  absl::StatusOr<ContainerConfig> c = ConfigFromJson(json);
  ASSERT_FALSE(c.ok()) << json;
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << c.status();
  std::string message(c.status().message());
  EXPECT_NE(message.find(field), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  ASSERT_FALSE(message.empty());
  EXPECT_NE(message.back(), '.') << message;
  EXPECT_FALSE(message[0] >= 'A' && message[0] <= 'Z') << message;
}

const char kMinimal[] = R"({"process":{"args":["true"]}})";

TEST(ContainerConfigTest, DefaultHasNamespacesMountsAndMaskedPaths) {
  ContainerConfig c = DefaultContainerConfig();
  EXPECT_EQ(c.process.cwd, "/");
  EXPECT_EQ(c.linux_spec.namespaces,
            (std::vector<NamespaceType>{NamespaceType::kPid, NamespaceType::kNetwork,
                                        NamespaceType::kMount, NamespaceType::kIpc,
                                        NamespaceType::kUts}));
  std::vector<std::string> destinations;
  for (const MountSpec& m : c.mounts) destinations.push_back(m.destination);
  EXPECT_EQ(destinations, (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm",
                                                    "/dev/mqueue", "/sys"}));
  const MountSpec& pts = c.mounts[2];
  EXPECT_EQ(pts.type, "devpts");
  for (const char* opt : {"newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}) {
    EXPECT_NE(std::find(pts.options.begin(), pts.options.end(), opt), pts.options.end()) << opt;
  }
  const MountSpec& sys = c.mounts[5];
  EXPECT_NE(std::find(sys.options.begin(), sys.options.end(), "ro"), sys.options.end());
  EXPECT_EQ(c.linux_spec.masked_paths.size(), 10u);
  for (const char* masked : {"/proc/kcore", "/sys/devices/virtual/powercap"}) {
    EXPECT_NE(std::find(c.linux_spec.masked_paths.begin(), c.linux_spec.masked_paths.end(), masked),
              c.linux_spec.masked_paths.end())
        << masked;
  }
  const MountSpec& proc = c.mounts[0];
  for (const char* opt : {"nosuid", "noexec", "nodev"}) {
    EXPECT_NE(std::find(proc.options.begin(), proc.options.end(), opt), proc.options.end()) << opt;
  }
  EXPECT_NE(std::find(c.linux_spec.readonly_paths.begin(), c.linux_spec.readonly_paths.end(),
                      "/proc/sys"),
            c.linux_spec.readonly_paths.end());
}

TEST(ContainerConfigTest, NamespaceNamesRoundTrip) {
  for (NamespaceType t :
       {NamespaceType::kPid, NamespaceType::kNetwork, NamespaceType::kMount, NamespaceType::kIpc,
        NamespaceType::kUts, NamespaceType::kUser, NamespaceType::kCgroup}) {
    absl::StatusOr<NamespaceType> parsed = ParseNamespaceType(NamespaceTypeName(t));
    ASSERT_TRUE(parsed.ok()) << NamespaceTypeName(t);
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(NamespaceTypeName(NamespaceType::kNetwork), "network");
  EXPECT_EQ(ParseNamespaceType("net").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseNamespaceType("").ok());
}

TEST(ContainerConfigTest, FullConfigRoundTrips) {
  ContainerConfig c = FullConfig();
  std::string json = ConfigToJson(c);
  absl::StatusOr<ContainerConfig> parsed = ConfigFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status() << "\n" << json;
  ExpectSameConfig(c, *parsed);
  EXPECT_EQ(ConfigToJson(*parsed), json);
}

TEST(ContainerConfigTest, UsesOciFieldNames) {
  std::string json = ConfigToJson(FullConfig());
  for (const char* key :
       {"\"ociVersion\"", "\"consoleSize\"", "\"additionalGids\"", "\"readonly\"", "\"lowerDirs\"",
        "\"upperDir\"", "\"workDir\"", "\"cgroupsPath\"", "\"maskedPaths\"", "\"readonlyPaths\"",
        "\"destination\"", "\"namespaces\"", "\"shares\"", "\"quota\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
}

TEST(ContainerConfigTest, OmitsAbsentOptionalFields) {
  ContainerConfig c = DefaultContainerConfig();
  c.process.args = {"sh"};
  std::string json = ConfigToJson(c);
  // As keys ("name":): the default seccomp profile's call names include "sethostname" and
  // "getcpu".
  for (const char* key : {"consoleSize", "additionalGids", "lowerDirs", "upperDir", "hostname",
                          "memory", "cpu", "pids", "cgroupsPath"}) {
    EXPECT_EQ(json.find(absl::StrCat("\"", key, "\":")), std::string::npos)
        << key << " in " << json;
  }
  absl::StatusOr<ContainerConfig> parsed = ConfigFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->process.console_size.has_value());
  EXPECT_FALSE(parsed->linux_spec.resources.memory.limit.has_value());
  EXPECT_FALSE(parsed->linux_spec.resources.pids.limit.has_value());
}

TEST(ContainerConfigTest, MinimalConfigGetsDefaults) {
  absl::StatusOr<ContainerConfig> c = ConfigFromJson(kMinimal);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->process.args, std::vector<std::string>{"true"});
  EXPECT_EQ(c->process.cwd, "/");
  EXPECT_TRUE(c->mounts.empty());
}

TEST(ContainerConfigTest, RecordsWithoutDeviceRulesGetDockersPolicy) {
  // Written before device policies existed: every container then had Docker's list.
  for (const char* json : {R"({"process":{"args":["a"]},"linux":{"resources":{}}})",
                           R"({"process":{"args":["a"]},"linux":{}})", kMinimal}) {
    absl::StatusOr<ContainerConfig> c = ConfigFromJson(json);
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(c->linux_spec.resources.devices.size(), DefaultDeviceRules().size()) << json;
  }
  // An explicit empty list is kept: no policy of the container's own.
  absl::StatusOr<ContainerConfig> c =
      ConfigFromJson(R"({"process":{"args":["a"]},"linux":{"resources":{"devices":[]}}})");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->linux_spec.resources.devices.empty());
}

TEST(ContainerConfigTest, RejectsBadDevices) {
  for (const char* devices :
       {R"("resources":{"devices":[{"allow":true,"type":"x","access":"r"}]})",
        R"("resources":{"devices":[{"allow":true,"type":"c","major":5000,"access":"r"}]})",
        R"("resources":{"devices":[{"allow":true,"type":"c","access":"rwq"}]})",
        R"("resources":{"devices":[{"allow":"yes"}]})",
        R"("devices":[{"path":"dev/x","type":"c","major":1,"minor":3}])",
        R"("devices":[{"path":"/dev/x","type":"a","major":1,"minor":3}])",
        R"("devices":[{"path":"/dev/x","type":"c","major":1,"minor":3,"fileMode":65535}])"}) {
    std::string json = absl::StrCat(R"({"process":{"args":["a"]},"linux":{)", devices, "}}");
    absl::StatusOr<ContainerConfig> c = ConfigFromJson(json);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_NE(c.status().message().find("devices["), std::string::npos) << c.status();
  }
}

using ::testing::HasSubstr;

TEST(ContainerConfigTest, LabelsAreAnAnnotationHoldingAnObject) {
  ContainerConfig c = DefaultContainerConfig();
  c.process.args = {"true"};
  c.labels = {{"a", "1"}};
  EXPECT_THAT(ConfigToJson(c), HasSubstr(R"("com.mydocker.labels":"{\"a\":\"1\"}")"));
  ExpectInvalid(R"({"process":{"args":["true"]},"annotations":{"com.mydocker.labels":"[1]"}})",
                "labels");
  ExpectInvalid(
      R"({"process":{"args":["true"]},"annotations":{"com.mydocker.labels":"{\"a\":1}"}})",
      "labels");
}

TEST(ContainerConfigTest, ParseUlimitAsDockersCli) {
  auto nofile = ParseUlimit("nofile=1024:2048");
  ASSERT_TRUE(nofile.ok()) << nofile.status();
  EXPECT_EQ(nofile->resource, RLIMIT_NOFILE);
  EXPECT_EQ(nofile->soft, 1024u);
  EXPECT_EQ(nofile->hard, 2048u);
  auto core = ParseUlimit("core=-1");
  ASSERT_TRUE(core.ok());
  EXPECT_EQ(core->soft, ~uint64_t{0});
  EXPECT_EQ(core->hard, ~uint64_t{0});
  EXPECT_EQ(UlimitName(RLIMIT_NPROC), "nproc");
  EXPECT_EQ(ParseUlimit("nofile").status().message(), "invalid ulimit argument: nofile");
  EXPECT_EQ(ParseUlimit("as=1").status().message(), "invalid ulimit type: as");
  EXPECT_EQ(ParseUlimit("nofile=2048:1024").status().message(),
            "ulimit soft limit must be less than or equal to hard limit: 2048 > 1024");
  EXPECT_FALSE(ParseUlimit("nofile=1:2:3").ok());
  EXPECT_FALSE(ParseUlimit("nofile=x").ok());
  EXPECT_FALSE(ParseUlimit("nofile=-2").ok());
}

TEST(ContainerConfigTest, RlimitsSysctlsOomScoreAndBlkioRoundTrip) {
  ContainerConfig c = DefaultContainerConfig();
  c.process.args = {"true"};
  c.process.rlimits = {{RLIMIT_NOFILE, 10, 20}};
  c.process.oom_score_adj = -5;
  c.linux_spec.sysctl = {{"net.ipv4.ip_forward", "1"}};
  c.linux_spec.resources.block_io.weight = 300;
  std::string json = ConfigToJson(c);
  EXPECT_THAT(json, HasSubstr(R"("rlimits":[{"type":"RLIMIT_NOFILE","soft":10,"hard":20}])"));
  EXPECT_THAT(json, HasSubstr(R"("oomScoreAdj":-5)"));
  EXPECT_THAT(json, HasSubstr(R"("sysctl":{"net.ipv4.ip_forward":"1"})"));
  EXPECT_THAT(json, HasSubstr(R"("blockIO":{"weight":300})"));
  auto back = ConfigFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->process.rlimits.size(), 1u);
  EXPECT_EQ(back->process.rlimits[0].hard, 20u);
  EXPECT_EQ(back->process.oom_score_adj, -5);
  EXPECT_EQ(back->linux_spec.sysctl, c.linux_spec.sysctl);
  EXPECT_EQ(back->linux_spec.resources.block_io.weight, 300);
  ExpectInvalid(R"({"process":{"args":["true"],"oomScoreAdj":5000}})", "oomScoreAdj");
  ExpectInvalid(R"({"process":{"args":["true"],"rlimits":[{"type":"RLIMIT_X"}]}})", "rlimits");
  ExpectInvalid(R"({"process":{"args":["true"]},"linux":{"sysctl":{"a/b":"1"}}})", "sysctl");
}

TEST(ContainerConfigTest, MountPointsOfAnOldRecordAreRecoveredFromItsMounts) {
  const std::string root = "/var/lib/md";
  const std::string dir = root + "/containers/abc";
  std::vector<MountSpec> mounts = {
      {"/proc", "proc", "proc", {"nosuid"}},
      {"/etc/hosts", "bind", dir + "/hosts", {"rbind", "rw"}},
      {"/h", "bind", "/srv/host", {"rbind", "ro", "rshared"}},
      {"/n", "bind", root + "/volumes/named/_data", {"rbind", "rw"}},
      {"/odd", "bind", root + "/volumes/../x/_data", {"rbind", "rw"}},
      {"/t", "tmpfs", "tmpfs", {"nosuid"}},
  };
  std::vector<MountPoint> points = RecoverMountPoints(mounts, root);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].type, "bind");
  EXPECT_EQ(points[0].source, "/srv/host");
  EXPECT_EQ(points[0].destination, "/h");
  EXPECT_FALSE(points[0].rw);
  EXPECT_EQ(points[0].mode, "ro");
  EXPECT_EQ(points[0].propagation, "rshared");
  EXPECT_EQ(points[1].type, "volume");
  EXPECT_EQ(points[1].name, "named");
  EXPECT_TRUE(points[1].rw);
  // A record's "Mounts" says whether they were recorded, even when there are none.
  ContainerConfig config;
  config.process.args = {"sh"};
  config.create_record.recorded = true;
  auto back = ConfigFromJson(ConfigToJson(config));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->create_record.mounts_recorded);
  std::string old = ConfigToJson(config);
  size_t at = old.find(",\\\"Mounts\\\":[]");
  ASSERT_NE(at, std::string::npos) << old;
  old.erase(at, std::string(",\\\"Mounts\\\":[]").size());
  back = ConfigFromJson(old);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->create_record.recorded);
  EXPECT_FALSE(back->create_record.mounts_recorded);
}

TEST(ContainerConfigTest, HugepageLimitsAndNetworkResourcesRoundTrip) {
  ContainerConfig c = DefaultContainerConfig();
  c.process.args = {"true"};
  c.linux_spec.resources.hugepage_limits = {{"2MB", 1 << 30}, {"1GB", uint64_t{1} << 33}};
  c.linux_spec.resources.network.class_id = 0x100001;
  c.linux_spec.resources.network.priorities = {{"lo", 2}, {"eth0", 9}};
  std::string json = ConfigToJson(c);
  EXPECT_THAT(json, HasSubstr(R"("hugepageLimits":[{"pageSize":"2MB","limit":1073741824},)"
                              R"({"pageSize":"1GB","limit":8589934592}])"));
  EXPECT_THAT(json, HasSubstr(R"("network":{"classID":1048577,"priorities":[{"name":"lo",)"
                              R"("priority":2},{"name":"eth0","priority":9}]})"));
  auto back = ConfigFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  const LinuxResources& r = back->linux_spec.resources;
  ASSERT_EQ(r.hugepage_limits.size(), 2u);
  EXPECT_EQ(r.hugepage_limits[1].page_size, "1GB");
  EXPECT_EQ(r.hugepage_limits[1].limit, uint64_t{1} << 33);
  EXPECT_EQ(r.network.class_id, 0x100001u);
  EXPECT_EQ(r.network.priorities, c.linux_spec.resources.network.priorities);
  EXPECT_THAT(ConfigToJson(DefaultContainerConfig()), Not(HasSubstr("hugepageLimits")));
  ExpectInvalid(R"({"process":{"args":["true"]},"linux":{"resources":{"hugepageLimits":)"
                R"([{"pageSize":"2MB","limit":-1}]}}})",
                "hugepageLimits[0].limit");
  ExpectInvalid(R"({"process":{"args":["true"]},"linux":{"resources":{"network":)"
                R"({"classID":4294967296}}}})",
                "classID");
  ExpectInvalid(R"({"process":{"args":["true"]},"linux":{"resources":{"network":)"
                R"({"priorities":[{"name":7}]}}}})",
                "priorities[0].name");
}

TEST(ContainerConfigTest, ParseLabelAsDockersCli) {
  EXPECT_EQ(*ParseLabel("a=b=c"), std::make_pair(std::string("a"), std::string("b=c")));
  EXPECT_EQ(*ParseLabel("key"), std::make_pair(std::string("key"), std::string()));
  EXPECT_EQ(*ParseLabel(" k =v"), std::make_pair(std::string("k"), std::string("v")));
  EXPECT_EQ(ParseLabel("=v").status().message(), "invalid label '=v': empty name");
  EXPECT_FALSE(ParseLabel("  ").ok());
  EXPECT_FALSE(ParseLabel(std::string("a=\0b", 4)).ok());
}

TEST(ContainerConfigTest, NullMeansAbsent) {
  absl::StatusOr<ContainerConfig> c = ConfigFromJson(
      R"({"process":{"args":["a"],"env":null,"consoleSize":null},"mounts":null,"linux":null})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->process.env.empty());
}

TEST(ContainerConfigTest, RejectsMalformedJson) {
  std::string json = ConfigToJson(FullConfig());
  for (size_t len : {size_t{0}, size_t{1}, json.size() / 2, json.size() - 1}) {
    ExpectInvalid(json.substr(0, len), "json");
  }
  ExpectInvalid(json + "x", "json");
  ExpectInvalid("[1,2]", "config must be an object");
  ExpectInvalid("\"str\"", "config must be an object");
  ExpectInvalid("{\"process\": {\"args\": [\"a\"]}, }", "json");
}

TEST(ContainerConfigTest, RejectsMissingOrBadArgs) {
  ExpectInvalid("{}", "process");
  ExpectInvalid(R"({"process":{}})", "process.args");
  ExpectInvalid(R"({"process":{"args":[]}})", "process.args");
  ExpectInvalid(R"({"process":{"args":"sh"}})", "process.args");
  ExpectInvalid(R"({"process":{"args":["sh",1]}})", "process.args[1]");
  ExpectInvalid(R"({"process":{"args":[null]}})", "process.args[0]");
  ExpectInvalid(R"({"process":{"args":["a\u0000b"]}})", "process.args[0]");
  ExpectInvalid(R"({"process":"sh"})", "process");
}

TEST(ContainerConfigTest, RejectsWrongTypes) {
  ExpectInvalid(R"({"ociVersion":1,"process":{"args":["a"]}})", "ociVersion");
  ExpectInvalid(R"({"process":{"args":["a"],"terminal":"yes"}})", "process.terminal");
  ExpectInvalid(R"({"process":{"args":["a"],"env":"A=1"}})", "process.env");
  ExpectInvalid(R"({"process":{"args":["a"],"cwd":"rel"}})", "process.cwd");
  ExpectInvalid(R"({"process":{"args":["a"],"user":{"uid":"0"}}})", "process.user.uid");
  ExpectInvalid(R"({"process":{"args":["a"],"user":{"additionalGids":[1,-1]}}})",
                "process.user.additionalGids[1]");
  ExpectInvalid(R"({"process":{"args":["a"],"consoleSize":{"height":1.5}}})",
                "process.consoleSize.height");
  ExpectInvalid(R"({"process":{"args":["a"]},"root":[]})", "root");
  ExpectInvalid(R"({"process":{"args":["a"]},"root":{"readonly":1}})", "root.readonly");
  ExpectInvalid(R"({"process":{"args":["a"]},"mounts":{}})", "mounts");
  ExpectInvalid(R"({"process":{"args":["a"]},"mounts":[1]})", "mounts[0]");
  ExpectInvalid(R"({"process":{"args":["a"]},"mounts":[{"type":"proc"}]})",
                "mounts[0].destination");
  ExpectInvalid(R"({"process":{"args":["a"]},"mounts":[{"destination":"/x","options":[1]}]})",
                "mounts[0].options[0]");
  ExpectInvalid(R"({"process":{"args":["a"]},"linux":{"namespaces":[{"type":"net"}]}})",
                "linux.namespaces[0].type");
  ExpectInvalid(R"({"process":{"args":["a"]},"linux":{"namespaces":["pid"]}})",
                "linux.namespaces[0]");
  ExpectInvalid(
      R"({"process":{"args":["a"]},"linux":{"namespaces":[{"type":"pid"},{"type":"pid"}]}})",
      "duplicate");
  ExpectInvalid(R"({"process":{"args":["a"]},"linux":{"resources":{"cpu":{"cpus":5}}}})",
                "linux.resources.cpu.cpus");
  ExpectInvalid(R"({"process":{"args":["a"]},"linux":{"maskedPaths":[true]}})",
                "linux.maskedPaths[0]");
}

TEST(ContainerConfigTest, RejectsOutOfRangeNumbers) {
  ExpectInvalid(R"({"process":{"args":["a"],"user":{"uid":4294967296}}})", "process.user.uid");
  ExpectInvalid(R"({"process":{"args":["a"],"user":{"uid":-1}}})", "process.user.uid");
  ExpectInvalid(R"({"process":{"args":["a"],"consoleSize":{"width":65536}}})",
                "process.consoleSize.width");
  ExpectInvalid(
      R"({"process":{"args":["a"]},"linux":{"resources":{"memory":{"limit":9223372036854775808}}}})",
      "linux.resources.memory.limit");
  ExpectInvalid(
      R"({"process":{"args":["a"]},"linux":{"resources":{"cpu":{"shares":18446744073709551616}}}})",
      "linux.resources.cpu.shares");
  ExpectInvalid(R"({"process":{"args":["a"]},"linux":{"resources":{"pids":{"limit":1e400}}}})",
                "json");
  ExpectInvalid(R"({"process":{"args":["a"]},"linux":{"resources":{"pids":{"limit":1e3}}}})",
                "linux.resources.pids.limit");
}

TEST(ContainerConfigTest, AcceptsExtremeInRangeNumbers) {
  absl::StatusOr<ContainerConfig> c =
      ConfigFromJson(R"({"process":{"args":["a"],"user":{"uid":4294967295}},)"
                     R"("linux":{"resources":{"memory":{"limit":9223372036854775807,"swap":-1},)"
                     R"("cpu":{"shares":18446744073709551615,"quota":-9223372036854775808}}}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->process.user.uid, 4294967295u);
  EXPECT_EQ(*c->linux_spec.resources.memory.limit, INT64_MAX);
  EXPECT_EQ(*c->linux_spec.resources.cpu.shares, UINT64_MAX);
  EXPECT_EQ(*c->linux_spec.resources.cpu.quota, INT64_MIN);
}

TEST(ContainerConfigTest, DeepNestingDoesNotCrash) {
  std::string deep = R"({"process":{"args":["a"]},"x":)" + std::string(200000, '[') +
                     std::string(200000, ']') + "}";
  // Unknown members are ignored; what matters is that parsing does not overflow the stack.
  EXPECT_TRUE(ConfigFromJson(deep).ok());
  ExpectInvalid(std::string(200000, '['), "json");
}

TEST(ContainerConfigTest, ErrorsStayOnOneLine) {
  absl::StatusOr<ContainerConfig> c =
      ConfigFromJson(R"({"process":{"args":["a"]},"linux":{"namespaces":[{"type":"a\nb"}]}})");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(std::string(c.status().message()).find('\n'), std::string::npos) << c.status();
}

TEST(ContainerConfigTest, CreateRecordRoundTrips) {
  ContainerConfig c = DefaultContainerConfig();
  c.process.args = {"sh"};
  CreateRecord& r = c.create_record;
  r.recorded = true;
  r.entrypoint = {"/bin/env"};
  r.cmd = {"sh"};
  r.user = "1:2";
  r.privileged = true;
  r.cap_add = {"NET_ADMIN"};
  r.tmpfs = {{"/run", "size=1m"}};
  r.volumes_from = {"web:ro"};
  r.mount_points = {{"volume", "data", "/v/data/_data", "/d", "ro", false, ""}};
  auto back = ConfigFromJson(ConfigToJson(c));
  ASSERT_TRUE(back.ok()) << back.status();
  const CreateRecord& b = back->create_record;
  EXPECT_TRUE(b.recorded);
  EXPECT_EQ(b.entrypoint, r.entrypoint);
  EXPECT_EQ(b.cmd, r.cmd);
  EXPECT_EQ(b.user, "1:2");
  EXPECT_TRUE(b.privileged);
  EXPECT_EQ(b.cap_add, r.cap_add);
  EXPECT_EQ(b.tmpfs, r.tmpfs);
  EXPECT_EQ(b.volumes_from, r.volumes_from);
  ASSERT_EQ(b.mount_points.size(), 1u);
  EXPECT_EQ(b.mount_points[0].name, "data");
  EXPECT_EQ(b.mount_points[0].mode, "ro");
  EXPECT_FALSE(b.mount_points[0].rw);
  // A config without the record reads as not recorded.
  c.create_record = CreateRecord();
  EXPECT_FALSE(ConfigFromJson(ConfigToJson(c))->create_record.recorded);
}

TEST(ContainerConfigTest, LogDetailsAsDockers) {
  ContainerConfig c = DefaultContainerConfig();
  EXPECT_EQ(LogDetails(c), "");
  auto log = MakeLogConfig("json-file", {"labels=app,missing", "env=MODE"});
  ASSERT_TRUE(log.ok()) << log.status();
  c.log_config = *log;
  c.labels = {{"app", "web shop"}, {"other", "x"}};
  c.process.env = {"MODE=a&b", "MODEL=no"};
  EXPECT_EQ(LogDetails(c), "MODE=a%26b,app=web+shop");
  EXPECT_FALSE(MakeLogConfig("local", {"labels=app"}).ok());  // json-file's only, as Docker
  // The expressions: every label or variable whose name they are found in.
  log = MakeLogConfig("json-file", {"labels-regex=^com\\.", "env-regex=_ID$", "env=MODE"});
  ASSERT_TRUE(log.ok()) << log.status();
  c.log_config = *log;
  c.labels = {{"com.a", "1"}, {"xcom.b", "2"}, {"com.c", "3"}};
  c.process.env = {"MODE=m", "RUN_ID=7", "ID=no", "RUN_ID_X=no"};
  EXPECT_EQ(LogDetails(c), "MODE=m,RUN_ID=7,com.a=1,com.c=3");
  auto bad = MakeLogConfig("json-file", {"env-regex=("});
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_THAT(bad.status().message(), HasSubstr("log opt env-regex: invalid regular expression"));
  EXPECT_FALSE(MakeLogConfig("local", {"labels-regex=."}).ok());
  bad = MakeLogConfig("json-file", {"tag={{.Name}}"});
  EXPECT_THAT(bad.status().message(), HasSubstr("tag templates are not supported"));
}

}  // namespace
}  // namespace mydocker
