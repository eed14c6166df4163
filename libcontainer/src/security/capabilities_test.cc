#include "mydocker/capabilities.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker {
namespace {

using ::testing::ElementsAre;

TEST(CapabilitiesTest, NamesAreSpelledAsDockerTakesThem) {
  EXPECT_EQ(NormalizeCapabilityName("sys_admin"), "CAP_SYS_ADMIN");
  EXPECT_EQ(NormalizeCapabilityName("Cap_Chown"), "CAP_CHOWN");
  EXPECT_EQ(NormalizeCapabilityName("all"), "ALL");
}

TEST(CapabilitiesTest, ChangesFollowDockersOrder) {
  const std::vector<std::string> base = {"CAP_CHOWN", "CAP_KILL"};
  const uint64_t held = (uint64_t{1} << 6) - 1;  // CHOWN .. KILL
  EXPECT_THAT(*ApplyCapabilityChanges(base, {"net_raw", "kill"}, {"CHOWN"}, held),
              ElementsAre("CAP_KILL", "CAP_NET_RAW"));
  EXPECT_THAT(*ApplyCapabilityChanges(base, {"FOWNER"}, {"all"}, held), ElementsAre("CAP_FOWNER"));
  EXPECT_THAT(*ApplyCapabilityChanges(base, {"ALL"}, {"dac_override", "DAC_READ_SEARCH"}, held),
              ElementsAre("CAP_CHOWN", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL"));
  auto bad = ApplyCapabilityChanges(base, {"SYS_FOO"}, {}, held);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "invalid CapAdd: unknown capability: \"CAP_SYS_FOO\"");
}

TEST(CapabilitiesTest, NamesOfAMask) {
  EXPECT_THAT(CapabilityNamesOf((uint64_t{1} << 21) | 1),
              ElementsAre("CAP_CHOWN", "CAP_SYS_ADMIN"));
  // The runtime's own: whatever it is, only capabilities the kernel knows.
  EXPECT_LE(CapabilityNamesOf(HeldCapabilities()).size(), 64u);
}

}  // namespace
}  // namespace mydocker
