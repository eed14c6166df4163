#include "host/child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "gtest/gtest.h"
#include "host/host.h"
#include "host/testing/fake_host.h"

namespace mydocker {
namespace {

ChildProcess SpawnSleep() {
  SpawnRequest request;
  request.argv = {"/bin/sleep", "30"};
  absl::StatusOr<ChildProcess> child = RealHost().Spawn(request);
  EXPECT_TRUE(child.ok()) << child.status();
  return child.ok() ? std::move(child).value() : ChildProcess();
}

// True while `pid` exists (as a process or an unreaped zombie).
bool Exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

TEST(ChildProcessTest, DestructionKillsAndReaps) {
  pid_t pid;
  {
    ChildProcess child = SpawnSleep();
    ASSERT_TRUE(child.owns());
    EXPECT_GE(child.pidfd(), 0);
    pid = child.pid();
    EXPECT_TRUE(Exists(pid));
  }
  EXPECT_FALSE(Exists(pid));  // killed and reaped: not even a zombie
}

TEST(ChildProcessTest, WaitReturnsTheStatusAndMoveHandsOver) {
  ChildProcess child = SpawnSleep();
  ChildProcess moved = std::move(child);
  EXPECT_FALSE(child.owns());
  ASSERT_TRUE(moved.Signal(SIGTERM).ok());
  absl::StatusOr<int> status = moved.Wait();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGTERM);
  EXPECT_FALSE(moved.owns());
  EXPECT_FALSE(moved.Wait().ok());
}

// Ended() with the pidfd, and without one (as under valgrind: waitid(WNOWAIT)); neither reaps.
TEST(ChildProcessTest, EndedSaysSoWithOrWithoutAPidfd) {
  for (bool with_pidfd : {true, false}) {
    ChildProcess spawned = SpawnSleep();
    ChildProcess child =
        with_pidfd ? std::move(spawned) : ChildProcess(&RealHost(), spawned.Release(), UniqueFd());
    ASSERT_EQ(child.pidfd() >= 0, with_pidfd);
    EXPECT_FALSE(child.Ended());
    ASSERT_TRUE(child.Signal(SIGTERM).ok());
    for (int i = 0; i < 500 && !child.Ended(); ++i) ::usleep(2000);
    EXPECT_TRUE(child.Ended());
    EXPECT_TRUE(child.Ended());        // asking again reaps nothing
    EXPECT_TRUE(Exists(child.pid()));  // a zombie until Wait
    absl::StatusOr<int> status = child.Wait();
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGTERM);
  }
}

TEST(ChildProcessTest, ReleaseLeavesTheChildToTheCaller) {
  pid_t pid;
  {
    ChildProcess child = SpawnSleep();
    pid = child.Release();
  }
  EXPECT_TRUE(Exists(pid));
  ::kill(pid, SIGKILL);
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
}

TEST(ChildProcessTest, SpawnFailureNamesTheProgram) {
  SpawnRequest request;
  request.argv = {"/nonexistent/helper"};
  absl::StatusOr<ChildProcess> child = RealHost().Spawn(request);
  // posix_spawn reports a failed exec as an error (glibc's vfork-based spawn).
  EXPECT_FALSE(child.ok());
  EXPECT_NE(child.status().message().find("/nonexistent/helper"), std::string::npos);
}

TEST(ChildProcessTest, TheFakeReapsThroughItsHost) {
  testing::FakeHost host;
  host.on_spawn = [](const SpawnRequest&) -> absl::StatusOr<int> { return 7 << 8; };
  SpawnRequest request;
  request.argv = {"/fake"};
  {
    absl::StatusOr<ChildProcess> child = host.Spawn(request);
    ASSERT_TRUE(child.ok());
    absl::StatusOr<int> status = child->Wait();
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(WEXITSTATUS(*status), 7);
  }
  {
    absl::StatusOr<ChildProcess> child = host.Spawn(request);
    ASSERT_TRUE(child.ok());
  }  // dropped: killed, then reaped
  std::vector<std::string> calls = host.calls();
  ASSERT_GE(calls.size(), 5u);
  EXPECT_EQ(calls[calls.size() - 2].rfind("signal ", 0), 0u);
  EXPECT_EQ(calls.back().rfind("reap ", 0), 0u);
}

}  // namespace
}  // namespace mydocker
