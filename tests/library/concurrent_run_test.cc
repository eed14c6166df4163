// Library-level integration test: a multi-threaded program (this gtest binary, which is not the
// mydocker CLI) creates and runs containers from 8 threads at once through libcontainer. Needs
// root; the helper binary and busybox tarball come from the build (see CMakeLists.txt).
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "library_test_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

class LibraryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    char tmpl[] = "/tmp/mydocker-libtest-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    auto rt = testing::OpenTestRuntime(root_);
    ASSERT_TRUE(rt.ok()) << rt.status();
    runtime_ = std::move(rt).value();
  }

  void TearDown() override {
    if (runtime_ != nullptr) testing::RemoveEveryContainer(*runtime_);
    if (!root_.empty()) {
      std::ifstream mountinfo("/proc/self/mountinfo");
      std::string line;
      while (std::getline(mountinfo, line)) EXPECT_FALSE(absl::StrContains(line, root_)) << line;
      EXPECT_TRUE(RemoveAll(root_).ok());
    }
  }

  std::string root_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(LibraryTest, RunsContainersFromEightThreads) {
  constexpr int kThreads = 8;
  std::atomic<int> succeeded{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      CreateOptions options;
      options.image = "busybox";
      options.command = {"sh", "-c", absl::StrCat("exit ", t)};
      auto container = runtime_->Create(options);
      if (!container.ok()) {
        errors[t] = container.status().ToString();
        return;
      }
      StartOptions start;
      start.attach = true;  // no stdio given: output only to the log
      auto attachment = (*container)->Start(start);
      if (!attachment.ok()) {
        errors[t] = attachment.status().ToString();
        return;
      }
      auto code = (*attachment)->Wait();
      if (!code.ok() || *code != t) {
        errors[t] = code.ok() ? absl::StrCat("exit code ", *code) : code.status().ToString();
        return;
      }
      auto state = (*container)->State();
      if (!state.ok() || state->status != ContainerStatus::kStopped || state->exit_code != t) {
        errors[t] = "state not recorded";
        return;
      }
      if (auto removed = (*container)->Remove(false); !removed.ok()) {
        errors[t] = removed.ToString();
        return;
      }
      ++succeeded;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(errors[t], "") << "thread " << t;
  EXPECT_EQ(succeeded.load(), kThreads);
}

TEST_F(LibraryTest, NoDescriptorOfTheCallerLeaksIntoTheContainer) {
  // A descriptor this process opened without O_CLOEXEC must not reach the container.
  int leaky = ::open("/etc/hostname", O_RDONLY);
  ASSERT_GE(leaky, 0);
  CreateOptions options;
  options.image = "busybox";
  options.command = {"sh", "-c", "ls /proc/$$/fd; true"};  // "; true" keeps sh from exec-ing ls
  auto container = runtime_->Create(options);
  ASSERT_TRUE(container.ok()) << container.status();
  int pipefd[2];
  ASSERT_EQ(::pipe2(pipefd, O_CLOEXEC), 0);
  StartOptions start;
  start.attach = true;
  start.stdio.out = pipefd[1];
  auto attachment = (*container)->Start(start);
  ::close(pipefd[1]);
  ::close(leaky);
  ASSERT_TRUE(attachment.ok()) << attachment.status();
  auto code = (*attachment)->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  // The shell's own descriptors are 0, 1, 2 (ls lists the shell's, not its own).
  EXPECT_EQ(out, "0\n1\n2\n");
}

TEST_F(LibraryTest, ReportsCommandNotFoundWith127) {
  CreateOptions options;
  options.image = "busybox";
  options.command = {"no-such-command"};
  auto container = runtime_->Create(options);
  ASSERT_TRUE(container.ok()) << container.status();
  auto attachment = (*container)->Start(StartOptions{});
  ASSERT_FALSE(attachment.ok());
  EXPECT_EQ(ExitCodeOf(attachment.status()), 127);
  EXPECT_TRUE(absl::StrContains(attachment.status().message(), "no-such-command"));
  auto state = (*container)->State();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->status, ContainerStatus::kCreated);
  EXPECT_FALSE(state->error.empty());
}

}  // namespace
}  // namespace mydocker

namespace mydocker {
namespace {

TEST_F(LibraryTest, ExecWorksFromAProgramThatIsNotTheCli) {
  CreateOptions options;
  options.image = "busybox";
  options.command = {"sleep", "30"};
  options.hostname = "libhost";
  auto container = runtime_->Create(options);
  ASSERT_TRUE(container.ok()) << container.status();
  auto attachment = (*container)->Start(StartOptions{});
  ASSERT_TRUE(attachment.ok()) << attachment.status();
  int pipefd[2];
  ASSERT_EQ(::pipe2(pipefd, O_CLOEXEC), 0);
  ExecOptions exec;
  exec.args = {"sh", "-c", "hostname; echo $EXTRA; exit 4"};
  exec.env = {"EXTRA=from-exec"};
  exec.stdio.out = pipefd[1];
  auto code = (*container)->Exec(exec);
  ::close(pipefd[1]);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 4);
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(pipefd[0]);
  EXPECT_EQ(out, "libhost\nfrom-exec\n");
  ExecOptions missing;
  missing.args = {"no-such-command"};
  auto failed = (*container)->Exec(missing);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(ExitCodeOf(failed.status()), 127);
  EXPECT_TRUE((*container)->Stop(absl::Seconds(1)).ok());
}

}  // namespace
}  // namespace mydocker

namespace mydocker {
namespace {

TEST_F(LibraryTest, LogsFollowEndsWhenItsCancelFdBecomesReadable) {
  CreateOptions options;
  options.image = "busybox";
  options.command = {"sh", "-c", "echo first; sleep 30"};
  auto container = runtime_->Create(options);
  ASSERT_TRUE(container.ok()) << container.status();
  auto attachment = (*container)->Start(StartOptions{});
  ASSERT_TRUE(attachment.ok()) << attachment.status();
  UniqueFd cancel(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  ASSERT_TRUE(cancel.valid());
  LogOptions logs;
  logs.follow = true;
  logs.cancel_fd = cancel.get();
  std::atomic<int> lines{0};
  absl::Status followed;
  std::thread reader([&] {
    followed = (*container)->Logs(logs, [&](const LogEntry&) {
      ++lines;
      return true;
    });
  });
  // The silent container gives the follow nothing to wake up for: only the descriptor can.
  for (int i = 0; i < 200 && lines.load() == 0; ++i) ::usleep(10000);
  uint64_t one = 1;
  absl::Time cancelled = absl::Now();
  ASSERT_EQ(::write(cancel.get(), &one, sizeof one), static_cast<ssize_t>(sizeof one));
  reader.join();
  EXPECT_LT(absl::Now() - cancelled, absl::Seconds(5));  // not the container's 30 s
  EXPECT_TRUE(followed.ok()) << followed;
  EXPECT_EQ(lines.load(), 1);
  EXPECT_TRUE((*container)->Stop(absl::Seconds(1)).ok());
}

}  // namespace
}  // namespace mydocker
