// Driving mydocker-runc from a library (see client.h).
#include "oci/client.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "host/helper_spawn.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

extern char** environ;

namespace mydocker::oci {
namespace {

constexpr int kReportFdInChild = 3;

// The report's first line: "CODE" or "CODE EXIT" (see kRuncReportFdEnv).
bool ParseHead(absl::string_view head, int* code, int* exit_code) {
  std::vector<absl::string_view> parts = absl::StrSplit(head, ' ');
  if (parts.size() > 2 || !absl::SimpleAtoi(parts[0], code) || *code < 0 ||
      *code > static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    return false;
  }
  *exit_code = -1;
  return parts.size() == 1 || (absl::SimpleAtoi(parts[1], exit_code) && *exit_code >= 0);
}

std::string ReadReport(int fd) {
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(text.size()))) > 0) {
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 65536) break;
  }
  return text;
}

}  // namespace

absl::StatusOr<RuncClient> MakeRuncClient(const std::string& root, const std::string& runc,
                                          const std::string& installed,
                                          absl::string_view root_setting,
                                          absl::string_view runc_setting) {
  RuncClient c;
  c.root = root.empty() ? kDefaultRuncRoot : root;
  if (c.root[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat(root_setting, " ", c.root, " is not an absolute path"));
  }
  const char* env = std::getenv("MYDOCKER_RUNC");
  c.runc = !runc.empty() ? runc : env != nullptr && *env != '\0' ? env : installed;
  struct stat st;
  if (::stat(c.runc.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      ::access(c.runc.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("mydocker-runc ", c.runc,
                                            " is not an executable file: set MYDOCKER_RUNC or ",
                                            runc_setting));
  }
  return c;
}

absl::StatusOr<RuncOutcome> RunRunc(const RuncClient& client, const std::vector<std::string>& args,
                                    const int stdio[3], bool process_exit) {
  UniqueFd report(::memfd_create("mydocker-runc-report", MFD_CLOEXEC));
  if (!report) return LastErrnoError("memfd_create");
  std::vector<std::string> argv = {client.runc, "--root", client.root};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string prefix = absl::StrCat(kRuncReportFdEnv, "=");
  const std::string variable = absl::StrCat(prefix, kReportFdInChild);
  std::vector<char*> envp;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, prefix.c_str(), prefix.size()) != 0) envp.push_back(*e);
  }
  envp.push_back(const_cast<char*>(variable.c_str()));
  envp.push_back(nullptr);
  MYDOCKER_ASSIGN_OR_RETURN(
      pid_t pid, SpawnInNewSession(argv, envp.data(), stdio, {{report.get(), kReportFdInChild}}));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return LastErrnoError(absl::StrCat("wait for ", client.runc));
  }
  const std::string text = ReadReport(report.get());
  const size_t newline = text.find('\n');
  int code = -1, exit_code = -1;
  const bool parsed = newline != std::string::npos &&
                      ParseHead(absl::string_view(text).substr(0, newline), &code, &exit_code);
  RuncOutcome outcome;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    if (parsed && code == 0) outcome.reported = text.substr(newline + 1);
    return outcome;
  }
  if (parsed && code == static_cast<int>(absl::StatusCode::kCancelled) && process_exit &&
      WIFEXITED(status)) {
    outcome.exit_code = exit_code >= 0 ? exit_code : WEXITSTATUS(status);
    return outcome;
  }
  if (parsed && code > 0) {
    absl::Status failed(static_cast<absl::StatusCode>(code), text.substr(newline + 1));
    return exit_code >= 0 && exit_code != 125 ? WithExitCode(failed, exit_code) : failed;
  }
  return absl::UnknownError(absl::StrCat(
      client.runc, " ", args.empty() ? std::string() : args[0],
      WIFSIGNALED(status) ? absl::StrCat(" was killed by signal ", WTERMSIG(status))
                          : absl::StrCat(" exited with status ", WEXITSTATUS(status))));
}

absl::StatusOr<ClientExecResult> ExecInBundle(const RuncClient& client, const std::string& id,
                                              const ExecArgs& args, const int stdio[3]) {
  if (args.args.empty() || args.args[0].empty()) {
    return absl::InvalidArgumentError("exec needs a command");
  }
  for (const std::string& kv : args.env) {
    if (kv.find('=') == std::string::npos || kv[0] == '=') {
      return absl::InvalidArgumentError(absl::StrCat("env \"", kv, "\": expected KEY=VALUE"));
    }
  }
  if (!args.cwd.empty() && args.cwd[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("the working directory \"", args.cwd, "\" must be an absolute path"));
  }
  if (args.tty && args.console_socket.empty()) {
    return absl::InvalidArgumentError(
        "a terminal needs a console socket (the unix socket that receives the pty's master)");
  }
  if (!args.tty && !args.console_socket.empty()) {
    return absl::InvalidArgumentError("a console socket is only for a terminal (tty)");
  }
  std::vector<std::string> argv = {"exec"};
  if (args.detach) argv.push_back("--detach");
  if (args.tty) argv.insert(argv.end(), {"--tty", "--console-socket", args.console_socket});
  if (!args.cwd.empty()) argv.insert(argv.end(), {"--cwd", args.cwd});
  for (const std::string& kv : args.env) argv.insert(argv.end(), {"--env", kv});
  if (!args.user.empty()) argv.insert(argv.end(), {"--user", args.user});
  for (uint32_t gid : args.additional_gids) {
    argv.insert(argv.end(), {"--additional-gids", absl::StrCat(gid)});
  }
  argv.push_back("--");
  argv.push_back(id);
  argv.insert(argv.end(), args.args.begin(), args.args.end());
  MYDOCKER_ASSIGN_OR_RETURN(RuncOutcome outcome,
                            RunRunc(client, argv, stdio, /*process_exit=*/!args.detach));
  ClientExecResult result;
  result.exit_code = outcome.exit_code;
  if (args.detach && !absl::SimpleAtoi(outcome.reported, &result.pid)) {
    return absl::InternalError(
        absl::StrCat(client.runc, " exec --detach did not report the process's pid"));
  }
  return result;
}

}  // namespace mydocker::oci
