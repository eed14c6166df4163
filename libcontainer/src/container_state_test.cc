#include "mydocker/container_state.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace mydocker {
namespace {

ContainerState FullState() {
  ContainerState s;
  s.id = std::string(64, 'a');
  s.name = "web-1";
  s.image = "busybox:latest";
  s.image_id = "sha256:" + std::string(64, 'b');
  s.command = {"sh", "-c", "echo \"x\"\n"};
  s.status = ContainerStatus::kStopped;
  s.created = absl::FromUnixNanos(1700000000123456789);
  s.started = absl::FromUnixSeconds(1700000001);
  s.finished = absl::FromUnixMillis(1700000002500);
  s.init = {1234, 987654321};
  s.monitor = {1233, 987654000};
  s.exit_code = 137;
  s.oom_killed = true;
  s.error = "exec: \"nope\": not found";
  s.auto_remove = true;
  s.restarting = {4321, 555000};
  s.restart_count = 7;
  s.manually_stopped = true;
  s.restart_cancelled = true;
  s.log_path = "/var/lib/mydocker/containers/a/container.log";
  s.cgroup_path = "mydocker/aaaa";
  return s;
}

void ExpectInvalid(const std::string& json, const std::string& field) {
  absl::StatusOr<ContainerState> s = StateFromJson(json);
  ASSERT_FALSE(s.ok()) << json;
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << s.status();
  std::string message(s.status().message());
  EXPECT_NE(message.find(field), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(message.back(), '.') << message;
}

TEST(ContainerStateTest, StatusNamesRoundTrip) {
  for (ContainerStatus s :
       {ContainerStatus::kCreated, ContainerStatus::kRunning, ContainerStatus::kPaused,
        ContainerStatus::kStopped, ContainerStatus::kRestarting}) {
    absl::StatusOr<ContainerStatus> parsed = ParseContainerStatus(ContainerStatusName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(ContainerStatusName(ContainerStatus::kRunning), "running");
  EXPECT_EQ(ParseContainerStatus("exited").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ContainerStateTest, Predicates) {
  ContainerState s;
  s.status = ContainerStatus::kRunning;
  EXPECT_TRUE(s.IsActive());
  EXPECT_FALSE(s.CanRemove());
  s.status = ContainerStatus::kRestarting;  // no process, but its monitor is at work
  EXPECT_TRUE(s.IsActive());
  EXPECT_FALSE(s.HasProcess());
  EXPECT_FALSE(s.CanStart());
  s.status = ContainerStatus::kStopped;
  EXPECT_TRUE(s.CanStart());
  EXPECT_TRUE(s.CanRemove());
}

TEST(ContainerStateTest, JsonRoundTrip) {
  ContainerState s = FullState();
  std::string json = StateToJson(s);
  absl::StatusOr<ContainerState> p = StateFromJson(json);
  ASSERT_TRUE(p.ok()) << p.status() << "\n" << json;
  EXPECT_EQ(p->id, s.id);
  EXPECT_EQ(p->name, s.name);
  EXPECT_EQ(p->image, s.image);
  EXPECT_EQ(p->image_id, s.image_id);
  EXPECT_EQ(p->command, s.command);
  EXPECT_EQ(p->status, s.status);
  EXPECT_EQ(p->created, s.created);
  EXPECT_EQ(p->started, s.started);
  EXPECT_EQ(p->finished, s.finished);
  EXPECT_EQ(p->init.pid, s.init.pid);
  EXPECT_EQ(p->init.start_time, s.init.start_time);
  EXPECT_EQ(p->monitor.pid, s.monitor.pid);
  EXPECT_EQ(p->monitor.start_time, s.monitor.start_time);
  EXPECT_EQ(p->exit_code, s.exit_code);
  EXPECT_EQ(p->oom_killed, s.oom_killed);
  EXPECT_EQ(p->error, s.error);
  EXPECT_EQ(p->auto_remove, s.auto_remove);
  EXPECT_EQ(p->restarting.pid, s.restarting.pid);
  EXPECT_EQ(p->restarting.start_time, s.restarting.start_time);
  EXPECT_EQ(p->restart_count, 7);
  EXPECT_TRUE(p->manually_stopped);
  EXPECT_TRUE(p->restart_cancelled);
  EXPECT_EQ(p->log_path, s.log_path);
  EXPECT_EQ(p->cgroup_path, s.cgroup_path);
  EXPECT_EQ(StateToJson(*p), json);
  for (const char* key :
       {"\"imageId\"", "\"pidStartTime\"", "\"monitorPid\"", "\"monitorStartTime\"", "\"exitCode\"",
        "\"oomKilled\"", "\"autoRemove\"", "\"logPath\"", "\"cgroupPath\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
}

TEST(ContainerStateTest, AbsentExitCodeStaysAbsent) {
  ContainerState s = FullState();
  s.exit_code.reset();
  std::string json = StateToJson(s);
  EXPECT_EQ(json.find("exitCode"), std::string::npos);
  absl::StatusOr<ContainerState> p = StateFromJson(json);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->exit_code.has_value());
}

TEST(ContainerStateTest, NeverTimesUseGoZeroTime) {
  ContainerState s = FullState();
  s.started = absl::InfinitePast();
  std::string json = StateToJson(s);
  EXPECT_NE(json.find(R"("started":"0001-01-01T00:00:00Z")"), std::string::npos) << json;
  absl::StatusOr<ContainerState> p = StateFromJson(json);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->started, absl::InfinitePast());
}

TEST(ContainerStateTest, RejectsMalformedJson) {
  std::string json = StateToJson(FullState());
  for (size_t len : {size_t{0}, size_t{5}, json.size() / 2, json.size() - 1}) {
    ExpectInvalid(json.substr(0, len), "json");
  }
  ExpectInvalid("null", "state must be an object");
  ExpectInvalid("{}", "id");
  ExpectInvalid(R"({"id":"x"})", "status");
  ExpectInvalid(R"({"id":"x","status":"exited"})", "status");
  ExpectInvalid(R"({"id":5,"status":"created"})", "id");
  ExpectInvalid(R"({"id":"x","status":"created","pid":"1"})", "pid");
  ExpectInvalid(R"({"id":"x","status":"created","pid":-5})", "pid");
  ExpectInvalid(R"({"id":"x","status":"created","pid":2147483648})", "pid");
  ExpectInvalid(R"({"id":"x","status":"created","pidStartTime":-1})", "pidStartTime");
  ExpectInvalid(R"({"id":"x","status":"created","pidStartTime":18446744073709551616})",
                "pidStartTime");
  ExpectInvalid(R"({"id":"x","status":"created","exitCode":1.5})", "exitCode");
  ExpectInvalid(R"({"id":"x","status":"created","oomKilled":0})", "oomKilled");
  ExpectInvalid(R"({"id":"x","status":"created","command":[1]})", "command[0]");
  ExpectInvalid(R"({"id":"x","status":"created","created":"yesterday"})", "created");
  ExpectInvalid(R"({"id":"x","status":"created","finished":17})", "finished");
}

// Named apart from absl::FormatTime(absl::Time), which argument-dependent lookup would find.
TEST(ContainerStateTest, FormatRfc3339LikeDocker) {
  EXPECT_EQ(FormatRfc3339(absl::InfinitePast()), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(absl::FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(absl::FromUnixNanos(1700000000123456789)),
            "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(FormatRfc3339(absl::FromUnixMillis(1700000000500)), "2023-11-14T22:13:20.5Z");
}

TEST(ContainerStateTest, ParseTimeAcceptsOffsetsAndRejectsJunk) {
  absl::StatusOr<absl::Time> t = ParseTime("2023-11-14T23:13:20.5+01:00");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixMillis(1700000000500));
  EXPECT_EQ(*ParseTime("0001-01-01T00:00:00Z"), absl::InfinitePast());
  for (const char* bad :
       {"", "2023-11-14", "2023-13-01T00:00:00Z", "now", "2023-11-14T22:13:20Zx"}) {
    EXPECT_EQ(ParseTime(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ContainerStateTest, ProcessStartTimeOfSelfIsStable) {
  absl::StatusOr<uint64_t> t1 = ProcessStartTime(getpid());
  ASSERT_TRUE(t1.ok()) << t1.status();
  // A command name with spaces and parentheses must not shift the fields after it.
  char old_name[17] = {};
  ASSERT_EQ(prctl(PR_GET_NAME, old_name), 0);
  ASSERT_EQ(prctl(PR_SET_NAME, "a) b (c) 1 2 3"), 0);
  absl::StatusOr<uint64_t> t2 = ProcessStartTime(getpid());
  prctl(PR_SET_NAME, old_name);
  ASSERT_TRUE(t2.ok()) << t2.status();
  EXPECT_EQ(*t1, *t2);
}

TEST(ContainerStateTest, ProcessStartTimeOfMissingProcess) {
  EXPECT_EQ(ProcessStartTime(0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ProcessStartTime(-1).status().code(), absl::StatusCode::kInvalidArgument);
  // Above the kernel's pid_max limit (4194304), so never a live process.
  EXPECT_EQ(ProcessStartTime(1 << 30).status().code(), absl::StatusCode::kNotFound);
}

TEST(ContainerStateTest, AliveChecksStartTimeAndZombies) {
  ProcessRef self{getpid(), *ProcessStartTime(getpid())};
  EXPECT_TRUE(self.Alive());
  EXPECT_FALSE((ProcessRef{getpid(), self.start_time + 1}).Alive());
  EXPECT_FALSE(ProcessRef{}.Alive());

  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  absl::StatusOr<uint64_t> start = ProcessStartTime(child);
  ASSERT_TRUE(start.ok()) << start.status();
  ProcessRef ref{child, *start};
  // Not reaped yet: a zombie, which has ended.
  siginfo_t info;
  ASSERT_EQ(waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);
  EXPECT_FALSE(ref.Alive());
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(ref.Alive());
}

TEST(ContainerStateTest, AliveThroughThePidfsInode) {
  ProcessRef self = DescribeProcess(getpid());
  EXPECT_EQ(self.start_time, *ProcessStartTime(getpid()));
  if (self.pidfs_ino == 0) GTEST_SKIP() << "no pidfs (Linux before 6.9)";
  EXPECT_EQ(DescribeProcess(getpid()).pidfs_ino, self.pidfs_ino);  // stable
  EXPECT_TRUE(self.Alive());
  ProcessRef other_inode = self;
  ++other_inode.pidfs_ino;  // the same pid, another process
  EXPECT_FALSE(other_inode.Alive());

  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  ProcessRef ref = DescribeProcess(child);
  EXPECT_NE(ref.pidfs_ino, 0u);
  EXPECT_NE(ref.pidfs_ino, self.pidfs_ino);
  EXPECT_TRUE(ref.Alive());
  ASSERT_EQ(kill(child, SIGKILL), 0);
  siginfo_t info;
  ASSERT_EQ(waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);
  EXPECT_FALSE(ref.Alive());  // a zombie has ended
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  EXPECT_FALSE(ref.Alive());
  EXPECT_EQ(DescribeProcess(child).start_time, 0u);
}

TEST(ContainerStateTest, PidfsInodesRoundTripInJson) {
  ContainerState s = FullState();
  s.init.pidfs_ino = 123456789012345;
  s.monitor.pidfs_ino = 42;
  absl::StatusOr<ContainerState> p = StateFromJson(StateToJson(s));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->init.pidfs_ino, 123456789012345u);
  EXPECT_EQ(p->monitor.pidfs_ino, 42u);
  EXPECT_EQ(StateFromJson(StateToJson(FullState()))->init.pidfs_ino, 0u);  // older records
}

}  // namespace
}  // namespace mydocker
