// The exec tail run for real in a forked child, its reports read with the reader the monitor and
// the exec client use. Everything but the terminal, capability, user and early-seccomp cases
// runs without root.
#include "process/exec_tail.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"
#include "process/protocol.h"

namespace mydocker::process {
namespace {

// What the tail's reader saw, and how the child ended.
struct Outcome {
  int exit_code = -1;
  bool ready = false;
  std::optional<InitError> error;
  std::string output;  // the command's stdout (or terminal)
  std::string What() const { return error ? std::string(error->what) : std::string(); }
};

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;  // EIO from a terminal master once the slave is closed
    out.append(buf, static_cast<size_t>(n));
  }
}

// The value of `key:` in /proc/<pid>/status text, tabs and all.
std::string StatusField(const std::string& status, const std::string& key) {
  size_t at = status.find("\n" + key + ":\t");
  if (at == std::string::npos) return "";
  at += key.size() + 3;
  return status.substr(at, status.find('\n', at) - at);
}

class ExecTailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = ::testing::TempDir() + "exec_tail_XXXXXX";
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

  // A file under the test's directory with `mode` and `content`.
  std::string MakeFile(const std::string& name, mode_t mode, const std::string& content) {
    std::string path = dir_ + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    EXPECT_TRUE(fd.valid());
    EXPECT_EQ(::write(fd.get(), content.data(), content.size()),
              static_cast<ssize_t>(content.size()));
    ::chmod(path.c_str(), mode);
    return path;
  }

  // A plan for `args` tried at `candidates`, in "/", with the caller's own ids and privileges.
  mydocker_exec_tail_plan Plan(std::vector<std::string> args, std::vector<std::string> candidates) {
    args_ = std::move(args);
    candidates_ = std::move(candidates);
    argv_.clear();
    for (std::string& a : args_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
    candidate_ptrs_.clear();
    for (const std::string& c : candidates_) candidate_ptrs_.push_back(c.c_str());
    candidate_ptrs_.push_back(nullptr);
    mydocker_exec_tail_plan p;
    std::memset(&p, 0, sizeof p);
    p.stdio[0] = p.stdio[1] = p.stdio[2] = -1;
    p.cwd = "/";
    p.umask = 022;
    p.exec_candidates = candidate_ptrs_.data();
    p.command_name = args_[0].c_str();
    p.command_has_slash = args_[0].find('/') != std::string::npos;
    p.argv = argv_.data();
    p.envp = env_;
    return p;
  }

  // Forks a child that runs the tail on `plan` (its stdout a pipe read into the outcome) and
  // reads its reports until end of stream or an error. With `close_peer_first` the reading end
  // is closed before the child starts the tail.
  Outcome Run(mydocker_exec_tail_plan plan, bool close_peer_first = false) {
    int pair[2], out[2], go[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(go, O_CLOEXEC), 0);
    UniqueFd reader(pair[0]), out_r(out[0]), go_w(go[1]);
    plan.report_fd = pair[1];
    if (plan.stdio[1] < 0) plan.stdio[1] = out[1];
    pid_t pid = ::fork();
    if (pid == 0) {
      // Only the parent holds the other ends, so their closing is seen here.
      ::close(pair[0]);
      ::close(out[0]);
      ::close(go[1]);
      char byte;
      while (::read(go[0], &byte, 1) < 0 && errno == EINTR) {
      }
      mydocker_exec_tail_run(&plan);
    }
    ::close(pair[1]);
    ::close(out[1]);
    ::close(go[0]);
    if (close_peer_first) reader.reset();
    go_w.reset();  // the child starts now
    Outcome o;
    UniqueFd terminal;
    while (reader.valid()) {
      auto report = ReceiveExecReport(reader.get());
      if (!report.ok() || report->kind == ExecReport::kClosed) break;
      if (report->kind == ExecReport::kReady) o.ready = true;
      if (report->kind == ExecReport::kTerminal) terminal = std::move(report->terminal);
      if (report->kind == ExecReport::kError) o.error = report->error;
      if (report->kind == ExecReport::kError) break;
    }
    o.output = ReadAll(terminal.valid() ? terminal.get() : out_r.get());
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    o.exit_code = ExitCodeFromWaitStatus(status);
    return o;
  }

  std::string dir_;
  std::vector<std::string> args_, candidates_;
  std::vector<char*> argv_;
  std::vector<const char*> candidate_ptrs_;
  char path_[32] = "PATH=/usr/bin:/bin";
  char* env_[2] = {path_, nullptr};
};

TEST_F(ExecTailTest, ExecutesTheCommandAfterTheReadyByte) {
  Outcome o = Run(Plan({"true"}, {"/no-such-dir/true", "/bin/true"}));
  EXPECT_EQ(o.exit_code, 0) << o.What();
  EXPECT_TRUE(o.ready);
  EXPECT_FALSE(o.error.has_value());
}

TEST_F(ExecTailTest, CommandNotFoundAlongThePathIs127WithDockersMessage) {
  Outcome o = Run(Plan({"no-such-command"}, {dir_ + "/no-such-command", "/no/no-such-command"}));
  EXPECT_EQ(o.exit_code, 127);
  EXPECT_TRUE(o.ready);  // every step before execve went well
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->exit_code, 127);
  EXPECT_EQ(o.error->err, 0);
  EXPECT_EQ(o.What(), "exec: \"no-such-command\": executable file not found in $PATH");
  EXPECT_EQ(DescribeInitError(*o.error), o.What());
}

TEST_F(ExecTailTest, NoCandidatesAtAllIsNotFound) {
  Outcome o = Run(Plan({"ls"}, {}));
  EXPECT_EQ(o.exit_code, 127);
  EXPECT_EQ(o.What(), "exec: \"ls\": executable file not found in $PATH");
}

TEST_F(ExecTailTest, MissingPathWithASlashIs127WithItsErrno) {
  Outcome o = Run(Plan({"/nonexistent"}, {"/nonexistent"}));
  EXPECT_EQ(o.exit_code, 127);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->err, ENOENT);
  EXPECT_EQ(DescribeInitError(*o.error), "exec: \"/nonexistent\": No such file or directory");
}

TEST_F(ExecTailTest, FileWithoutExecutePermissionIs126) {
  std::string file = MakeFile("plain", 0644, "#!/bin/sh\n");
  Outcome o = Run(Plan({file}, {file}));
  EXPECT_EQ(o.exit_code, 126);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->exit_code, 126);
  EXPECT_EQ(o.error->err, EACCES);
  EXPECT_EQ(o.What(), "exec: \"" + file + "\"");
}

TEST_F(ExecTailTest, DirectoryIs126) {
  Outcome o = Run(Plan({dir_}, {dir_}));
  EXPECT_EQ(o.exit_code, 126);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->err, EACCES);
}

TEST_F(ExecTailTest, UnknownFormatIs126) {
  std::string file = MakeFile("garbage", 0755, std::string("\x01\x02\x03\x04 not a program\n"));
  Outcome o = Run(Plan({file}, {file}));
  EXPECT_EQ(o.exit_code, 126);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->err, ENOEXEC);
}

TEST_F(ExecTailTest, PathSearchSkipsAFileItCannotExecute) {
  std::string blocked = MakeFile("true", 0644, "");
  Outcome o = Run(Plan({"true"}, {blocked, "/bin/true"}));
  EXPECT_EQ(o.exit_code, 0) << o.What();
  // Found but not executable, and nothing better further on: "permission denied", not "not
  // found", as execvp reports it.
  o = Run(Plan({"true"}, {blocked, dir_ + "/missing/true"}));
  EXPECT_EQ(o.exit_code, 126);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->err, EACCES);
}

TEST_F(ExecTailTest, UnusableWorkingDirectoryIs126BeforeAnythingRuns) {
  std::string marker = dir_ + "/ran";
  mydocker_exec_tail_plan p = Plan({"touch", marker}, {"/usr/bin/touch", "/bin/touch"});
  std::string missing = dir_ + "/missing";
  p.cwd = missing.c_str();
  Outcome o = Run(p);
  EXPECT_EQ(o.exit_code, 126);
  EXPECT_FALSE(o.ready);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->err, ENOENT);
  EXPECT_EQ(DescribeInitError(*o.error), "chdir to " + missing + ": No such file or directory");

  std::string file = MakeFile("file", 0644, "");
  p.cwd = file.c_str();
  o = Run(p);
  EXPECT_EQ(o.exit_code, 126);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->err, ENOTDIR);
  EXPECT_NE(::access(marker.c_str(), F_OK), 0);
}

TEST_F(ExecTailTest, CreatesTheListedWorkingDirectoryComponents) {
  std::string a = dir_ + "/a", ab = dir_ + "/a/b";
  const char* create[] = {a.c_str(), ab.c_str(), nullptr};
  mydocker_exec_tail_plan p = Plan({"pwd"}, {"/bin/pwd"});
  p.cwd = ab.c_str();
  p.cwd_create = create;
  Outcome o = Run(p);
  EXPECT_EQ(o.exit_code, 0) << o.What();
  EXPECT_EQ(o.output, ab + "\n");
}

// The command starts with the plan's umask, no signal blocked or ignored and no descriptor of
// the caller's above stdio, whatever the caller had.
TEST_F(ExecTailTest, CommandStartsWithDefaultSignalsUmaskAndOnlyStdio) {
  struct sigaction ignore = {}, old_pipe = {}, old_usr2 = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old_pipe);
  ::sigaction(SIGUSR2, &ignore, &old_usr2);
  sigset_t block, old_mask;
  ::sigemptyset(&block);
  ::sigaddset(&block, SIGUSR1);
  ::sigaddset(&block, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &block, &old_mask);
  UniqueFd leaked(::open("/dev/null", O_RDONLY));  // not close-on-exec
  mydocker_exec_tail_plan p =
      Plan({"sh", "-c", "cat /proc/self/status; ls /proc/self/fd"}, {"/bin/sh"});
  p.umask = 027;
  Outcome o = Run(p);
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  ::sigaction(SIGUSR2, &old_usr2, nullptr);
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  EXPECT_EQ(o.exit_code, 0) << o.What();
  EXPECT_EQ(StatusField(o.output, "Umask"), "0027");
  EXPECT_EQ(StatusField(o.output, "SigBlk"), "0000000000000000");
  EXPECT_EQ(StatusField(o.output, "SigIgn"), "0000000000000000");
  EXPECT_EQ(StatusField(o.output, "NoNewPrivs"), "0");
  // ls's listing of its own descriptors: stdio and the one it opened for the listing.
  EXPECT_TRUE(absl::EndsWith(o.output, "\n0\n1\n2\n3\n")) << o.output;
}

// An allow-all filter that fails rt_sigprocmask with EPERM: the tail's own last step before
// the late load, so only a load at the right point lets the command run.
std::vector<sock_filter> RefuseSigprocmask() {
  return {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigprocmask, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
}

TEST_F(ExecTailTest, WithNoNewPrivsTheFilterIsLoadedLast) {
  std::vector<sock_filter> filter = RefuseSigprocmask();
  mydocker_exec_tail_plan p = Plan({"cat", "/proc/self/status"}, {"/bin/cat"});
  p.no_new_privs = 1;
  p.seccomp = filter.data();
  p.seccomp_len = static_cast<unsigned short>(filter.size());
  Outcome o = Run(p);
  EXPECT_EQ(o.exit_code, 0) << o.What();
  EXPECT_EQ(StatusField(o.output, "NoNewPrivs"), "1");
  EXPECT_EQ(StatusField(o.output, "Seccomp"), "2");
}

TEST_F(ExecTailTest, WithoutNoNewPrivsTheFilterIsLoadedBeforeTheUserSwitch) {
  if (::geteuid() != 0) GTEST_SKIP() << "loading a filter without no_new_privs needs root";
  std::vector<sock_filter> filter = RefuseSigprocmask();
  mydocker_exec_tail_plan p = Plan({"true"}, {"/bin/true"});
  p.seccomp = filter.data();
  p.seccomp_len = static_cast<unsigned short>(filter.size());
  Outcome o = Run(p);
  EXPECT_EQ(o.exit_code, 125);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(DescribeInitError(*o.error), "sigprocmask: Operation not permitted");
}

// A reader that died (the monitor, the exec client) would never learn how the command went.
TEST_F(ExecTailTest, DoesNotExecuteOnceTheReaderIsGone) {
  std::string marker = dir_ + "/ran";
  mydocker_exec_tail_plan p = Plan({"touch", marker}, {"/usr/bin/touch", "/bin/touch"});
  p.parent_death_signal = SIGKILL;
  Outcome o = Run(p, /*close_peer_first=*/true);
  EXPECT_EQ(o.exit_code, 125);
  EXPECT_NE(::access(marker.c_str(), F_OK), 0);
}

TEST_F(ExecTailTest, FailureMessagesAreCutToFitAndCarryTheExitCode) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd reader(pair[0]);
  std::string longer(1000, 'x');
  pid_t pid = ::fork();
  if (pid == 0) mydocker_exec_tail_fail(pair[1], 126, EPERM, "step ", longer.c_str(), nullptr);
  ::close(pair[1]);
  auto report = ReceiveExecReport(reader.get());
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->kind, ExecReport::kError);
  EXPECT_EQ(report->error.exit_code, 126);
  EXPECT_EQ(report->error.err, EPERM);
  EXPECT_EQ(std::string(report->error.what), "step " + longer.substr(0, 474));
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(ExitCodeFromWaitStatus(status), 126);
  absl::Status failure = StartFailure(126, DescribeInitError(report->error));
  EXPECT_EQ(ExitCodeOf(failure), 126);
  EXPECT_TRUE(absl::IsFailedPrecondition(failure));
  EXPECT_TRUE(absl::IsInternal(StartFailure(125, "x")));
}

TEST_F(ExecTailTest, TerminalMasterIsSentAndIsTheCommandsControllingTerminal) {
  UniqueFd probe(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!probe) GTEST_SKIP() << "cannot open /dev/pts/ptmx here";
  probe.reset();
  mydocker_exec_tail_plan p =
      Plan({"sh", "-c", "tty; stty size; test -t 0 && test -t 2 && echo all"}, {"/bin/sh"});
  p.terminal = 1;
  p.rows = 33;
  p.cols = 101;
  Outcome o = Run(p);
  EXPECT_EQ(o.exit_code, 0) << o.What();
  EXPECT_TRUE(o.output.find("/dev/pts/") == 0) << o.output;
  EXPECT_NE(o.output.find("33 101"), std::string::npos) << o.output;
  EXPECT_NE(o.output.find("all"), std::string::npos) << o.output;
}

TEST_F(ExecTailTest, CapabilitiesAreLimitedWithAnEmptyInheritableSet) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing the bounding set needs root";
  mydocker_exec_tail_plan p = Plan({"cat", "/proc/self/status"}, {"/bin/cat"});
  p.limit_capabilities = 1;
  p.capabilities = (1ULL << 0) | (1ULL << 5);  // CAP_CHOWN, CAP_KILL
  p.last_capability = 40;
  p.set_user = 1;  // root, no supplementary groups
  Outcome o = Run(p);
  EXPECT_EQ(o.exit_code, 0) << o.What();
  EXPECT_EQ(StatusField(o.output, "CapBnd"), "0000000000000021");
  EXPECT_EQ(StatusField(o.output, "CapEff"), "0000000000000021");
  EXPECT_EQ(StatusField(o.output, "CapPrm"), "0000000000000021");
  EXPECT_EQ(StatusField(o.output, "CapInh"), "0000000000000000");
  EXPECT_EQ(StatusField(o.output, "CapAmb"), "0000000000000000");
  EXPECT_EQ(absl::StripAsciiWhitespace(StatusField(o.output, "Groups")), "");
}

TEST_F(ExecTailTest, SwitchesToTheUserAndItsGroups) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing ids needs root";
  const gid_t groups[] = {4242, 4343};
  mydocker_exec_tail_plan p = Plan({"cat", "/proc/self/status"}, {"/bin/cat"});
  p.set_user = 1;
  p.uid = 65534;
  p.gid = 4141;
  p.groups = groups;
  p.ngroups = 2;
  Outcome o = Run(p);
  EXPECT_EQ(o.exit_code, 0) << o.What();
  EXPECT_EQ(StatusField(o.output, "Uid"), "65534\t65534\t65534\t65534");
  EXPECT_EQ(StatusField(o.output, "Gid"), "4141\t4141\t4141\t4141");
  EXPECT_EQ(absl::StripAsciiWhitespace(StatusField(o.output, "Groups")), "4242 4343");
  EXPECT_EQ(StatusField(o.output, "CapEff"), "0000000000000000");
}

}  // namespace
}  // namespace mydocker::process
