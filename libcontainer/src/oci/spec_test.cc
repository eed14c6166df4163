#include "oci/spec.h"

#include <sys/mount.h>
#include <sys/resource.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mydocker/fs_util.h"

namespace mydocker::oci {
namespace {

using ::testing::HasSubstr;

class SpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/oci-spec-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    bundle_ = tmpl;
    ASSERT_TRUE(MakeDirs(bundle_ + "/rootfs").ok());
  }
  void TearDown() override { (void)RemoveAll(bundle_); }

  absl::StatusOr<Spec> Parse(const std::string& extra) {
    return ParseSpec(R"({"ociVersion":"1.0.2","process":{"args":["sh"],"cwd":"/"},)"
                     R"("root":{"path":"rootfs"})" +
                         extra + "}",
                     bundle_);
  }
  std::string bundle_;
};

TEST_F(SpecTest, MinimalBundleResolvesRootAgainstTheBundle) {
  auto spec = Parse("");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->config.root.path, bundle_ + "/rootfs");
  EXPECT_EQ(spec->config.process.args, std::vector<std::string>{"sh"});
}

TEST_F(SpecTest, RefusesWrongTypesWithTheFieldPath) {
  auto spec = ParseSpec(R"({"process":{"args":"sh","cwd":"/"},"root":{"path":"rootfs"}})", bundle_);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("process.args"));
  spec = Parse(R"(,"hostname":5)");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("hostname"));
}

TEST_F(SpecTest, RefusesAMissingRoot) {
  auto spec = ParseSpec(R"({"process":{"args":["sh"],"cwd":"/"},"root":{"path":"nope"}})", bundle_);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("root.path"));
}

TEST_F(SpecTest, WithoutANamespaceWhatWouldChangeTheRuntimesIsRefused) {
  // No namespace at all (linux_ns_itype) is a container of its own.
  auto spec = Parse(R"(,"linux":{"namespaces":[]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_FALSE(HasNamespace(*spec, NamespaceType::kMount));
  EXPECT_TRUE(Parse(R"(,"hostname":"h","linux":{"namespaces":[{"type":"uts"}]})").ok());
  EXPECT_TRUE(
      Parse(R"(,"hostname":"h","linux":{"namespaces":[{"type":"uts","path":"/proc/1/ns/uts"}]})")
          .ok());
  EXPECT_TRUE(Parse(R"(,"linux":{"namespaces":[{"type":"network"}],)"
                    R"("sysctl":{"net.ipv4.ip_forward":"1"}})")
                  .ok());
  for (const auto& [extra, message] : std::vector<std::pair<std::string, std::string>>{
           {R"(,"hostname":"h","linux":{"namespaces":[]})", "hostname: needs a UTS namespace"},
           {R"(,"linux":{"namespaces":[],"sysctl":{"net.ipv4.ip_forward":"1"}})",
            "net.ipv4.ip_forward: needs a network namespace"},
           {R"(,"linux":{"namespaces":[{"type":"network"}],"sysctl":{"fs.mqueue.msg_max":"1"}})",
            "fs.mqueue.msg_max: needs an IPC namespace"},
           {R"(,"linux":{"namespaces":[{"type":"ipc"}],"sysctl":{"kernel.domainname":"x"}})",
            "kernel.domainname: needs a UTS namespace"},
           {R"(,"linux":{"sysctl":{"vm.swappiness":"1"}})", "not in a separate kernel namespace"},
           {R"(,"linux":{"namespaces":[],"rootfsPropagation":"shared"})",
            "rootfsPropagation: needs a mount namespace"},
           {R"(,"linux":{"namespaces":[{"type":"user"}],)"
            R"("uidMappings":[{"containerID":0,"hostID":1000,"size":1}],)"
            R"("gidMappings":[{"containerID":0,"hostID":1000,"size":1}]})",
            "a new user namespace needs a mount namespace"},
       }) {
    auto refused = Parse(extra);
    ASSERT_FALSE(refused.ok()) << extra;
    EXPECT_THAT(refused.status().message(), HasSubstr(message)) << extra;
  }
}

TEST_F(SpecTest, RefusesUnknownAndUserNamespaces) {
  EXPECT_FALSE(Parse(R"(,"linux":{"namespaces":[{"type":"time2"}]})").ok());
  auto spec = Parse(R"(,"linux":{"namespaces":[{"type":"user"}]})");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("user namespaces"));
}

TEST_F(SpecTest, ReadsUserNamespaceMappings) {
  auto spec = Parse(R"(,"linux":{"namespaces":[{"type":"user"},{"type":"mount"}],)"
                    R"("uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],)"
                    R"("gidMappings":[{"containerID":0,"hostID":100000,"size":1},)"
                    R"({"containerID":1,"hostID":200000,"size":9}]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->uid_mappings.size(), 1u);
  EXPECT_EQ(spec->uid_mappings[0].host_id, 100000u);
  EXPECT_EQ(IdMapText(spec->uid_mappings), "0 100000 65536\n");
  EXPECT_EQ(IdMapText(spec->gid_mappings), "0 100000 1\n1 200000 9\n");
}

TEST_F(SpecTest, RefusesMappingsTheKernelWouldNot) {
  const std::string user = R"(,"linux":{"namespaces":[{"type":"user"}],)";
  const std::string gid = R"("gidMappings":[{"containerID":0,"hostID":1,"size":1}])";
  for (const auto& [maps, message] : std::vector<std::pair<std::string, std::string>>{
           {R"("uidMappings":[{"containerID":0,"hostID":1,"size":0}],)", "size"},
           {R"("uidMappings":[{"containerID":0,"hostID":1,"size":10},)"
            R"({"containerID":9,"hostID":100,"size":1}],)",
            "overlaps"},
           {R"("uidMappings":[{"containerID":0,"hostID":1,"size":10},)"
            R"({"containerID":20,"hostID":5,"size":1}],)",
            "overlaps"},
           {R"("uidMappings":[{"containerID":4294967295,"hostID":1,"size":2}],)", "largest id"},
           {R"("uidMappings":[{"containerID":-1,"hostID":1,"size":2}],)", "containerID"},
           {R"("uidMappings":[{"containerID":0,"hostID":"1","size":2}],)", "hostID"},
           {R"("uidMappings":[],)", "user namespaces need both"}}) {
    auto spec = Parse(user + maps + gid + "}");
    ASSERT_FALSE(spec.ok()) << maps;
    EXPECT_THAT(spec.status().message(), HasSubstr(message)) << maps;
  }
  std::string many = R"("uidMappings":[)";
  for (int i = 0; i < 341; ++i) {
    absl::StrAppend(&many, i ? "," : "", R"({"containerID":)", i, R"(,"hostID":)", 1000 + i,
                    R"(,"size":1})");
  }
  auto spec = Parse(user + many + "]," + gid + "}");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("more than 340"));
  spec = Parse(R"(,"linux":{"namespaces":[{"type":"user","path":"/proc/1/ns/user"}]})");
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("by path"));
}

TEST_F(SpecTest, NamespacesByPathAreJoinedNotCreated) {
  auto spec = Parse(
      R"(,"linux":{"namespaces":[{"type":"mount"},{"type":"network","path":"/proc/1/ns/net"}]})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->config.linux_spec.namespaces, std::vector<NamespaceType>{NamespaceType::kMount});
  ASSERT_EQ(spec->join.size(), 1u);
  EXPECT_EQ(spec->join[0].second, "/proc/1/ns/net");
}

TEST_F(SpecTest, ReadsRlimitsSysctlsHooksAndPropagation) {
  auto spec = Parse(R"(,"linux":{"namespaces":[{"type":"mount"},{"type":"network"}],)"
                    R"("sysctl":{"net.ipv4.ip_forward":"1"},"rootfsPropagation":"rslave"},)"
                    R"("hooks":{"poststop":[{"path":"/bin/true","timeout":3}]},)"
                    R"("annotations":{"a":"b"})");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->config.linux_spec.sysctl.size(), 1u);
  EXPECT_EQ(spec->root_propagation, static_cast<unsigned long>(MS_SLAVE | MS_REC));
  ASSERT_EQ(spec->hooks.poststop.size(), 1u);
  EXPECT_EQ(spec->hooks.poststop[0].timeout, 3);
  EXPECT_EQ(spec->annotations.at("a"), "b");
  auto limits =
      ParseSpec(R"({"process":{"args":["sh"],"cwd":"/","rlimits":[)"
                R"({"type":"RLIMIT_NOFILE","soft":10,"hard":20}]},"root":{"path":"rootfs"}})",
                bundle_);
  ASSERT_TRUE(limits.ok()) << limits.status();
  ASSERT_EQ(limits->config.process.rlimits.size(), 1u);
  EXPECT_EQ(limits->config.process.rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(limits->config.process.rlimits[0].soft, 10u);
}

TEST_F(SpecTest, RefusesWhatThisHostCannotDo) {
  for (const char* extra :
       {R"(,"linux":{"intelRdt":{}})",
        R"(,"linux":{"uidMappings":[{"containerID":0,"hostID":1,"size":1}]})",
        R"(,"mounts":[{"destination":"/x","type":"bind","source":"/tmp","options":["idmap"]}])",
        R"(,"linux":{"rootfsPropagation":"sideways"})"}) {
    EXPECT_FALSE(Parse(extra).ok()) << extra;
  }
  auto spec = ParseSpec(R"({"process":{"args":["sh"],"cwd":"/","apparmorProfile":"x"},)"
                        R"("root":{"path":"rootfs"}})",
                        bundle_);
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(), HasSubstr("AppArmor"));
}

TEST_F(SpecTest, KeepsTheCgroupMountAside) {
  auto spec = Parse(R"(,"mounts":[{"destination":"/sys/fs/cgroup","type":"cgroup",)"
                    R"("source":"cgroup","options":["ro"]}])");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_TRUE(spec->cgroup_mount);
  EXPECT_TRUE(spec->cgroup_mount_readonly);
  EXPECT_TRUE(spec->config.mounts.empty());
}

TEST(OciIdTest, RefusesSlashesAndDots) {
  EXPECT_TRUE(ValidateId("abc-1.2_x+y").ok());
  for (const char* id : {"", ".", "..", "a/b", "../x", "a b"})
    EXPECT_FALSE(ValidateId(id).ok()) << id;
}

TEST(OciCgroupPathTest, MapsTheForms) {
  EXPECT_EQ(*CgroupPath("", "c1"), "mydocker-runc/c1");
  EXPECT_EQ(*CgroupPath("/a/b", "c1"), "a/b");
  EXPECT_EQ(*CgroupPath("a/b", "c1"), "a/b");
  EXPECT_EQ(*CgroupPath("machine.slice:libpod:abc", "c1"), "machine.slice/libpod-abc.scope");
  EXPECT_FALSE(CgroupPath("/a/../b", "c1").ok());
  EXPECT_FALSE(CgroupPath("a:b", "c1").ok());
}

TEST(OciSpliceJsonTest, ReplacesOrMakesTheMember) {
  auto text = SpliceJson(R"({"a":1,"process":{"args":["x"]}})", "config", {"process"},
                         R"({"args":["y"]})", "process.json");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, R"({"a":1,"process":{"args":["y"]}})");
  text = SpliceJson(R"({"linux":7})", "config", {"linux", "resources"}, R"({"pids":{}})", "r");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, R"({"linux":{"resources":{"pids":{}}}})");
  EXPECT_FALSE(SpliceJson("{}", "config", {"process"}, "[1]", "p").ok());
  EXPECT_FALSE(SpliceJson("{}", "config", {"process"}, "{", "p").ok());
}

TEST(OciParseResourcesTest, OnlyWhatIsGivenAndTheDevicePolicyOnlyWithDevices) {
  auto r = ParseResources(R"({"pids":{"limit":30},"memory":{"limit":1048576}})", "f");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->pids.limit, 30);
  EXPECT_EQ(r->memory.limit, 1048576);
  EXPECT_FALSE(r->cpu.shares.has_value());
  EXPECT_TRUE(r->devices.empty());
  r = ParseResources(R"({"devices":[{"allow":false,"access":"rwm"}]})", "f");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->devices.size(), 1u);
  r = ParseResources(R"({"pids":{"limit":"x"}})", "f");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("pids.limit"));
}

}  // namespace
}  // namespace mydocker::oci
