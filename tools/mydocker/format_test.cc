#include "format.h"

#include "gtest/gtest.h"

namespace mydocker::cli {
namespace {

TEST(FormatTest, HumanDurationLikeDocker) {
  EXPECT_EQ(HumanDuration(absl::Milliseconds(300)), "Less than a second");
  EXPECT_EQ(HumanDuration(absl::Seconds(1)), "1 second");
  EXPECT_EQ(HumanDuration(absl::Seconds(45)), "45 seconds");
  EXPECT_EQ(HumanDuration(absl::Seconds(90)), "About a minute");
  EXPECT_EQ(HumanDuration(absl::Minutes(5)), "5 minutes");
  EXPECT_EQ(HumanDuration(absl::Minutes(61)), "About an hour");
  EXPECT_EQ(HumanDuration(absl::Hours(5)), "5 hours");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 3)), "3 days");
}

TEST(FormatTest, HumanSizeIsDecimal) {
  EXPECT_EQ(HumanSize(0), "0B");
  EXPECT_EQ(HumanSize(999), "999B");
  EXPECT_EQ(HumanSize(1500), "1.5kB");
  EXPECT_EQ(HumanSize(1982000), "1.98MB");
}

TEST(FormatTest, TableAlignsColumnsByDisplayWidth) {
  Table t({"A", "B"});
  t.Add({"x…", "y"});
  t.Add({"long", "z"});
  EXPECT_EQ(t.Render(), "A      B\nx…     y\nlong   z\n");
}

}  // namespace
}  // namespace mydocker::cli
