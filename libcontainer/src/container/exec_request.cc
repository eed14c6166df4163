#include "container/exec_request.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "in_root.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "nsenter/nsenter.h"
#include "process/init_plan.h"
#include "process/protocol.h"
#include "process/sealed_exe.h"
#include "security/seccomp.h"
#include "user_lookup.h"

namespace mydocker {
namespace {

// Reads a file of the container through its root, resolving every symlink inside that root: an
// absolute link planted in the image must not lead to the host's files.
absl::StatusOr<std::string> ReadInContainer(int pid, const std::string& path) {
  UniqueFd root(
      ::open(absl::StrCat("/proc/", pid, "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return LastErrnoError("open the container's root");
  return ReadInRoot(root.get(), path, 1u << 20);
}

// The environment of the container's process (as the tutorial does), with `extra` on top.
std::vector<std::string> ExecEnv(int pid, const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  auto environ = ReadFile(absl::StrCat("/proc/", pid, "/environ"));
  if (environ.ok()) {
    for (absl::string_view kv : absl::StrSplit(*environ, '\0', absl::SkipEmpty())) {
      env.emplace_back(kv);
    }
  }
  for (const std::string& kv : extra) {
    std::string key = kv.substr(0, kv.find('='));
    std::erase_if(env, [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
    env.push_back(kv);
  }
  return env;
}

}  // namespace

void AddExecToken(std::string* out, absl::string_view key, absl::string_view value) {
  absl::StrAppend(out, key, "=", value);
  out->push_back('\0');
}

namespace {

// Capabilities, no_new_privs and seccomp, as the container's init has them (or as `extras` say).
absl::Status AddPrivileges(std::string& p, const ContainerConfig& config,
                           const std::string& seccomp_cache_dir, const ExecRequestExtras& extras) {
  std::optional<uint64_t> caps;
  if (extras.capabilities.has_value()) {
    caps = extras.capabilities->bounding;
  } else if (config.process.capabilities) {
    MYDOCKER_ASSIGN_OR_RETURN(caps, process::CapabilityMask(*config.process.capabilities));
  }
  // As for init (PlanRootMove): on an initramfs host nothing in the container may chroot.
  MYDOCKER_ASSIGN_OR_RETURN(bool initramfs, process::HostRootIsInitramfs());
  if (initramfs) caps = process::WithoutChroot(caps.value_or(process::AllCapabilities()));
  if (caps.has_value()) {
    AddExecToken(&p, "caps", absl::StrCat(absl::Hex(*caps)));
    AddExecToken(&p, "lastcap", absl::StrCat(process::LastCapability()));
  }
  if (const auto& sets = extras.capabilities) {
    AddExecToken(&p, "capsets",
                 absl::StrCat(absl::Hex(sets->effective), ":", absl::Hex(sets->permitted), ":",
                              absl::Hex(sets->inheritable), ":", absl::Hex(sets->ambient)));
  }
  if (config.process.no_new_privileges) AddExecToken(&p, "nnp", "1");
  if (config.linux_spec.seccomp.has_value()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<sock_filter> filter,
                              CompileSeccompCached(*config.linux_spec.seccomp, seccomp_cache_dir));
    AddExecToken(
        &p, "seccomp",
        absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(filter.data()),
                                                 filter.size() * sizeof(sock_filter))));
  }
  return absl::OkStatus();
}

void AddTerminal(std::string& p, const ExecOptions& options) {
  if (!options.tty) return;
  AddExecToken(&p, "tty", "1");
  if (options.console_size) {
    AddExecToken(&p, "rows", absl::StrCat(options.console_size->height));
    AddExecToken(&p, "cols", absl::StrCat(options.console_size->width));
  }
}

void AddCommand(std::string& p, const std::vector<std::string>& env, const ExecOptions& options,
                const std::string& executable) {
  for (const std::string& kv : env) AddExecToken(&p, "env", kv);
  for (const std::string& path : executable.empty() ? process::ExecCandidates(options.args[0], env)
                                                    : std::vector<std::string>{executable}) {
    AddExecToken(&p, "path", path);
  }
  for (const std::string& a : options.args) AddExecToken(&p, "arg", a);
  AddExecToken(&p, "name", options.args[0]);
}

}  // namespace

absl::StatusOr<ExecRequest> BuildExecRequest(
    const ContainerState& state, const ContainerConfig& config,
    const std::string& seccomp_cache_dir, const std::vector<std::string>& join_files,
    const std::string& clone_into, const ExecOptions& options, const ExecRequestExtras& extras) {
  const int pid = state.init.pid;
  UserSpec user = config.process.user;
  if (!options.user.empty()) {
    auto read = [pid](const std::string& path) { return ReadInContainer(pid, path); };
    MYDOCKER_RETURN_IF_ERROR(ResolveUser(options.user, read, &user));
  }
  ExecRequest r;
  r.detach = options.detach;
  std::string& p = r.payload;
  for (const std::string& file : join_files) AddExecToken(&p, "cgroup", file);
  if (!clone_into.empty()) AddExecToken(&p, "cgroupdir", clone_into);
  AddExecToken(&p, "ns",
               absl::StrCat(absl::Hex(process::NamespaceFlags(config.linux_spec.namespaces))));
  if (!extras.root.empty()) AddExecToken(&p, "root", extras.root);
  AddExecToken(&p, "cwd", options.workdir.empty() ? config.process.cwd : options.workdir);
  AddExecToken(&p, "uid", absl::StrCat(user.uid));
  AddExecToken(&p, "gid", absl::StrCat(user.gid));
  for (uint32_t g : user.additional_gids) AddExecToken(&p, "group", absl::StrCat(g));
  if (user.umask) AddExecToken(&p, "umask", absl::StrFormat("%o", *user.umask));
  if (config.process.oom_score_adj) {
    AddExecToken(&p, "oomscoreadj", absl::StrCat(*config.process.oom_score_adj));
  }
  MYDOCKER_RETURN_IF_ERROR(AddPrivileges(p, config, seccomp_cache_dir, extras));
  AddTerminal(p, options);
  if (options.detach) AddExecToken(&p, "detach", "1");
  for (const Rlimit& l : config.process.rlimits) {
    AddExecToken(&p, "rlimit", absl::StrCat(l.resource, ":", l.soft, ":", l.hard));
  }
  if (extras.report_pid) AddExecToken(&p, "sendpid", "1");
  AddCommand(p, extras.env.has_value() ? *extras.env : ExecEnv(pid, options.env), options,
             extras.executable);
  return r;
}

// Starts the helper with the nsenter variable set. Its environment holds nothing else: the
// command's environment travels in the request. Its own session: a Ctrl-C typed at the caller's
// terminal reaches the command once, through the caller's forwarding, not a second time through
// the terminal's process group.
absl::StatusOr<ChildProcess> SpawnExecHelper(Host& host, const std::string& helper, int sock,
                                             int pidfd, const int stdio[3],
                                             const std::string& seal_lower, unsigned preserve_fds,
                                             const std::vector<int>& pass) {
  if (!pass.empty()) preserve_fds = static_cast<unsigned>(pass.size());
  SpawnRequest spawn;
  spawn.argv = {helper, "__nsenter"};
  std::copy(stdio, stdio + 3, spawn.stdio);
  spawn.fds = {{sock, MYDOCKER_NSENTER_SOCKET_FD}, {pidfd, MYDOCKER_NSENTER_PIDFD_FD}};
  for (unsigned i = 0; i < preserve_fds; ++i) {
    const int fd = pass.empty() ? static_cast<int>(3 + i) : pass[i];
    spawn.fds.emplace_back(fd, MYDOCKER_NSENTER_PIDFD_FD + 1 + static_cast<int>(i));
  }
  spawn.env = {absl::StrCat(MYDOCKER_NSENTER_ENV, "=", MYDOCKER_NSENTER_SOCKET_FD)};
  if (preserve_fds > 0) absl::StrAppend(&spawn.env[0], ":", preserve_fds);
  if (!seal_lower.empty()) {
    spawn.env.push_back(absl::StrCat(MYDOCKER_SEAL_LOWER_ENV, "=", seal_lower));
  }
  // Started through a protected copy, the stub need not make one and execute itself again. It
  // gets it as the first descriptor it closes on entry. Without `seal_lower` (no state root:
  // mydocker-runc) the view's second layer is an empty tmpfs mounted nowhere.
  spawn.protect_executable = true;
  spawn.protect_lower = seal_lower;
  spawn.inherit_env = false;
  // Without a pidfd (none from the kernel) the relay asks waitid when the helper ended.
  return host.Spawn(spawn);
}

std::string SealLowerDir(const std::string& state_root) {
  const std::string cache = state_root + "/cache";
  std::string dir = cache + "/empty";
  if (::mkdir(dir.c_str(), 0500) == 0 || errno == EEXIST) return dir;
  if (errno == ENOENT && ::mkdir(cache.c_str(), 0700) == 0 && ::mkdir(dir.c_str(), 0500) == 0) {
    return dir;
  }
  return "";
}

absl::Status AwaitExecReports(int sock, const std::function<absl::Status(UniqueFd)>& on_terminal,
                              pid_t* pid) {
  bool ready = false;
  for (;;) {
    MYDOCKER_ASSIGN_OR_RETURN(process::ExecReport report, process::ReceiveExecReport(sock));
    switch (report.kind) {
      case process::ExecReport::kTerminal:
        MYDOCKER_RETURN_IF_ERROR(on_terminal(std::move(report.terminal)));
        continue;
      case process::ExecReport::kPid:
        if (pid != nullptr) *pid = report.pid;
        continue;
      case process::ExecReport::kReady:
        ready = true;
        continue;
      case process::ExecReport::kError:
        return process::StartFailure(report.error.exit_code,
                                     process::DescribeInitError(report.error));
      case process::ExecReport::kCreated:  // only an OCI-mode init sends it
      case process::ExecReport::kClosed:
        break;
    }
    break;
  }
  if (!ready || (pid != nullptr && *pid <= 0)) {
    return absl::InternalError("exec helper ended before running the command");
  }
  return absl::OkStatus();
}

absl::Status SendExecRequest(int sock, const std::string& payload) {
  // Packets of at most 32 KiB, which the stub reads whole; then end of stream.
  for (size_t off = 0; off < payload.size(); off += 32768) {
    size_t n = std::min<size_t>(32768, payload.size() - off);
    if (::send(sock, payload.data() + off, n, MSG_NOSIGNAL) != static_cast<ssize_t>(n)) {
      return LastErrnoError("send exec request");
    }
  }
  ::shutdown(sock, SHUT_WR);
  return absl::OkStatus();
}

}  // namespace mydocker
