#include "security/seccomp.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "process/init_plan.h"

namespace mydocker {
namespace {

// Runs `probe` in a child that loaded `filter` first; the child's exit status is the probe's.
int RunFiltered(const std::vector<sock_filter>& filter, const std::function<int()>& probe) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    struct sock_fprog program = {static_cast<unsigned short>(filter.size()),
                                 const_cast<sock_filter*>(filter.data())};
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) ::_exit(200);
    ::_exit(probe());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

int ErrnoOf(long rc) { return rc == -1 ? errno : 0; }

TEST(SeccompTest, DefaultProfileRefusesNamespacesKeyringsAndClone3) {
  auto filter = CompileSeccomp(DefaultSeccompProfile());
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::unshare(CLONE_NEWUSER)); }), EPERM);
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::syscall(SYS_keyctl, 0, 0, 0, 0, 0)); }),
            EPERM);
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::syscall(SYS_clone3, nullptr, 0)); }),
            ENOSYS);
  // clone with a namespace flag is refused; a plain fork (clone without one) still works.
  EXPECT_EQ(RunFiltered(*filter,
                        [] {
                          return ErrnoOf(::syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr,
                                                   nullptr, nullptr, nullptr));
                        }),
            EPERM);
  EXPECT_EQ(RunFiltered(*filter,
                        [] {
                          pid_t child = ::fork();
                          if (child == 0) ::_exit(7);
                          int status = 0;
                          ::waitpid(child, &status, 0);
                          return WEXITSTATUS(status);
                        }),
            7);
  EXPECT_EQ(RunFiltered(*filter, [] { return ::getpid() > 0 ? 0 : 1; }), 0);
}

TEST(SeccompTest, DefaultProfileFollowsTheCapabilities) {
  // Docker's conditional rules: CAP_SYS_ADMIN opens namespaces and clone3, CAP_SYS_TIME
  // setting clocks; without them, EPERM (and ENOSYS for clone3) as before.
  auto admin = CompileSeccomp(DefaultSeccompProfile({"CAP_SYS_ADMIN", "CAP_SYS_TIME"}));
  ASSERT_TRUE(admin.ok()) << admin.status();
  int clone3 = RunFiltered(*admin, [] { return ErrnoOf(::syscall(SYS_clone3, nullptr, 0)); });
  EXPECT_TRUE(clone3 != ENOSYS && clone3 != EPERM) << clone3;  // the kernel's EINVAL
  EXPECT_EQ(RunFiltered(*admin, [] { return ErrnoOf(::syscall(SYS_umount2, "/nonexistent", 0)); }),
            ENOENT);
  EXPECT_NE(RunFiltered(*admin, [] { return ErrnoOf(::syscall(SYS_clock_settime, 99, nullptr)); }),
            EPERM);
  auto plain = CompileSeccomp(DefaultSeccompProfile({"CAP_CHOWN"}));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(RunFiltered(*plain, [] { return ErrnoOf(::syscall(SYS_umount2, "/nonexistent", 0)); }),
            EPERM);
  EXPECT_EQ(RunFiltered(*plain, [] { return ErrnoOf(::syscall(SYS_clock_settime, 99, nullptr)); }),
            EPERM);
  // Every conditional rule at once (--privileged with a profile, --cap-add ALL) compiles.
  std::vector<std::string> all;
  for (int cap = 0; cap <= 40; ++cap)
    all.push_back(absl::StrCat("CAP_", process::CapabilityName(cap)));
  EXPECT_TRUE(CompileSeccomp(DefaultSeccompProfile(all)).ok());
}

TEST(SeccompTest, DefaultProfileIsAnAllowList) {
  auto filter = CompileSeccomp(DefaultSeccompProfile());
  ASSERT_TRUE(filter.ok()) << filter.status();
  // Named nowhere, older than the profile: the default action.
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::syscall(SYS_kexec_load, 0, 0, 0, 0)); }),
            EPERM);
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::syscall(SYS_iopl, 3)); }), EPERM);
  // Newer than every call the profile names (listmount, Linux 6.8): ENOSYS, as from an older
  // kernel, where without the filter the kernel answers for itself.
  constexpr long kListmount = 458;
  int unfiltered = ErrnoOf(::syscall(kListmount, nullptr, nullptr, 0, 0));
  if (unfiltered != ENOSYS) {
    EXPECT_EQ(
        RunFiltered(*filter, [] { return ErrnoOf(::syscall(kListmount, nullptr, nullptr, 0, 0)); }),
        ENOSYS);
  }
  // Allowed by number though this libseccomp may not name it (fchmodat2, Linux 6.6).
  constexpr long kFchmodat2 = 452;
  if (ErrnoOf(::syscall(kFchmodat2, AT_FDCWD, "/", 0755, 0)) != ENOSYS) {
    EXPECT_EQ(RunFiltered(*filter,
                          [] {
                            int e =
                                ErrnoOf(::syscall(kFchmodat2, AT_FDCWD, "/nonexistent-x", 0644, 0));
                            return e == ENOENT ? 0 : e;
                          }),
              0);
  }
  // Conditions: vsock sockets and unusual personalities are refused, the rest allowed.
  EXPECT_EQ(
      RunFiltered(*filter, [] { return ErrnoOf(::socket(40 /* AF_VSOCK */, SOCK_STREAM, 0)); }),
      EPERM);
  EXPECT_EQ(RunFiltered(*filter,
                        [] {
                          int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
                          return fd >= 0 ? 0 : errno;
                        }),
            0);
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::syscall(SYS_personality, 0x0400000)); }),
            EPERM);  // READ_IMPLIES_EXEC
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::syscall(SYS_personality, 0xffffffff)); }),
            0);
  // What programs do at start-up and after.
  EXPECT_EQ(RunFiltered(*filter,
                        [] {
                          char buf[64];
                          int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
                          if (fd < 0 || ::read(fd, buf, sizeof buf) <= 0) return 1;
                          struct stat st;
                          if (::fstat(fd, &st) != 0 || ::close(fd) != 0) return 2;
                          if (::getrandom(buf, 8, 0) != 8) return 3;
                          int p[2];
                          if (::pipe(p) != 0 || ::pipe2(p, O_CLOEXEC) != 0) return 5;
                          return ::execl("/bin/true", "true", nullptr) == 0 ? 0 : 4;
                        }),
            0);
}

TEST(SeccompTest, CustomErrnoAndArgumentRules) {
  LinuxSeccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  p.syscalls.push_back({{"getppid"}, "SCMP_ACT_ERRNO", 42, {}});
  // dup(fd) refused only for fd 100 or 101: two comparisons of one argument become two rules.
  p.syscalls.push_back({{"dup"},
                        "SCMP_ACT_ERRNO",
                        EACCES,
                        {{0, 100, 0, "SCMP_CMP_EQ"}, {0, 101, 0, "SCMP_CMP_EQ"}}});
  p.syscalls.push_back({{"no_such_call_anywhere"}, "SCMP_ACT_ERRNO", std::nullopt, {}});
  auto filter = CompileSeccomp(p);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::syscall(SYS_getppid)); }), 42);
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::dup(101)); }), EACCES);
  EXPECT_EQ(RunFiltered(*filter, [] { return ErrnoOf(::dup(102)); }), EBADF);
}

TEST(SeccompTest, DockerProfileFormWithConditions) {
  const char* profile = R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "defaultErrnoRet": 1,
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["kill"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_KILL"]}},
      {"names": ["uname"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "arm64"]}}
    ]})";
  auto p = SeccompProfileFromJson(profile, {"CAP_KILL", "CAP_CHOWN"});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(p->default_errno_ret, 1u);
  ASSERT_EQ(p->syscalls.size(), 2u);  // mount needs SYS_ADMIN; kill is excluded by CAP_KILL
  EXPECT_EQ(p->syscalls[0].names, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(p->syscalls[1].names, (std::vector<std::string>{"uname"}));
#if defined(__x86_64__)
  EXPECT_EQ(p->architectures, (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
#endif
  EXPECT_TRUE(CompileSeccomp(*p).ok());
}

TEST(SeccompTest, MalformedProfilesNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"defaultAction": "SCMP_ACT_MAYBE"})", "defaultAction"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"], "action": 3}]})",
       "syscalls[0].action"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"],
           "action": "SCMP_ACT_ERRNO", "args": [{"index": 9, "op": "SCMP_CMP_EQ"}]}]})",
       "syscalls[0].args[0].index"},
      {R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"],
           "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "op": "SCMP_CMP_ALMOST"}]}]})",
       "syscalls[0].args[0].op"},
      {R"({"syscalls": []})", "defaultAction"},
      {R"([1, 2])", ""},
  };
  for (const Case& c : cases) {
    auto p = SeccompProfileFromJson(c.json, {});
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(p.status().message(), c.field)) << p.status();
  }
  LinuxSeccomp bad_arch;
  bad_arch.default_action = "SCMP_ACT_ALLOW";
  bad_arch.architectures = {"SCMP_ARCH_VAX"};
  EXPECT_EQ(CompileSeccomp(bad_arch).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SeccompTest, ConfigJsonRoundTripKeepsTheProfile) {
  ContainerConfig c = DefaultContainerConfig();
  ASSERT_TRUE(c.linux_spec.seccomp.has_value());
  c.process.no_new_privileges = true;
  c.process.args = {"true"};
  auto back = ConfigFromJson(ConfigToJson(c));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->process.no_new_privileges);
  ASSERT_TRUE(back->linux_spec.seccomp.has_value());
  const LinuxSeccomp& a = *c.linux_spec.seccomp;
  const LinuxSeccomp& b = *back->linux_spec.seccomp;
  EXPECT_EQ(a.default_action, b.default_action);
  EXPECT_EQ(a.architectures, b.architectures);
  ASSERT_EQ(a.syscalls.size(), b.syscalls.size());
  for (size_t i = 0; i < a.syscalls.size(); ++i) {
    EXPECT_EQ(a.syscalls[i].names, b.syscalls[i].names);
    EXPECT_EQ(a.syscalls[i].action, b.syscalls[i].action);
    EXPECT_EQ(a.syscalls[i].errno_ret, b.syscalls[i].errno_ret);
    ASSERT_EQ(a.syscalls[i].args.size(), b.syscalls[i].args.size());
    for (size_t j = 0; j < a.syscalls[i].args.size(); ++j) {
      EXPECT_EQ(a.syscalls[i].args[j].value, b.syscalls[i].args[j].value);
      EXPECT_EQ(a.syscalls[i].args[j].op, b.syscalls[i].args[j].op);
    }
  }
  // Without a profile (--security-opt seccomp=unconfined) the record says so.
  c.linux_spec.seccomp.reset();
  back = ConfigFromJson(ConfigToJson(c));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->linux_spec.seccomp.has_value());
}

bool SameProgram(const std::vector<sock_filter>& a, const std::vector<sock_filter>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof a[0]) == 0;
}

TEST(SeccompTest, CacheReturnsTheSameProgramAndSurvivesDamage) {
  std::string dir = ::testing::TempDir() + "/seccomp-cache-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  std::string cache = dir + "/cache";
  LinuxSeccomp profile = DefaultSeccompProfile();
  auto direct = CompileSeccomp(profile);
  auto first = CompileSeccompCached(profile, cache);
  auto second = CompileSeccompCached(profile, cache);
  ASSERT_TRUE(direct.ok() && first.ok() && second.ok());
  EXPECT_TRUE(SameProgram(*direct, *first));
  EXPECT_TRUE(SameProgram(*direct, *second));
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(cache)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  // A torn or altered file is recompiled, never loaded.
  std::filesystem::resize_file(files[0], std::filesystem::file_size(files[0]) - 9);
  auto repaired = CompileSeccompCached(profile, cache);
  ASSERT_TRUE(repaired.ok());
  EXPECT_TRUE(SameProgram(*direct, *repaired));
  // Another profile gets its own program (acct: refused by the default profile, with EPERM).
  LinuxSeccomp other = profile;
  other.syscalls.push_back({{"acct"}, "SCMP_ACT_ERRNO", 42, {}});
  auto other_program = CompileSeccompCached(other, cache);
  ASSERT_TRUE(other_program.ok());
  EXPECT_FALSE(SameProgram(*direct, *other_program));
  EXPECT_EQ(RunFiltered(*other_program, [] { return ErrnoOf(::syscall(SYS_acct, nullptr)); }), 42);
  EXPECT_EQ(RunFiltered(*direct, [] { return ErrnoOf(::syscall(SYS_acct, nullptr)); }), EPERM);
  std::filesystem::remove_all(dir);
}

TEST(SeccompTest, CacheIgnoresWhatOthersCouldHaveWritten) {
  std::string dir = ::testing::TempDir() + "/seccomp-cache-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  std::string cache = dir + "/cache";
  LinuxSeccomp profile = DefaultSeccompProfile();
  auto direct = CompileSeccomp(profile);
  ASSERT_TRUE(direct.ok());
  ASSERT_TRUE(CompileSeccompCached(profile, cache).ok());
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(cache)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  // A valid-looking file that another user owns is not loaded: an allow-all program planted
  // there must not replace the filter.
  ASSERT_EQ(::chown(files[0].c_str(), 65534, 65534), 0);
  auto again = CompileSeccompCached(profile, cache);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(SameProgram(*direct, *again));
  struct stat st;
  ASSERT_EQ(::stat(files[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::geteuid()) << "a foreign file is replaced by our own program";
  // A directory others may write is not used at all.
  std::filesystem::remove_all(cache);
  ASSERT_EQ(::mkdir(cache.c_str(), 0777), 0);
  ASSERT_EQ(::chmod(cache.c_str(), 0777), 0);
  ASSERT_TRUE(CompileSeccompCached(profile, cache).ok());
  EXPECT_TRUE(std::filesystem::is_empty(cache));
  // Nor is a symlink to a directory.
  std::filesystem::remove_all(cache);
  std::string real = dir + "/real";
  ASSERT_EQ(::mkdir(real.c_str(), 0700), 0);
  ASSERT_EQ(::symlink(real.c_str(), cache.c_str()), 0);
  ASSERT_TRUE(CompileSeccompCached(profile, cache).ok());
  EXPECT_TRUE(std::filesystem::is_empty(real));
  std::filesystem::remove_all(dir);
}

TEST(SeccompTest, ProgramLongerThanTheKernelTakesIsRefused) {
  LinuxSeccomp p;
  p.default_action = "SCMP_ACT_ALLOW";
  for (uint64_t i = 0; i < 5000; ++i) {
    p.syscalls.push_back({{"ioctl"}, "SCMP_ACT_ERRNO", 1, {{1, 0x1000 + i, 0, "SCMP_CMP_EQ"}}});
  }
  auto program = CompileSeccomp(p);
  ASSERT_FALSE(program.ok());
  EXPECT_EQ(program.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(program.status().message().find("at most 4096"), std::string::npos) << program.status();
}

}  // namespace
}  // namespace mydocker
