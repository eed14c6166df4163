#include "host/proc_stat.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace mydocker {
namespace {

// 52 fields as the kernel writes them; comm is "a) b (c" to test the last-')' rule.
constexpr absl::string_view kStat =
    "4242 (a) b (c) S 17 4242 4242 0 -1 4194560 100 0 0 0 31 9 0 0 20 0 1 0 123456 2273280 "
    "237 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

TEST(ProcStatTest, ParsesTheFieldsAfterTheLastParenthesis) {
  absl::StatusOr<ProcStat> stat = ParseProcStat(kStat, "/proc/4242/stat");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->comm, "a) b (c");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 17);
  EXPECT_EQ(stat->utime, 31u);
  EXPECT_EQ(stat->stime, 9u);
  EXPECT_EQ(stat->start_time, 123456u);
}

TEST(ProcStatTest, RefusesMalformedContents) {
  for (absl::string_view bad : {
           absl::string_view(""),
           absl::string_view("4242 no parentheses S 1"),
           absl::string_view("4242 (x) S 1 2 3"),                                    // too short
           absl::string_view("4242 (x) SS 17 0 0 0 0 0 0 0 0 0 1 1 0 0 0 0 0 0 7"),  // state
           absl::string_view("4242 (x) S 17 0 0 0 0 0 0 0 0 0 1 1 0 0 0 0 0 0 nope"),
       }) {
    absl::StatusOr<ProcStat> stat = ParseProcStat(bad, "/proc/4242/stat");
    EXPECT_EQ(stat.status().code(), absl::StatusCode::kDataLoss) << bad;
    EXPECT_NE(stat.status().message().find("/proc/4242/stat"), std::string::npos);
  }
}

TEST(ProcStatTest, ReadsTheCallerAndTellsAGoneProcess) {
  absl::StatusOr<ProcStat> self = ReadProcStat(getpid());
  ASSERT_TRUE(self.ok()) << self.status();
  EXPECT_EQ(self->ppid, getppid());
  EXPECT_EQ(self->state, 'R');
  EXPECT_EQ(ReadProcStat(1 << 30).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadProcStat(0).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mydocker
