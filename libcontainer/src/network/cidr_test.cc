#include "network/cidr.h"

#include "gtest/gtest.h"

namespace mydocker::network {
namespace {

TEST(CidrTest, ParsesAndFormatsAddresses) {
  ASSERT_TRUE(ParseIp("10.88.0.1").ok());
  EXPECT_EQ(*ParseIp("10.88.0.1"), 0x0a580001u);
  EXPECT_EQ(FormatIp(0x0a580001u), "10.88.0.1");
  for (const char* bad : {"", "10.88.0", "10.88.0.256", "10.88.0.1.2", "a.b.c.d", "10..0.1",
                          "10.88.0.-1", "10.88.0.+1", " 10.88.0.1"}) {
    EXPECT_FALSE(ParseIp(bad).ok()) << bad;
  }
}

TEST(CidrTest, ParsesSubnets) {
  auto s = ParseSubnet("10.88.0.0/16");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->prefix, 16);
  EXPECT_EQ(FormatSubnet(*s), "10.88.0.0/16");
  EXPECT_EQ(FormatIp(FirstHost(*s)), "10.88.0.1");
  EXPECT_EQ(FormatIp(Broadcast(*s)), "10.88.255.255");
}

TEST(CidrTest, RefusesBadSubnetsWithOneLine) {
  EXPECT_NE(ParseSubnet("10.88.0.1/16").status().message().find("did you mean 10.88.0.0/16"),
            std::string::npos);
  for (const char* bad : {"10.88.0.0", "10.88.0.0/", "10.88.0.0/33", "10.88.0.0/31", "10.88.0.0/x",
                          "10.88.0.0/16/1", "300.0.0.0/8", "10.0.0.0/7"}) {
    auto r = ParseSubnet(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  }
}

TEST(CidrTest, ContainsAndOverlaps) {
  Subnet a = *ParseSubnet("10.88.0.0/16");
  Subnet b = *ParseSubnet("10.88.5.0/24");
  Subnet c = *ParseSubnet("10.89.0.0/16");
  EXPECT_TRUE(Overlaps(a, b));
  EXPECT_TRUE(Overlaps(b, a));
  EXPECT_FALSE(Overlaps(a, c));
  EXPECT_TRUE(Contains(a, *ParseIp("10.88.255.1")));
  EXPECT_FALSE(Contains(b, *ParseIp("10.88.6.1")));
  EXPECT_FALSE(IsHostAddress(b, *ParseIp("10.88.5.0")));
  EXPECT_FALSE(IsHostAddress(b, *ParseIp("10.88.5.255")));
  EXPECT_TRUE(IsHostAddress(b, *ParseIp("10.88.5.254")));
}

}  // namespace
}  // namespace mydocker::network
