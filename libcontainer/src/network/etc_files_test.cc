#include "network/etc_files.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker::network {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(EtcFilesTest, HostsHasLocalhostExtrasSelfAndPeers) {
  std::string h = RenderHosts({{"10.0.0.9", {"db"}}}, {"10.88.0.2", {"abc123", "web", "www"}},
                              {{"10.88.0.3", {"other"}}});
  EXPECT_THAT(h, HasSubstr("127.0.0.1\tlocalhost\n"));
  EXPECT_THAT(h, HasSubstr("10.0.0.9\tdb\n"));
  EXPECT_THAT(h, HasSubstr("10.88.0.2\tabc123 web www\n"));
  EXPECT_THAT(h, HasSubstr("10.88.0.3\tother\n"));
  EXPECT_THAT(RenderHosts({}, {"", {"x"}}, {}), Not(HasSubstr("\tx\n")));
}

TEST(EtcFilesTest, AddHost) {
  auto e = ParseAddHost("db:10.0.0.9");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ip, "10.0.0.9");
  EXPECT_EQ(e->names, std::vector<std::string>{"db"});
  EXPECT_TRUE(ParseAddHost("db=10.0.0.9").ok());
  EXPECT_FALSE(ParseAddHost("db").ok());
  EXPECT_FALSE(ParseAddHost(":10.0.0.9").ok());
  EXPECT_FALSE(ParseAddHost("db:10.0.0").ok());
}

TEST(EtcFilesTest, ResolvConfDropsLoopbackServers) {
  std::string host =
      "# comment\nnameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch a.example\n"
      "options edns0\n";
  std::string r = RenderResolvConf(host, {});
  EXPECT_EQ(r, "nameserver 192.0.2.1\nsearch a.example\noptions edns0\n");
  EXPECT_EQ(RenderResolvConf("nameserver 127.0.0.53\n", {}),
            "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}

TEST(EtcFilesTest, ResolvConfOptionsReplaceTheHosts) {
  DnsOptions dns{{"10.0.0.1"}, {"corp.example"}, {"ndots:2"}};
  EXPECT_EQ(RenderResolvConf("nameserver 192.0.2.1\nsearch a\n", dns),
            "nameserver 10.0.0.1\nsearch corp.example\noptions ndots:2\n");
}

}  // namespace
}  // namespace mydocker::network
