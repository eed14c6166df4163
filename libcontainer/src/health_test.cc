#include "mydocker/health.h"

#include "gtest/gtest.h"

namespace mydocker {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1000);

HealthResult Result(int exit_code, absl::Duration after_start) {
  return HealthResult{kStart + after_start, kStart + after_start + absl::Milliseconds(5), exit_code,
                      "out"};
}

HealthConfig Shell(const std::string& cmd) {
  HealthConfig c;
  c.test = {"CMD-SHELL", cmd};
  return c;
}

TEST(HealthTest, SuccessMakesHealthyAndEndsTheStreak) {
  HealthConfig config = Shell("true");
  HealthState s;
  EXPECT_EQ(s.status, kHealthStarting);
  RecordHealthResult(s, Result(1, absl::Seconds(1)), config, kStart);
  EXPECT_EQ(s.failing_streak, 1);
  EXPECT_EQ(s.status, kHealthStarting);
  RecordHealthResult(s, Result(0, absl::Seconds(2)), config, kStart);
  EXPECT_EQ(s.status, kHealthHealthy);
  EXPECT_EQ(s.failing_streak, 0);
}

TEST(HealthTest, UnhealthyAfterRetriesConsecutiveFailures) {
  HealthConfig config = Shell("false");
  config.retries = 2;
  HealthState s;
  RecordHealthResult(s, Result(0, absl::Seconds(1)), config, kStart);
  RecordHealthResult(s, Result(1, absl::Seconds(2)), config, kStart);
  EXPECT_EQ(s.status, kHealthHealthy);  // one failure of two allowed
  RecordHealthResult(s, Result(-1, absl::Seconds(3)), config, kStart);  // a timeout fails too
  EXPECT_EQ(s.status, kHealthUnhealthy);
  EXPECT_EQ(s.failing_streak, 2);
  RecordHealthResult(s, Result(2, absl::Seconds(4)), config, kStart);
  EXPECT_EQ(s.failing_streak, 3);
}

TEST(HealthTest, DefaultRetriesAreThree) {
  HealthConfig config = Shell("false");
  HealthState s;
  for (int i = 1; i <= 2; ++i) RecordHealthResult(s, Result(1, absl::Seconds(i)), config, kStart);
  EXPECT_EQ(s.status, kHealthStarting);
  RecordHealthResult(s, Result(1, absl::Seconds(3)), config, kStart);
  EXPECT_EQ(s.status, kHealthUnhealthy);
}

TEST(HealthTest, StartPeriodFailuresDoNotCountUntilASuccess) {
  HealthConfig config = Shell("false");
  config.retries = 1;
  config.start_period = absl::Seconds(10);
  HealthState s;
  RecordHealthResult(s, Result(1, absl::Seconds(1)), config, kStart);
  EXPECT_EQ(s.failing_streak, 0);
  EXPECT_EQ(s.status, kHealthStarting);
  RecordHealthResult(s, Result(0, absl::Seconds(2)), config, kStart);  // ends the start period
  RecordHealthResult(s, Result(1, absl::Seconds(3)), config, kStart);
  EXPECT_EQ(s.status, kHealthUnhealthy);
  HealthState late;
  RecordHealthResult(late, Result(1, absl::Seconds(11)), config, kStart);  // after the period
  EXPECT_EQ(late.status, kHealthUnhealthy);
}

TEST(HealthTest, KeepsTheLastFiveResults) {
  HealthConfig config = Shell("true");
  HealthState s;
  for (int i = 0; i < 7; ++i) RecordHealthResult(s, Result(0, absl::Seconds(i)), config, kStart);
  ASSERT_EQ(s.log.size(), kHealthLogEntries);
  EXPECT_EQ(s.log.front().start, kStart + absl::Seconds(2));
  EXPECT_EQ(s.log.back().start, kStart + absl::Seconds(6));
}

TEST(HealthTest, ProbeDelayUsesTheStartIntervalWithinTheStartPeriod) {
  HealthConfig config = Shell("true");
  HealthState s;
  EXPECT_EQ(HealthProbeDelay(s, config, kStart, kStart), kDefaultHealthInterval);
  config.start_period = absl::Seconds(60);
  EXPECT_EQ(HealthProbeDelay(s, config, kStart, kStart), kDefaultHealthStartInterval);
  config.start_interval = absl::Milliseconds(200);
  config.interval = absl::Seconds(2);
  EXPECT_EQ(HealthProbeDelay(s, config, kStart, kStart), absl::Milliseconds(200));
  EXPECT_EQ(HealthProbeDelay(s, config, kStart, kStart + absl::Seconds(61)), absl::Seconds(2));
  s.status = kHealthHealthy;
  EXPECT_EQ(HealthProbeDelay(s, config, kStart, kStart), absl::Seconds(2));
}

TEST(HealthTest, OutputKeepsTheFirst4KiB) {
  EXPECT_EQ(TruncateHealthOutput(std::string(5000, 'x')).size(), kHealthOutputLimit);
  EXPECT_EQ(TruncateHealthOutput("ok"), "ok");
}

TEST(HealthTest, CommandOfEachTestForm) {
  EXPECT_EQ(HealthCommand(Shell("curl -f x || exit 1")),
            (std::vector<std::string>{"/bin/sh", "-c", "curl -f x || exit 1"}));
  HealthConfig cmd;
  cmd.test = {"CMD", "cat", "/ok"};
  EXPECT_EQ(HealthCommand(cmd), (std::vector<std::string>{"cat", "/ok"}));
  HealthConfig none;
  none.test = {"NONE"};
  EXPECT_FALSE(none.Enabled());
  EXPECT_TRUE(HealthCommand(none).empty());
}

TEST(HealthTest, MergeTakesTheImagesFieldsLeftZero) {
  HealthConfig image = Shell("image-check");
  image.interval = absl::Seconds(7);
  image.retries = 4;
  HealthConfig mine;
  mine.timeout = absl::Seconds(1);
  std::optional<HealthConfig> merged = MergeHealthConfig(mine, image);
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ(merged->test, image.test);
  EXPECT_EQ(merged->interval, absl::Seconds(7));
  EXPECT_EQ(merged->timeout, absl::Seconds(1));
  EXPECT_EQ(merged->retries, 4);
  HealthConfig none;
  none.test = {"NONE"};
  EXPECT_FALSE(MergeHealthConfig(none, image)->Enabled());
  EXPECT_FALSE(MergeHealthConfig(std::nullopt, std::nullopt).has_value());
  EXPECT_EQ(MergeHealthConfig(std::nullopt, image), image);
}

TEST(HealthTest, ValidationHasDockersMessages) {
  HealthConfig c = Shell("true");
  c.interval = absl::Microseconds(10);
  EXPECT_EQ(ValidateHealthConfig(c).message(), "Interval in Healthcheck cannot be less than 1ms");
  c = Shell("true");
  c.retries = -1;
  EXPECT_EQ(ValidateHealthConfig(c).message(), "Retries in Healthcheck cannot be negative");
  c.test = {"SOMETIMES", "x"};
  c.retries = 0;
  EXPECT_FALSE(ValidateHealthConfig(c).ok());
  c.test = {"CMD"};
  EXPECT_FALSE(ValidateHealthConfig(c).ok());
  EXPECT_TRUE(ValidateHealthConfig(Shell("true")).ok());
}

TEST(HealthTest, JsonRoundTrips) {
  HealthConfig c = Shell("true");
  c.interval = absl::Milliseconds(200);
  c.retries = 2;
  EXPECT_EQ(HealthConfigToJson(c),
            R"({"Test":["CMD-SHELL","true"],"Interval":200000000,"Retries":2})");
  EXPECT_EQ(HealthConfigFromJson(HealthConfigToJson(c)).value(), c);
  HealthState s;
  RecordHealthResult(s, Result(1, absl::Seconds(1)), c, kStart);
  EXPECT_EQ(HealthStateFromJson(HealthStateToJson(s)).value(), s);
  EXPECT_FALSE(HealthStateFromJson("[]").ok());
}

}  // namespace
}  // namespace mydocker
