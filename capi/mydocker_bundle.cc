// Containers from OCI bundles (1.8): mydocker-runc, started with posix_spawn for the commands that
// create processes or run hooks (create, start, delete), and the OCI runtime's own code in this
// process for those that only read or signal (state, kill). See mydocker.h.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "host/helper_spawn.h"
#include "internal.h"
#include "mydocker/fs_util.h"
#include "oci/runtime.h"
#include "rapidjson/document.h"

extern char** environ;

namespace mydocker::capi {
namespace {

constexpr char kDefaultRoot[] = "/run/mydocker-runc";  // mydocker-runc's own default
constexpr int kReportFdInChild = 3;

struct BundleOptions {
  mydocker_bundle_options_t o;
  std::string root;
  std::string runc;
};

absl::StatusOr<BundleOptions> Resolve(const mydocker_bundle_options_t* options) {
  BundleOptions b;
  mydocker_bundle_options_init(&b.o);
  if (options != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(b.o, CopySized(options, "mydocker_bundle_options_t"));
  }
  b.root = b.o.root != nullptr && *b.o.root != '\0' ? b.o.root : kDefaultRoot;
  if (b.root[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("mydocker_bundle_options_t.root ", b.root, " is not an absolute path"));
  }
  const char* env = std::getenv("MYDOCKER_RUNC");
  b.runc = b.o.runc_path != nullptr && *b.o.runc_path != '\0' ? b.o.runc_path
           : env != nullptr && *env != '\0'                   ? env
                                                              : MYDOCKER_RUNC_PATH;
  struct stat st;
  if (::stat(b.runc.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      ::access(b.runc.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("mydocker-runc ", b.runc,
                                            " is not an executable file: set MYDOCKER_RUNC or "
                                            "mydocker_bundle_options_t.runc_path"));
  }
  return b;
}

absl::Status RequireId(const char* id) {
  MYDOCKER_RETURN_IF_ERROR(Require(id, "id"));
  if (*id == '\0') return absl::InvalidArgumentError("id is empty");
  return absl::OkStatus();
}

// Runs `mydocker-runc --root ROOT ARGS...` with `stdio` and waits for it. Its failure comes back
// as the status it reported on a memfd (code and message), else as its exit status.
absl::Status RunRunc(const BundleOptions& b, const std::vector<std::string>& args,
                     const int stdio[3]) {
  UniqueFd report(::memfd_create("mydocker-runc-report", MFD_CLOEXEC));
  if (!report) return LastErrnoError("memfd_create");
  std::vector<std::string> argv = {b.runc, "--root", b.root};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string prefix = absl::StrCat(mydocker::oci::kRuncReportFdEnv, "=");
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
    if (errno != EINTR) return LastErrnoError(absl::StrCat("wait for ", b.runc));
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::pread(report.get(), buf, sizeof buf, static_cast<off_t>(text.size()))) > 0) {
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 65536) break;
  }
  size_t newline = text.find('\n');
  int code = 0;
  if (newline != std::string::npos && absl::SimpleAtoi(text.substr(0, newline), &code) &&
      code > 0 && code <= static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    return absl::Status(static_cast<absl::StatusCode>(code), text.substr(newline + 1));
  }
  return absl::UnknownError(absl::StrCat(
      b.runc, " ", args.empty() ? std::string() : args[0],
      WIFSIGNALED(status) ? absl::StrCat(" was killed by signal ", WTERMSIG(status))
                          : absl::StrCat(" exited with status ", WEXITSTATUS(status))));
}

const int kNoStdio[3] = {-1, -1, -1};

}  // namespace
}  // namespace mydocker::capi

using mydocker::capi::Guard;
using mydocker::capi::Require;
using mydocker::capi::RequireId;
using mydocker::capi::Resolve;
using mydocker::capi::RunRunc;

int mydocker_bundle_create(const mydocker_bundle_options_t* options, const char* bundle,
                           const char* id, int* pid, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(bundle, "bundle"));
    MYDOCKER_RETURN_IF_ERROR(RequireId(id));
    MYDOCKER_ASSIGN_OR_RETURN(auto b, Resolve(options));
    std::vector<std::string> args = {"create", "--bundle", bundle};
    if (b.o.pid_file != nullptr && *b.o.pid_file != '\0') {
      args.insert(args.end(), {"--pid-file", b.o.pid_file});
    }
    if (b.o.console_socket != nullptr && *b.o.console_socket != '\0') {
      args.insert(args.end(), {"--console-socket", b.o.console_socket});
    }
    args.push_back(id);
    const int stdio[3] = {b.o.stdio_set ? b.o.stdin_fd : -1, b.o.stdio_set ? b.o.stdout_fd : -1,
                          b.o.stdio_set ? b.o.stderr_fd : -1};
    MYDOCKER_RETURN_IF_ERROR(RunRunc(b, args, stdio));
    if (pid == nullptr) return absl::OkStatus();
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::oci::Runtime runtime, mydocker::oci::Runtime::Open(b.root));
    MYDOCKER_ASSIGN_OR_RETURN(std::string state, runtime.State(id));
    rapidjson::Document doc;
    doc.Parse(state.data(), state.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("pid") || !doc["pid"].IsInt()) {
      return absl::InternalError(absl::StrCat("the state of ", id, " has no pid"));
    }
    *pid = doc["pid"].GetInt();
    return absl::OkStatus();
  });
}

int mydocker_bundle_start(const mydocker_bundle_options_t* options, const char* id,
                          mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireId(id));
    MYDOCKER_ASSIGN_OR_RETURN(auto b, Resolve(options));
    return RunRunc(b, {"start", id}, mydocker::capi::kNoStdio);
  });
}

int mydocker_bundle_state(const mydocker_bundle_options_t* options, const char* id, char** json,
                          mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireId(id));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(auto b, Resolve(options));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::oci::Runtime runtime, mydocker::oci::Runtime::Open(b.root));
    MYDOCKER_ASSIGN_OR_RETURN(std::string state, runtime.State(id));
    *json = mydocker::capi::CopyString(state);
    return *json != nullptr ? absl::OkStatus() : absl::ResourceExhaustedError("out of memory");
  });
}

int mydocker_bundle_kill(const mydocker_bundle_options_t* options, const char* id, int signal,
                         mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireId(id));
    if (signal <= 0 || signal >= 65) {
      return absl::InvalidArgumentError(absl::StrCat("signal ", signal, " is not a signal"));
    }
    MYDOCKER_ASSIGN_OR_RETURN(auto b, Resolve(options));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::oci::Runtime runtime, mydocker::oci::Runtime::Open(b.root));
    return runtime.Kill(id, signal, /*all=*/false);
  });
}

int mydocker_bundle_delete(const mydocker_bundle_options_t* options, const char* id, int force,
                           mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireId(id));
    MYDOCKER_ASSIGN_OR_RETURN(auto b, Resolve(options));
    std::vector<std::string> args = {"delete"};
    if (force) args.push_back("--force");
    args.push_back(id);
    return RunRunc(b, args, mydocker::capi::kNoStdio);
  });
}
