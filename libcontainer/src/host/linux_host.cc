// The real host: pidfds, posix_spawn, /proc and umount2.
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "host/helper_spawn.h"
#include "host/host.h"
#include "host/pidfd.h"
#include "host/proc_stat.h"
#include "mydocker/capabilities.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "process/sealed_exe.h"

extern char** environ;

namespace mydocker {
namespace {

// uid from /proc/PID/status ("Uid:\treal\teffective...").
uint32_t StatusUid(const std::string& status) {
  uint32_t uid = 0;
  size_t at = status.find("\nUid:");
  if (at == std::string::npos) return uid;
  const std::string line = status.substr(at + 5, status.find('\n', at + 1) - at - 5);
  std::vector<absl::string_view> fields = absl::StrSplit(line, '\t', absl::SkipWhitespace());
  if (!fields.empty()) absl::SimpleAtoi(absl::StripAsciiWhitespace(fields[0]), &uid);
  return uid;
}

absl::StatusOr<ProcessInfo> ReadProcFiles(int pid) {
  MYDOCKER_ASSIGN_OR_RETURN(ProcStat stat, ReadProcStat(pid));
  ProcessInfo info;
  info.pid = pid;
  info.state = stat.state;
  info.ppid = stat.ppid;
  info.cpu_seconds =
      static_cast<double>(stat.utime + stat.stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  if (auto status = ReadFile(absl::StrCat("/proc/", pid, "/status")); status.ok()) {
    info.uid = StatusUid(*status);
  }
  auto cmdline = ReadFile(absl::StrCat("/proc/", pid, "/cmdline"));
  if (cmdline.ok() && !cmdline->empty()) {
    if (cmdline->back() == '\0') cmdline->pop_back();
    std::replace(cmdline->begin(), cmdline->end(), '\0', ' ');
    info.command = *cmdline;
  } else {
    info.command = absl::StrCat("[", stat.comm, "]");
  }
  return info;
}

class LinuxHost final : public Host {
 public:
  absl::StatusOr<UniqueFd> OpenProcess(const ProcessRef& ref) override { return OpenPidfd(ref); }
  bool WaitProcess(int handle, absl::Time deadline) override { return WaitPidfd(handle, deadline); }
  absl::Status SignalProcess(int handle, int signal) override {
    return SignalPidfd(handle, signal);
  }
  bool Alive(const ProcessRef& ref) override { return ref.Alive(); }
  absl::StatusOr<ProcessInfo> ReadProcess(int pid) override { return ReadProcFiles(pid); }

  absl::StatusOr<ChildProcess> Spawn(const SpawnRequest& request) override {
    std::vector<char*> env;
    for (const std::string& kv : request.env) env.push_back(const_cast<char*>(kv.c_str()));
    env.push_back(nullptr);
    std::vector<std::pair<int, int>> fds = request.fds;
    std::vector<std::string> argv = request.argv;
    std::string executable;
    UniqueFd exe;
    if (request.protect_executable) {
      // The child sees argv[0] as its own path (the monitor looks for mydocker-nft beside it):
      // /proc/self/exe, the CLI's way to name itself as its helper, would then be the copy's.
      char real[PATH_MAX];
      const char* what = "";
      exe.reset(
          mydocker_protected_exe(argv[0].c_str(), request.protect_lower.c_str(), real, &what));
      if (!exe) return LastErrnoError(absl::StrCat(what, " ", argv[0]));
      if (real[0] != '\0') argv[0] = real;
      int number = 3;
      for (const auto& [from, to] : fds) number = std::max(number, to + 1);
      fds.emplace_back(exe.get(), number);
      executable = absl::StrCat("/proc/self/fd/", number);
    }
    MYDOCKER_ASSIGN_OR_RETURN(pid_t pid,
                              SpawnInNewSession(argv, request.inherit_env ? environ : env.data(),
                                                request.stdio, fds, executable));
    // Our child cannot be reaped by anyone else, so the pidfd names it for sure.
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    return ChildProcess(this, pid, std::move(pidfd));
  }

  absl::StatusOr<int> Reap(pid_t pid) override {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return LastErrnoError(absl::StrCat("waitpid ", pid));
    }
    return status;
  }

  absl::Status CheckExecutable(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return LastErrnoError(path);
    if (!S_ISREG(st.st_mode)) return absl::FailedPreconditionError(path + " is not a file");
    if (::access(path.c_str(), X_OK) != 0) return LastErrnoError(path);
    return absl::OkStatus();
  }

  absl::Status UnmountIfMounted(const std::string& path) override {
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
      return LastErrnoError(absl::StrCat("unmount ", path));
    }
    return absl::OkStatus();
  }

  KernelFeatures ProbeKernel() override { return ProbeRunningKernel(); }
  uint64_t EffectiveCapabilities() override { return mydocker::EffectiveCapabilities(); }

  absl::Time Now() override { return absl::Now(); }
  ProcessRef Self() override { return DescribeProcess(::getpid()); }
};

}  // namespace

Host& RealHost() {
  static Host* const host = new LinuxHost();
  return *host;
}

}  // namespace mydocker
