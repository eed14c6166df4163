#include "network/netdev.h"

#include "gtest/gtest.h"

namespace mydocker::network {
namespace {

constexpr char kSample[] =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
    "drop fifo colls carrier compressed\n"
    "    lo:    1000      10    0    0    0     0          0         0     1000      10    0 "
    "   0    0     0       0          0\n"
    "  eth0:    2048      20    0    0    0     0          0         0      512       5    0 "
    "   0    0     0       0          0\n"
    "  eth1:      10       1    0    0    0     0          0         0       20       2    0 "
    "   0    0     0       0          0\n";

TEST(NetDevTest, SumsEveryInterfaceButLo) {
  NetDevTotals t = ParseNetDev(kSample);
  EXPECT_EQ(t.rx_bytes, 2058u);
  EXPECT_EQ(t.tx_bytes, 532u);
}

TEST(NetDevTest, SkipsWhatDoesNotParse) {
  EXPECT_EQ(ParseNetDev("").rx_bytes, 0u);
  NetDevTotals t = ParseNetDev("  eth0: 12 3\n  eth1: x 0 0 0 0 0 0 0 5 0 0 0 0 0 0 0\n");
  EXPECT_EQ(t.rx_bytes, 0u);
  EXPECT_EQ(t.tx_bytes, 0u);
}

TEST(NetDevTest, Saturates) {
  std::string big = "  a: 18446744073709551615 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0\n";
  NetDevTotals t = ParseNetDev(big + "  b: 5 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0\n");
  EXPECT_EQ(t.rx_bytes, UINT64_MAX);
  EXPECT_EQ(t.tx_bytes, 2u);
}

}  // namespace
}  // namespace mydocker::network
