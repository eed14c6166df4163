#include "host/pidfd.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace mydocker {
namespace {

// A child that waits for a signal; reaped by the test.
ProcessRef StartSleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  return ProcessRef{pid, *ProcessStartTime(pid)};
}

using Opener = std::function<absl::StatusOr<UniqueFd>(const ProcessRef&)>;

// The same life cycle through a pidfd and through the /proc/PID fallback.
void CheckHandleLifecycle(const Opener& open) {
  ProcessRef child = StartSleeper();
  absl::StatusOr<UniqueFd> handle = open(child);
  ASSERT_TRUE(handle.ok()) << handle.status();
  EXPECT_FALSE(WaitPidfd(handle->get(), absl::Now() + absl::Milliseconds(30)));
  EXPECT_TRUE(SignalPidfd(handle->get(), SIGTERM).ok());
  EXPECT_TRUE(WaitPidfd(handle->get(), absl::Now() + absl::Seconds(10)));  // a zombie: ended
  int status = 0;
  ASSERT_EQ(::waitpid(child.pid, &status, 0), child.pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  EXPECT_TRUE(WaitPidfd(handle->get(), absl::InfiniteFuture()));
  EXPECT_EQ(SignalPidfd(handle->get(), SIGKILL).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(open(child).status().code(), absl::StatusCode::kNotFound);
}

TEST(PidfdTest, APidfdFollowsItsProcess) { CheckHandleLifecycle(&OpenPidfd); }

TEST(PidfdTest, TheProcDirectoryFallbackFollowsItsProcess) {
  CheckHandleLifecycle(&OpenProcDirHandle);
}

TEST(PidfdTest, AStartTimeThatDiffersIsAnotherProcess) {
  ProcessRef child = StartSleeper();
  ProcessRef other{child.pid, child.start_time + 1};
  EXPECT_EQ(OpenPidfd(other).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(OpenProcDirHandle(other).status().code(), absl::StatusCode::kNotFound);
  ::kill(child.pid, SIGKILL);
  ::waitpid(child.pid, nullptr, 0);
}

}  // namespace
}  // namespace mydocker
