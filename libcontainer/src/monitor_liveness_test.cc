#include "monitor_liveness.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "mydocker/fs_util.h"

namespace mydocker {
namespace {

class MonitorLivenessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mydocker-liveness-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { ASSERT_TRUE(RemoveAll(root_).ok()); }

  // A child that takes its monitor lock, reports through a pipe, then waits to be killed.
  pid_t StartHolder() {
    int p[2];
    EXPECT_EQ(::pipe(p), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(p[0]);
      absl::StatusOr<UniqueFd> held = MonitorLiveness::Hold(root_, DescribeProcess(::getpid()));
      char ok = held.ok() ? 1 : 0;
      if (::write(p[1], &ok, 1) != 1) ::_exit(1);
      ::pause();
      ::_exit(0);
    }
    ::close(p[1]);
    char ok = 0;
    EXPECT_EQ(::read(p[0], &ok, 1), 1);
    EXPECT_EQ(ok, 1);
    ::close(p[0]);
    return pid;
  }

  std::string root_;
};

TEST_F(MonitorLivenessTest, HeldWhileTheMonitorLivesAndNotAfter) {
  pid_t pid = StartHolder();
  ProcessRef ref = DescribeProcess(pid);
  MonitorLiveness live(root_);
  EXPECT_TRUE(live.Held(ref));
  // Another process with the same pid (a recycled one) has another start time.
  ProcessRef recycled = ref;
  recycled.start_time += 1;
  EXPECT_FALSE(live.Held(recycled));
  EXPECT_FALSE(live.Held(DescribeProcess(::getpid())));  // alive, but holds no lock
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);
  EXPECT_FALSE(live.Held(ref));
  EXPECT_FALSE(MonitorLiveness(root_).Held(ref));
}

TEST_F(MonitorLivenessTest, NoFileOrNoReferenceIsNotHeld) {
  MonitorLiveness live(root_);
  EXPECT_FALSE(live.Held(DescribeProcess(::getpid())));
  EXPECT_FALSE(live.Held(ProcessRef{}));
  EXPECT_FALSE(MonitorLiveness::Hold(root_, ProcessRef{}).ok());
}

// The lock of the largest pid and start time fits the file's offsets.
TEST_F(MonitorLivenessTest, ExtremeReferences) {
  ProcessRef big{(1 << 22) - 1, (uint64_t{1} << 40) - 1, 0};
  absl::StatusOr<UniqueFd> held = MonitorLiveness::Hold(root_, big);
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_FALSE(MonitorLiveness::Hold(root_, ProcessRef{1 << 22, 5, 0}).ok());
}

}  // namespace
}  // namespace mydocker
