#include "network/port_spec.h"

#include "gtest/gtest.h"

namespace mydocker::network {
namespace {

TEST(PortSpecTest, ParsesDockerForms) {
  auto one = ParsePublish("80");
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(*one, (std::vector<PortMapping>{{"", 0, 80, "tcp"}}));
  EXPECT_EQ(*ParsePublish("8080:80/udp"), (std::vector<PortMapping>{{"", 8080, 80, "udp"}}));
  EXPECT_EQ(*ParsePublish("127.0.0.1:8080:80"),
            (std::vector<PortMapping>{{"127.0.0.1", 8080, 80, "tcp"}}));
  EXPECT_EQ(*ParsePublish("127.0.0.1::80"),
            (std::vector<PortMapping>{{"127.0.0.1", 0, 80, "tcp"}}));
  EXPECT_EQ(*ParsePublish("9000-9001:80-81"),
            (std::vector<PortMapping>{{"", 9000, 80, "tcp"}, {"", 9001, 81, "tcp"}}));
  EXPECT_EQ(*ParsePublish("80-81"),
            (std::vector<PortMapping>{{"", 0, 80, "tcp"}, {"", 0, 81, "tcp"}}));
}

TEST(PortSpecTest, RefusesBadSpecsWithOneLine) {
  for (const char* bad : {"", "0", "65536", "80/sctp", "x:80", "1.2.3:80:80", "a:b:c:d",
                          "8080-8082:80-81", "81-80", "80/", ":80:80:80", "-1"}) {
    auto r = ParsePublish(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos);
  }
}

// Found by fuzz_cli_specs: a null view splits into no parts, and the last part was read anyway.
TEST(PortSpecTest, EmptySpecIsRefused) {
  EXPECT_FALSE(ParsePublish(absl::string_view()).ok());
  EXPECT_FALSE(ParsePublish("").ok());
  EXPECT_FALSE(ParseExpose(absl::string_view()).ok());
}

TEST(PortSpecTest, ParsesExpose) {
  EXPECT_EQ(*ParseExpose("53/udp"), (std::vector<PortMapping>{{"", 0, 53, "udp"}}));
  EXPECT_EQ(ParseExpose("80-82")->size(), 3u);
  EXPECT_FALSE(ParseExpose("80/icmp").ok());
}

}  // namespace
}  // namespace mydocker::network
