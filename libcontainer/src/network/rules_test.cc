#include "network/rules.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker::network {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RulesTest, NetworkTableMasqueradesAndIsolates) {
  std::string s = NetworkRulesScript("md-0123456789ab", "10.89.0.0/24", false);
  EXPECT_THAT(s, HasSubstr("add table ip mydocker-n-md-0123456789ab\n"
                           "delete table ip mydocker-n-md-0123456789ab\n"));
  EXPECT_THAT(s, HasSubstr("ip saddr 10.89.0.0/24 oifname != \"md-0123456789ab\" masquerade"));
  EXPECT_THAT(s, HasSubstr("iifname \"md-0123456789ab\" oifname \"md-*\" oifname != "
                           "\"md-0123456789ab\" drop"));
  EXPECT_THAT(s, HasSubstr("iifname \"md-0123456789ab\" oifname \"mydocker0\""));
  EXPECT_THAT(s, HasSubstr("ip saddr 127.0.0.0/8 oifname \"md-0123456789ab\" masquerade"));
}

TEST(RulesTest, InternalNetworkForwardsNothingAndDoesNotMasquerade) {
  std::string s = NetworkRulesScript("md-x", "10.90.0.0/24", true);
  EXPECT_THAT(s, HasSubstr("iifname \"md-x\" oifname != \"md-x\" drop"));
  EXPECT_THAT(s, HasSubstr("oifname \"md-x\" iifname != \"md-x\" drop"));
  EXPECT_THAT(s, Not(HasSubstr("10.90.0.0/24 oifname")));
}

TEST(RulesTest, PortsInPreroutingAndOutput) {
  std::string id(64, 'a');
  std::string s =
      PortRulesScript(id, "10.88.0.2", {{"", 8080, 80, "tcp"}, {"127.0.0.1", 5353, 53, "udp"}});
  EXPECT_THAT(s, HasSubstr("table ip mydocker-c-aaaaaaaaaaaa {"));
  EXPECT_THAT(s, HasSubstr("type nat hook prerouting priority dstnat"));
  EXPECT_THAT(s, HasSubstr("type nat hook output priority -100"));
  const std::string tcp = "fib daddr type local tcp dport 8080 dnat to 10.88.0.2:80\n";
  const std::string udp = "ip daddr 127.0.0.1 udp dport 5353 dnat to 10.88.0.2:53\n";
  // Once in each chain.
  EXPECT_NE(s.find(tcp), s.rfind(tcp));
  EXPECT_NE(s.find(udp), s.rfind(udp));
}

TEST(RulesTest, DeleteIsIdempotent) {
  EXPECT_EQ(DeleteTableScript("mydocker-c-x"),
            "add table ip mydocker-c-x\ndelete table ip mydocker-c-x\n");
}

}  // namespace
}  // namespace mydocker::network
