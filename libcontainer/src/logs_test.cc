#include "mydocker/logs.h"

#include <gtest/gtest.h>

namespace mydocker {
namespace {

TEST(ParseLogLineTest, ReadsALineOfAKnownStream) {
  absl::StatusOr<LogEntry> e =
      ParseLogLine(R"({"log":"hi\n","stream":"stderr","time":"2023-11-14T22:14:00.5Z"})");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->text, "hi\n");
  EXPECT_EQ(e->stream, "stderr");
  EXPECT_EQ(absl::ToUnixMillis(e->time), 1700000040500);
}

// A damaged file may hold any text: a line without a known stream is malformed, not given out.
TEST(ParseLogLineTest, RefusesUnknownOrMissingStreams) {
  EXPECT_FALSE(ParseLogLine(R"({"log":"x","stream":"stdo%t","time":"2023-11-14T22:14:00Z"})").ok());
  EXPECT_FALSE(ParseLogLine(R"({"log":"x","stream":"","time":"2023-11-14T22:14:00Z"})").ok());
  EXPECT_FALSE(ParseLogLine(R"({"log":"x","time":"2023-11-14T22:14:00Z"})").ok());
  EXPECT_FALSE(ParseLogLine("not json").ok());
}

}  // namespace
}  // namespace mydocker
