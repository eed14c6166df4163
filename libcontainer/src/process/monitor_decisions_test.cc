#include "process/monitor_decisions.h"

#include <signal.h>

#include "gtest/gtest.h"
#include "mydocker/status_macros.h"

namespace mydocker::process {
namespace {

constexpr int kExited3 = 3 << 8;      // a wait status: exit(3)
constexpr int kKilled = SIGKILL;      // a wait status: killed by SIGKILL
constexpr int kTerminated = SIGTERM;  // a wait status: killed by SIGTERM

const ProcessRef kThisRun{100, 5000};
const absl::Time kNow = absl::FromUnixSeconds(1700000000);

ContainerState Running() {
  ContainerState s;
  s.id = "c1";
  s.status = ContainerStatus::kRunning;
  s.init = kThisRun;
  s.started = kNow - absl::Minutes(1);
  return s;
}

TEST(MonitorDecisionsTest, OnlyASigkillMayBeTheOomKiller) {
  EXPECT_TRUE(MayBeOomKill(kKilled));
  EXPECT_FALSE(MayBeOomKill(kTerminated));
  EXPECT_FALSE(MayBeOomKill(kExited3));
  EXPECT_FALSE(MayBeOomKill(137 << 8));  // exit(137) is not a kill
}

TEST(MonitorDecisionsTest, TheEndIsRecordedWithCodeOomAndTime) {
  RecordOutcome end = DecideEnd(Running(), kThisRun, kExited3, false, true, kNow);
  ASSERT_FALSE(end.remove);
  EXPECT_EQ(end.record.status, ContainerStatus::kStopped);
  EXPECT_EQ(end.record.exit_code, 3);
  EXPECT_FALSE(end.record.oom_killed);
  EXPECT_EQ(end.record.finished, kNow);
  EXPECT_EQ(end.record.started, Running().started);  // the rest of the record is kept

  end = DecideEnd(Running(), kThisRun, kKilled, true, true, kNow);
  EXPECT_EQ(end.record.exit_code, 128 + SIGKILL);
  EXPECT_TRUE(end.record.oom_killed);
}

TEST(MonitorDecisionsTest, AnAutoRemoveContainerIsRemovedAtItsEnd) {
  ContainerState s = Running();
  s.auto_remove = true;
  EXPECT_TRUE(DecideEnd(s, kThisRun, kExited3, false, true, kNow).remove);
}

TEST(MonitorDecisionsTest, TheRunARestartStopsKeepsItsAutoRemoveContainer) {
  ContainerState s = Running();
  s.auto_remove = true;
  s.restarting = kThisRun;  // Container::Restart marked this run before stopping it
  RecordOutcome end = DecideEnd(s, kThisRun, kTerminated, false, true, kNow);
  ASSERT_FALSE(end.remove);
  EXPECT_EQ(end.record.exit_code, 128 + SIGTERM);
  EXPECT_EQ(end.record.restarting, kThisRun);  // the restarter's next start clears it
}

TEST(MonitorDecisionsTest, ARestartMarkForAnotherRunDoesNotKeepTheContainer) {
  // The mark names an init with the same pid but another start time: a recycled pid.
  ContainerState s = Running();
  s.auto_remove = true;
  s.restarting = ProcessRef{kThisRun.pid, kThisRun.start_time + 1};
  EXPECT_TRUE(DecideEnd(s, kThisRun, kExited3, false, true, kNow).remove);
}

TEST(MonitorDecisionsTest, WithoutTheLockTheEndIsRecordedNotRemoved) {
  ContainerState s = Running();
  s.auto_remove = true;
  RecordOutcome end = DecideEnd(s, kThisRun, kExited3, false, /*have_lock=*/false, kNow);
  ASSERT_FALSE(end.remove);
  EXPECT_EQ(end.record.status, ContainerStatus::kStopped);
  EXPECT_EQ(end.record.exit_code, 3);
}

TEST(MonitorDecisionsTest, AFailedStartKeepsACreatedContainerWithTheReason) {
  absl::Status failed = WithExitCode(absl::NotFoundError("exec: \"nope\": not found"), 127);
  RecordOutcome out = DecideFailedStart(Running(), failed);
  ASSERT_FALSE(out.remove);
  EXPECT_EQ(out.record.status, ContainerStatus::kCreated);
  EXPECT_EQ(out.record.exit_code, 127);
  EXPECT_EQ(out.record.error, "exec: \"nope\": not found");
  EXPECT_TRUE(out.record.init.empty());

  out = DecideFailedStart(Running(), absl::InternalError("mount failed"));
  EXPECT_EQ(out.record.exit_code, 125);  // no payload: a runtime error
}

TEST(MonitorDecisionsTest, AFailedStartOfAnAutoRemoveContainerRemovesIt) {
  ContainerState s = Running();
  s.auto_remove = true;
  EXPECT_TRUE(DecideFailedStart(s, absl::InternalError("x")).remove);
  s.restarting = kThisRun;  // but a restart keeps it and reports the error
  RecordOutcome out = DecideFailedStart(s, absl::InternalError("x"));
  ASSERT_FALSE(out.remove);
  EXPECT_EQ(out.record.status, ContainerStatus::kCreated);
}

}  // namespace
}  // namespace mydocker::process
