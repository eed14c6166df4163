#include "usage_format.h"

#include "gtest/gtest.h"

namespace mydocker::cli {
namespace {

TEST(UsageFormatTest, BinarySizeLikeDockerStats) {
  EXPECT_EQ(BinarySize(0), "0B");
  EXPECT_EQ(BinarySize(1023), "1023B");
  EXPECT_EQ(BinarySize(1024), "1KiB");
  EXPECT_EQ(BinarySize(1536 * 1024), "1.5MiB");
  EXPECT_EQ(BinarySize(64ull << 20), "64MiB");
  EXPECT_EQ(BinarySize(25276936192ull), "23.54GiB");
  EXPECT_EQ(BinarySize(123456789), "117.7MiB");
  EXPECT_EQ(BinarySize(~0ull), "16EiB");
}

TEST(UsageFormatTest, CpuPercentIsOfOneCpu) {
  EXPECT_DOUBLE_EQ(CpuPercent(0, 500'000'000, absl::Seconds(1)), 50.0);
  EXPECT_DOUBLE_EQ(CpuPercent(1'000'000'000, 3'000'000'000, absl::Seconds(1)), 200.0);
  EXPECT_DOUBLE_EQ(CpuPercent(0, 250'000'000, absl::Milliseconds(500)), 50.0);
}

TEST(UsageFormatTest, CpuPercentGuardsAgainstBadSamples) {
  EXPECT_EQ(CpuPercent(5, 10, absl::ZeroDuration()), 0);
  EXPECT_EQ(CpuPercent(5, 10, absl::Seconds(-1)), 0);
  EXPECT_EQ(CpuPercent(10, 5, absl::Seconds(1)), 0);  // counter reset by a restart
}

TEST(UsageFormatTest, MemPercent) {
  EXPECT_DOUBLE_EQ(MemPercent(16 << 20, 64 << 20), 25.0);
  EXPECT_EQ(MemPercent(100, 0), 0);
  EXPECT_EQ(FormatPercent(25), "25.00%");
  EXPECT_EQ(FormatPercent(0.125), "0.12%");
  EXPECT_EQ(FormatPercent(199.996), "200.00%");
}

TEST(UsageFormatTest, ParseMemTotal) {
  EXPECT_EQ(ParseMemTotal("MemTotal:       24684032 kB\nMemFree:        21150000 kB\n"),
            24684032ull * 1024);
  EXPECT_EQ(ParseMemTotal("MemFree:  1 kB\nMemTotal: 2048 kB"), 2048u * 1024);
  EXPECT_EQ(ParseMemTotal("MemFree:  1 kB\n"), std::nullopt);
  EXPECT_EQ(ParseMemTotal("MemTotal: lots kB\n"), std::nullopt);
  EXPECT_EQ(ParseMemTotal("MemTotal: 12\n"), std::nullopt);
}

TEST(UsageFormatTest, CpuTimeLikePs) {
  EXPECT_EQ(FormatCpuTime(0), "00:00:00");
  EXPECT_EQ(FormatCpuTime(0.99), "00:00:00");
  EXPECT_EQ(FormatCpuTime(65.2), "00:01:05");
  EXPECT_EQ(FormatCpuTime(3 * 3600 + 4 * 60 + 5), "03:04:05");
  EXPECT_EQ(FormatCpuTime(2 * 86400 + 3 * 3600 + 4 * 60 + 5), "2-03:04:05");
  EXPECT_EQ(FormatCpuTime(-1), "00:00:00");
}

}  // namespace
}  // namespace mydocker::cli
