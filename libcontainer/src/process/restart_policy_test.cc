#include "process/restart_policy.h"

#include "gtest/gtest.h"

namespace mydocker::process {
namespace {

RestartPolicy Policy(absl::string_view spec) { return ParseRestartPolicy(spec).value(); }

TEST(RestartPolicyTest, ParsesDockersForms) {
  EXPECT_EQ(FormatRestartPolicy(Policy("no")), "no");
  EXPECT_EQ(FormatRestartPolicy(Policy("always")), "always");
  EXPECT_EQ(FormatRestartPolicy(Policy("unless-stopped")), "unless-stopped");
  EXPECT_EQ(FormatRestartPolicy(Policy("on-failure")), "on-failure");
  EXPECT_EQ(FormatRestartPolicy(Policy("on-failure:3")), "on-failure:3");
  EXPECT_EQ(Policy("on-failure:3").max_retries, 3);
  EXPECT_TRUE(Policy("always:0").name == "always");
}

TEST(RestartPolicyTest, RefusesWithDockersMessages) {
  EXPECT_EQ(ParseRestartPolicy("sometimes").status().message(),
            "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', "
            "'on-failure', or 'unless-stopped'");
  EXPECT_EQ(ParseRestartPolicy("always:3").status().message(),
            "invalid restart policy: maximum retry count can only be used with 'on-failure'");
  EXPECT_EQ(ParseRestartPolicy("on-failure:x").status().message(),
            "invalid restart policy format: maximum retry count must be an integer");
  EXPECT_EQ(ParseRestartPolicy("on-failure:-1").status().message(),
            "invalid restart policy: maximum retry count cannot be negative");
  EXPECT_EQ(ParseRestartPolicy(":1").status().message(),
            "invalid restart policy format: no policy provided before colon");
}

TEST(RestartPolicyTest, BackoffDoublesUpToAMinuteAndResetsAfterTenSeconds) {
  RestartBackoff b;
  EXPECT_EQ(b.Next(absl::Seconds(1)), absl::Milliseconds(100));
  EXPECT_EQ(b.Next(absl::Seconds(1)), absl::Milliseconds(200));
  EXPECT_EQ(b.Next(absl::Seconds(1)), absl::Milliseconds(400));
  for (int i = 0; i < 20; ++i) b.Next(absl::Seconds(1));
  EXPECT_EQ(b.Next(absl::Seconds(1)), absl::Minutes(1));
  EXPECT_EQ(b.Next(absl::Seconds(10)), absl::Milliseconds(100));
  EXPECT_EQ(b.Next(absl::Seconds(9)), absl::Milliseconds(200));
}

TEST(RestartPolicyTest, DecidesAsDockersRestartManager) {
  ContainerState s;
  RestartBackoff b;
  EXPECT_FALSE(DecideRestart(Policy("no"), s, 1, absl::Seconds(1), b).has_value());
  EXPECT_EQ(DecideRestart(Policy("always"), s, 0, absl::Seconds(1), b), absl::Milliseconds(100));
  EXPECT_FALSE(DecideRestart(Policy("on-failure"), s, 0, absl::Seconds(1), b).has_value());
  EXPECT_TRUE(
      DecideRestart(Policy("on-failure"), s, std::nullopt, absl::Seconds(1), b).has_value());
  s.restart_count = 2;
  EXPECT_TRUE(DecideRestart(Policy("on-failure:3"), s, 1, absl::Seconds(1), b).has_value());
  s.restart_count = 3;
  EXPECT_FALSE(DecideRestart(Policy("on-failure:3"), s, 1, absl::Seconds(1), b).has_value());
  s.manually_stopped = true;
  EXPECT_FALSE(DecideRestart(Policy("unless-stopped"), s, 0, absl::Seconds(1), b).has_value());
  EXPECT_TRUE(DecideRestart(Policy("always"), s, 0, absl::Seconds(1), b).has_value());
  s.restart_cancelled = true;
  EXPECT_FALSE(DecideRestart(Policy("always"), s, 0, absl::Seconds(1), b).has_value());
}

TEST(RestartPolicyTest, BootStartsWhatThePolicySaysShouldRun) {
  ContainerState s;
  s.status = ContainerStatus::kStopped;
  EXPECT_FALSE(ShouldStartAtBoot(Policy("always"), s));  // never started
  s.started = absl::FromUnixSeconds(1700000000);
  s.exit_code = 0;
  s.manually_stopped = true;
  s.restart_cancelled = true;
  EXPECT_TRUE(ShouldStartAtBoot(Policy("always"), s));
  EXPECT_FALSE(ShouldStartAtBoot(Policy("unless-stopped"), s));
  EXPECT_FALSE(ShouldStartAtBoot(Policy("on-failure"), s));
  EXPECT_FALSE(ShouldStartAtBoot(Policy("no"), s));
  s.exit_code.reset();  // ended unobserved (the host went down)
  s.manually_stopped = false;
  EXPECT_TRUE(ShouldStartAtBoot(Policy("on-failure"), s));
  EXPECT_TRUE(ShouldStartAtBoot(Policy("unless-stopped"), s));
  s.status = ContainerStatus::kRunning;
  EXPECT_FALSE(ShouldStartAtBoot(Policy("always"), s));
}

}  // namespace
}  // namespace mydocker::process
