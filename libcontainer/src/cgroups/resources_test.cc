#include "mydocker/resources.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker {
namespace {

using ::testing::HasSubstr;

TEST(ResourceParseTest, MemorySizes) {
  EXPECT_EQ(*ParseMemorySize("100"), 100);
  EXPECT_EQ(*ParseMemorySize("100b"), 100);
  EXPECT_EQ(*ParseMemorySize("4k"), 4096);
  EXPECT_EQ(*ParseMemorySize("4KB"), 4096);
  EXPECT_EQ(*ParseMemorySize("32m"), 32 << 20);
  EXPECT_EQ(*ParseMemorySize("32M"), 32 << 20);
  EXPECT_EQ(*ParseMemorySize("32mb"), 32 << 20);
  EXPECT_EQ(*ParseMemorySize("1g"), int64_t{1} << 30);
  EXPECT_EQ(*ParseMemorySize("1.5g"), int64_t{3} << 29);
  EXPECT_EQ(*ParseMemorySize("2 GB"), int64_t{2} << 30);
  EXPECT_EQ(*ParseMemorySize("1t"), int64_t{1} << 40);
}

TEST(ResourceParseTest, BadMemorySizes) {
  for (const char* bad :
       {"", "-1", "-5m", "12x", "m", "1..5m", "1.m", "12mm", "99999999999t", "1kib"}) {
    auto size = ParseMemorySize(bad);
    EXPECT_EQ(size.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ParseMemorySize("12x").status().message(),
            "invalid memory size \"12x\": unknown unit \"x\"");
  EXPECT_THAT(ParseMemorySize("-1").status().message(), HasSubstr("must not be negative"));
}

TEST(ResourceParseTest, Cpus) {
  EXPECT_EQ(*ParseCpus("1.5"), std::make_pair(int64_t{150000}, uint64_t{100000}));
  EXPECT_EQ(*ParseCpus("0.5"), std::make_pair(int64_t{50000}, uint64_t{100000}));
  EXPECT_EQ(*ParseCpus("2"), std::make_pair(int64_t{200000}, uint64_t{100000}));
  EXPECT_EQ(ParseCpus("0.01")->first, 1000);
  // Docker's notation with an exponent too.
  EXPECT_EQ(ParseCpus("1.5e0")->first, 150000);
  EXPECT_EQ(ParseCpus("5e-1")->first, 50000);
  for (const char* huge : {"1e9", "99999999999999999999", "2000000"}) {
    EXPECT_THAT(ParseCpus(huge).status().message(), HasSubstr("range of CPUs is from 0.01 to "))
        << huge;
  }
  for (const char* bad :
       {"0", "0.0", "-1", "-0.5", "abc", "", "1.2.3", "0.001", "1e", "e3", "1e99"}) {
    EXPECT_EQ(ParseCpus(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(ParseCpus("0").status().message(), HasSubstr("invalid cpus \"0\""));
}

TEST(ResourceParseTest, Cpusets) {
  EXPECT_EQ(*ParseCpuset("0-2,4"), (std::vector<int>{0, 1, 2, 4}));
  EXPECT_EQ(*ParseCpuset("3"), (std::vector<int>{3}));
  EXPECT_EQ(*ParseCpuset("0-1,1-2\n"), (std::vector<int>{0, 1, 2}));
  for (const char* bad : {"", "a", "1-", "-1", "2-1", "1,,2", "1-2-3", "0-99999", " , "}) {
    EXPECT_EQ(ParseCpuset(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(FormatCpuset({0, 1, 2, 4, 6, 7}), "0-2,4,6-7");
  EXPECT_EQ(FormatCpuset({}), "");
}

}  // namespace
}  // namespace mydocker
