// Containers from OCI bundles (1.8, exec since 1.10, pause, resume, ps and stats since 1.11):
// mydocker-runc, started with posix_spawn for the commands that create processes or run hooks
// (create, start, delete, exec: oci/client.h), and the OCI runtime's own code in this process
// for those that only read, signal or freeze (state, kill, pause, resume, ps, stats). See
// mydocker.h.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "internal.h"
#include "oci/client.h"
#include "oci/runtime.h"
#include "rapidjson/document.h"

namespace mydocker::capi {
namespace {

struct BundleOptions {
  mydocker_bundle_options_t o;
  mydocker::oci::RuncClient client;
};

absl::StatusOr<BundleOptions> Resolve(const mydocker_bundle_options_t* options) {
  BundleOptions b;
  mydocker_bundle_options_init(&b.o);
  if (options != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(b.o, CopySized(options, "mydocker_bundle_options_t"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(
      b.client, mydocker::oci::MakeRuncClient(b.o.root != nullptr ? b.o.root : "",
                                              b.o.runc_path != nullptr ? b.o.runc_path : "",
                                              MYDOCKER_RUNC_PATH, "mydocker_bundle_options_t.root",
                                              "mydocker_bundle_options_t.runc_path"));
  return b;
}

absl::Status RequireId(const char* id) {
  MYDOCKER_RETURN_IF_ERROR(Require(id, "id"));
  if (*id == '\0') return absl::InvalidArgumentError("id is empty");
  return absl::OkStatus();
}

absl::Status RunRunc(const BundleOptions& b, const std::vector<std::string>& args,
                     const int stdio[3]) {
  return mydocker::oci::RunRunc(b.client, args, stdio).status();
}

const int kNoStdio[3] = {-1, -1, -1};

// `fn` on the OCI runtime of `options`' state directory, for container `id`; `arguments` says
// whether the call's other arguments are fine (checked before mydocker-runc's path).
template <typename Fn>
int WithRuntime(const mydocker_bundle_options_t* options, const char* id,
                const absl::Status& arguments, mydocker_error_t** errptr, Fn fn) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireId(id));
    MYDOCKER_RETURN_IF_ERROR(arguments);
    MYDOCKER_ASSIGN_OR_RETURN(auto b, Resolve(options));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::oci::Runtime runtime,
                              mydocker::oci::Runtime::Open(b.client.root));
    return fn(runtime);
  });
}

absl::Status ReturnJson(const std::string& text, char** json) {
  *json = mydocker::capi::CopyString(text);
  return *json != nullptr ? absl::OkStatus() : absl::ResourceExhaustedError("out of memory");
}

}  // namespace
}  // namespace mydocker::capi

using mydocker::capi::Guard;
using mydocker::capi::Require;
using mydocker::capi::RequireId;
using mydocker::capi::Resolve;
using mydocker::capi::ReturnJson;
using mydocker::capi::RunRunc;
using mydocker::capi::WithRuntime;

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
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::oci::Runtime runtime,
                              mydocker::oci::Runtime::Open(b.client.root));
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
  return WithRuntime(options, id, Require(json, "json out-parameter"), errptr,
                     [&](mydocker::oci::Runtime& runtime) -> absl::Status {
                       MYDOCKER_ASSIGN_OR_RETURN(std::string state, runtime.State(id));
                       return ReturnJson(state, json);
                     });
}

int mydocker_bundle_kill(const mydocker_bundle_options_t* options, const char* id, int signal,
                         mydocker_error_t** errptr) {
  const absl::Status arguments =
      signal <= 0 || signal >= 65
          ? absl::InvalidArgumentError(absl::StrCat("signal ", signal, " is not a signal"))
          : absl::OkStatus();
  return WithRuntime(options, id, arguments, errptr, [&](mydocker::oci::Runtime& runtime) {
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

int mydocker_bundle_exec(const mydocker_bundle_options_t* options, const char* id,
                         const mydocker_bundle_exec_options_t* exec_options, int* exit_code,
                         int* pid, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(RequireId(id));
    MYDOCKER_RETURN_IF_ERROR(Require(exec_options, "exec_options"));
    MYDOCKER_ASSIGN_OR_RETURN(
        mydocker_bundle_exec_options_t e,
        mydocker::capi::CopySized(exec_options, "mydocker_bundle_exec_options_t"));
    MYDOCKER_RETURN_IF_ERROR(Require(e.args, "mydocker_bundle_exec_options_t.args"));
    mydocker::oci::ExecArgs args;
    args.args = mydocker::capi::Strings(e.args);
    args.env = mydocker::capi::Strings(e.env);
    if (e.cwd != nullptr) args.cwd = e.cwd;
    if (e.user != nullptr) args.user = e.user;
    args.detach = e.detach != 0;
    args.tty = e.tty != 0;
    if (e.console_socket != nullptr) args.console_socket = e.console_socket;
    if (e.user != nullptr && *e.user == '\0') {
      return absl::InvalidArgumentError("mydocker_bundle_exec_options_t.user is empty");
    }
    MYDOCKER_ASSIGN_OR_RETURN(auto b, Resolve(options));
    const int stdio[3] = {e.stdio_set ? e.stdin_fd : -1, e.stdio_set ? e.stdout_fd : -1,
                          e.stdio_set ? e.stderr_fd : -1};
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::oci::ClientExecResult result,
                              mydocker::oci::ExecInBundle(b.client, id, args, stdio));
    if (exit_code != nullptr && !args.detach) *exit_code = result.exit_code;
    if (pid != nullptr && args.detach) *pid = result.pid;
    return absl::OkStatus();
  });
}

int mydocker_bundle_pause(const mydocker_bundle_options_t* options, const char* id,
                          mydocker_error_t** errptr) {
  return WithRuntime(options, id, absl::OkStatus(), errptr,
                     [&](mydocker::oci::Runtime& runtime) { return runtime.Pause(id, true); });
}

int mydocker_bundle_resume(const mydocker_bundle_options_t* options, const char* id,
                           mydocker_error_t** errptr) {
  return WithRuntime(options, id, absl::OkStatus(), errptr,
                     [&](mydocker::oci::Runtime& runtime) { return runtime.Pause(id, false); });
}

int mydocker_bundle_ps(const mydocker_bundle_options_t* options, const char* id, char** json,
                       mydocker_error_t** errptr) {
  return WithRuntime(options, id, Require(json, "json out-parameter"), errptr,
                     [&](mydocker::oci::Runtime& runtime) -> absl::Status {
                       MYDOCKER_ASSIGN_OR_RETURN(std::vector<pid_t> pids, runtime.Pids(id));
                       std::string text = "[";
                       for (size_t i = 0; i < pids.size(); ++i)
                         absl::StrAppend(&text, i ? "," : "", pids[i]);
                       return ReturnJson(text + "]", json);
                     });
}

int mydocker_bundle_stats(const mydocker_bundle_options_t* options, const char* id, char** json,
                          mydocker_error_t** errptr) {
  return WithRuntime(options, id, Require(json, "json out-parameter"), errptr,
                     [&](mydocker::oci::Runtime& runtime) -> absl::Status {
                       MYDOCKER_ASSIGN_OR_RETURN(std::string event, runtime.StatsEvent(id));
                       return ReturnJson(event, json);
                     });
}
