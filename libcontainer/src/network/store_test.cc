#include "network/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mydocker/fs_util.h"
#include "network/cidr.h"

namespace mydocker::network {
namespace {

class NetworkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/network-store-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { RemoveAll(root_).IgnoreError(); }

  NetworkRecord MakeNetwork(const std::string& name, const std::string& subnet) {
    NetworkCreateOptions o;
    o.name = name;
    o.subnet = subnet;
    auto r = NetworkStore(root_).Create(o);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.value_or(NetworkRecord{});
  }

  std::string root_;
};

TEST_F(NetworkStoreTest, CreateValidatesBeforeWriting) {
  NetworkStore store(root_);
  NetworkRecord a = MakeNetwork("front", "10.251.0.0/24");
  EXPECT_EQ(a.gateway, "10.251.0.1");
  EXPECT_EQ(a.bridge, "md-" + a.id.substr(0, 12));
  NetworkCreateOptions o;
  o.name = "back";
  o.subnet = "10.251.0.128/25";
  EXPECT_TRUE(absl::IsAlreadyExists(store.Create(o).status()));  // overlaps front
  o.subnet = "10.251.0.0/33";
  EXPECT_TRUE(absl::IsInvalidArgument(store.Create(o).status()));
  o.subnet = "10.252.0.0/24";
  o.gateway = "10.253.0.1";
  EXPECT_TRUE(absl::IsInvalidArgument(store.Create(o).status()));
  o.name = "bad name";
  EXPECT_FALSE(store.Create(o).ok());
  o.name = "front";
  o.gateway.clear();
  EXPECT_TRUE(absl::IsAlreadyExists(store.Create(o).status()));
  // Only front was written; the default network appears on first use.
  auto all = store.List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "bridge");
  EXPECT_EQ((*all)[1].name, "front");
}

TEST_F(NetworkStoreTest, AllocatesDistinctAddressesUnderConcurrency) {
  NetworkRecord net = MakeNetwork("busy", "10.251.1.0/24");
  constexpr int kThreads = 8, kEach = 10;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      NetworkStore store(root_);  // each its own lock descriptor, as separate processes have
      for (int i = 0; i < kEach; ++i) {
        AllocationRequest r;
        r.container_id = absl::StrCat("c", t, "-", i);
        auto a = store.Allocate(net, r);
        if (a.ok()) got[t].push_back(a->ip);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& v : got) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_FALSE(all.count("10.251.1.1"));  // the gateway
  EXPECT_FALSE(all.count("10.251.1.0"));
}

TEST_F(NetworkStoreTest, FixedAddressesAndRelease) {
  NetworkRecord net = MakeNetwork("fixed", "10.251.2.0/24");
  NetworkStore store(root_);
  AllocationRequest r;
  r.container_id = "one";
  r.ip = "10.251.2.50";
  auto a = store.Allocate(net, r);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->ip, "10.251.2.50");
  EXPECT_EQ(a->mac, "02:42:0a:fb:02:32");
  r.container_id = "two";
  EXPECT_TRUE(absl::IsAlreadyExists(store.Allocate(net, r).status()));
  r.ip = "10.251.3.5";
  EXPECT_TRUE(absl::IsInvalidArgument(store.Allocate(net, r).status()));
  r.ip = "10.251.2.1";  // the gateway
  EXPECT_TRUE(absl::IsInvalidArgument(store.Allocate(net, r).status()));
  EXPECT_FALSE(store.Remove("fixed").ok());  // in use
  ASSERT_TRUE(store.Release("one", *a).ok());
  r.ip = "10.251.2.50";
  EXPECT_TRUE(store.Allocate(net, r).ok());
  EXPECT_EQ(*store.Users("fixed"), std::vector<std::string>{"two"});
}

TEST_F(NetworkStoreTest, ReclaimsTheAddressOfACreatorThatDied) {
  NetworkRecord net = MakeNetwork("orphans", "10.251.5.0/24");
  NetworkStore store(root_);
  AllocationRequest r;
  r.container_id = "never-recorded";
  r.ip = "10.251.5.9";
  ASSERT_TRUE(store.Allocate(net, r).ok());
  r.container_id = "next";
  // Fresh: may still be a creator at work.
  EXPECT_TRUE(absl::IsAlreadyExists(store.Allocate(net, r).status()));
  std::string file = root_ + "/networks/orphans.ips/10.251.5.9";
  struct timespec old[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), old, 0), 0);
  auto a = store.Allocate(net, r);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->ip, "10.251.5.9");
  // A recorded container keeps its address however old the file.
  ASSERT_TRUE(MakeDirs(root_ + "/containers/next").ok());
  ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), old, 0), 0);
  r.container_id = "third";
  EXPECT_TRUE(absl::IsAlreadyExists(store.Allocate(net, r).status()));
}

TEST_F(NetworkStoreTest, HostPortsAreGivenOnce) {
  NetworkRecord net = MakeNetwork("ports", "10.251.4.0/24");
  NetworkStore store(root_);
  AllocationRequest r;
  r.container_id = "one";
  r.ports = {{"", 0, 80, "tcp"}, {"", 0, 81, "tcp"}};
  auto a = store.Allocate(net, r);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_NE(a->ports[0].host_port, 0);
  EXPECT_NE(a->ports[0].host_port, a->ports[1].host_port);
  r.container_id = "two";
  r.ports = {{"", a->ports[0].host_port, 80, "tcp"}};
  auto taken = store.Allocate(net, r);
  EXPECT_TRUE(absl::IsAlreadyExists(taken.status())) << taken.status();
  // Nothing was kept of the refused allocation: its address is free again.
  EXPECT_EQ(store.Users("ports")->size(), 1u);
  r.ports = {{"", a->ports[0].host_port, 80, "udp"}};  // another protocol
  EXPECT_TRUE(store.Allocate(net, r).ok());
}

TEST_F(NetworkStoreTest, AttachmentsRoundTrip) {
  NetworkAttachment a;
  a.network = "n";
  a.ip = "10.0.0.2";
  a.ports = {{"127.0.0.1", 8080, 80, "udp"}};
  a.aliases = {"web"};
  NetworkAttachment b;
  b.network = "m";
  b.interface = "eth1";
  auto back = AttachmentsFromJson(AttachmentsToJson({a, b}));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].ports, a.ports);
  EXPECT_EQ((*back)[0].aliases, a.aliases);
  EXPECT_EQ((*back)[0].ip, a.ip);
  EXPECT_EQ((*back)[0].interface, "eth0");
  EXPECT_EQ((*back)[1].interface, "eth1");
  // Version 1.1.0's record: one object, read as a list of one.
  auto old = AttachmentsFromJson(R"({"network":"n","ip":"10.0.0.3","hostVeth":"vethabc"})");
  ASSERT_TRUE(old.ok()) << old.status();
  ASSERT_EQ(old->size(), 1u);
  EXPECT_EQ((*old)[0].ip, "10.0.0.3");
  EXPECT_EQ((*old)[0].interface, "eth0");
  EXPECT_FALSE(AttachmentsFromJson("[]").ok());
  EXPECT_FALSE(AttachmentsFromJson(R"({"networks": 3})").ok());
  EXPECT_FALSE(AttachmentsFromJson(R"({"networks": [{"ip": 3}]})").ok());
}

TEST(HostVethNameTest, UniquePerInterfaceAndShortEnough) {
  const std::string id(64, 'a');
  EXPECT_EQ(HostVethName(id, "eth0"), "vethaaaaaaaaaaa");
  EXPECT_EQ(HostVethName(id, "eth1"), "vethaaaaaaaan1");
  EXPECT_LE(HostVethName(id, "eth12").size(), 15u);
}

}  // namespace
}  // namespace mydocker::network
