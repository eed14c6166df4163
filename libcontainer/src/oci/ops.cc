// start, state, kill, delete, pause/resume, ps, list and the hooks of the OCI runtime mode.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "host/pidfd.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "oci/runtime.h"

extern char** environ;

namespace mydocker::oci {
namespace {

constexpr absl::Duration kKillWait = absl::Seconds(10);

// Runs one hook with the state on its stdin; waits for it (at most its timeout).
absl::Status RunHook(const Hook& hook, const std::string& state) {
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  UniqueFd read_end(in[0]), write_end(in[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, read_end.get(), 0);
  std::vector<std::string> args =
      hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = hook.env;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  int err = ::posix_spawn(&pid, hook.path.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) return ErrnoError(err, "run hook " + hook.path);
  read_end.reset();
  (void)WriteAll(write_end.get(), state,
                 "hook stdin");  // a hook that does not read its stdin is fine
  write_end.reset();
  const absl::Time deadline =
      hook.timeout ? absl::Now() + absl::Seconds(*hook.timeout) : absl::InfiniteFuture();
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return LastErrnoError("wait for hook " + hook.path);
    if (absl::Now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return absl::DeadlineExceededError(absl::StrCat("hook ", hook.path, " timed out"));
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(
        absl::StrCat("hook ", hook.path, " failed (wait status ", status, ")"));
  }
  return absl::OkStatus();
}

constexpr absl::Duration kExecWait = absl::Seconds(5);

std::string ExeOf(const std::string& proc_dir) {
  char buf[4096];
  ssize_t n = ::readlink((proc_dir + "/exe").c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Until init has executed the user's program (its executable is no longer this runtime's) or
// ended: poststart hooks run after the program started, and `state` then sees it.
void AwaitExec(const ProcessRef& init) {
  const std::string self = ExeOf("/proc/self");
  const std::string proc = absl::StrCat("/proc/", init.pid);
  const absl::Time deadline = absl::Now() + kExecWait;
  while (absl::Now() < deadline && init.Alive() && ExeOf(proc) == self) {
    absl::SleepFor(absl::Microseconds(200));
  }
}

void Warn(const absl::Status& status) {
  if (status.ok()) return;
  std::string line = absl::StrCat("mydocker-runc: warning: ", status.message(), "\n");
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace

absl::Status DestroyCgroup(CgroupManager& cgroups, const std::string& path) {
  MYDOCKER_RETURN_IF_ERROR(cgroups.Destroy(path));
  constexpr absl::string_view kParent = "mydocker-runc";
  if (!absl::StartsWith(path, absl::StrCat(kParent, "/"))) return absl::OkStatus();
  absl::StatusOr<std::vector<std::string>> files = cgroups.JoinFiles(std::string(kParent));
  if (!files.ok()) return absl::OkStatus();
  for (const std::string& file : *files) {
    ::rmdir(file.substr(0, file.rfind('/')).c_str());  // EBUSY/ENOTEMPTY: still in use
  }
  return absl::OkStatus();
}

absl::StatusOr<Runtime> Runtime::Open(const std::string& root) {
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(root, 0700));
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<CgroupManager> cgroups, CgroupManager::Detect());
  return Runtime(root, std::move(cgroups));
}

absl::StatusOr<Record> Runtime::Load(const std::string& id) const {
  MYDOCKER_RETURN_IF_ERROR(ValidateId(id));
  absl::StatusOr<std::string> text = ReadFile(Dir(id) + "/state.json");
  if (!text.ok()) {
    return absl::NotFoundError(absl::StrCat("container ", id, " does not exist"));
  }
  return RecordFromJson(*text);
}

absl::StatusOr<Hooks> Runtime::LoadHooks(const std::string& id) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::string text, ReadFile(Dir(id) + "/config.json"));
  return ParseHooks(text);
}

Status Runtime::StatusOf(const Record& record) const {
  if (!record.init.Alive()) return Status::kStopped;
  if (PathExists(Dir(record.id) + "/" + kExecFifo)) return Status::kCreated;
  absl::StatusOr<bool> frozen = cgroups_->IsFrozen(record.cgroup_path);
  return frozen.ok() && *frozen ? Status::kPaused : Status::kRunning;
}

absl::Status Runtime::RunHooks(const std::vector<Hook>& hooks, const Record& record, Status status,
                               const char* what, bool warn_only, HookPlace place) const {
  const std::string state = StateJson(record, status);
  for (const Hook& hook : hooks) {
    absl::Status s =
        place == HookPlace::kRuntime
            ? RunHook(hook, state)
            : RunHookInContainer(hook, record, state, place == HookPlace::kContainerRuntimePath);
    if (s.ok()) continue;
    s = Annotate(s, absl::StrCat(what, " hook"));
    if (!warn_only) return s;
    Warn(s);  // poststart, poststop: the others and the lifecycle go on
  }
  return absl::OkStatus();
}

absl::Status Runtime::Start(const std::string& id) {
  MYDOCKER_ASSIGN_OR_RETURN(Record record, Load(id));
  Status status = StatusOf(record);
  if (status != Status::kCreated) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot start a container that is ", StatusName(status)));
  }
  MYDOCKER_ASSIGN_OR_RETURN(Hooks hooks, LoadHooks(id));
  // prestart as runtime-spec 1.0.2 (the version this runtime reports) places it: after `start`
  // is called, before the user's program.
  absl::Status hooked = RunHooks(hooks.prestart, record, Status::kCreated, "prestart");
  if (hooked.ok()) {
    hooked = RunHooks(hooks.start_container, record, Status::kCreated, "startContainer",
                      /*warn_only=*/false, HookPlace::kContainer);
  }
  if (!hooked.ok()) {  // the container is stopped and destroyed (the spec's lifecycle step 9)
    Warn(Delete(id, /*force=*/true));
    return hooked;
  }
  const std::string fifo = Dir(id) + "/" + kExecFifo;
  UniqueFd fd(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return LastErrnoError("open " + fifo + " (has the container's init ended?)");
  MYDOCKER_RETURN_IF_ERROR(WriteAll(fd.get(), "0", fifo));
  ::unlink(fifo.c_str());
  AwaitExec(record.init);
  (void)RunHooks(hooks.poststart, record, Status::kRunning, "poststart", /*warn_only=*/true);
  return absl::OkStatus();
}

absl::StatusOr<std::string> Runtime::State(const std::string& id) {
  MYDOCKER_ASSIGN_OR_RETURN(Record record, Load(id));
  return StateJson(record, StatusOf(record));
}

absl::Status Runtime::Kill(const std::string& id, int signal, bool all) {
  MYDOCKER_ASSIGN_OR_RETURN(Record record, Load(id));
  if (StatusOf(record) == Status::kStopped && !all) {
    return absl::FailedPreconditionError(absl::StrCat("container ", id, " is not running"));
  }
  if (all) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<pid_t> pids, cgroups_->Pids(record.cgroup_path));
    for (pid_t pid : pids) ::kill(pid, signal);
    return absl::OkStatus();
  }
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd handle, OpenPidfd(record.init));
  return SignalPidfd(handle.get(), signal);
}

absl::Status Runtime::Release(const Record& record) {
  MYDOCKER_RETURN_IF_ERROR(CheckSharedRootNamespace(record));
  if (record.init.Alive()) {
    absl::StatusOr<UniqueFd> handle = OpenPidfd(record.init);
    if (handle.ok()) {
      (void)cgroups_->Freeze(record.cgroup_path, false);
      (void)SignalPidfd(handle->get(), SIGKILL);
      if (!WaitPidfd(handle->get(), absl::Now() + kKillWait)) {
        return absl::DeadlineExceededError("container init did not end after SIGKILL");
      }
    }
  }
  MYDOCKER_RETURN_IF_ERROR(DestroyCgroup(*cgroups_, record.cgroup_path));
  return DetachSharedRoot(record);
}

absl::Status Runtime::Delete(const std::string& id, bool force) {
  absl::StatusOr<Record> record = Load(id);
  if (!record.ok()) {
    // A directory without a record: a create that died half-way. Nothing runs from it.
    if (ValidateId(id).ok() && PathExists(Dir(id))) return RemoveAll(Dir(id));
    return record.status();
  }
  Status status = StatusOf(*record);
  if (status != Status::kStopped && !force) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot delete container ", id, " that is not stopped: ", StatusName(status)));
  }
  MYDOCKER_RETURN_IF_ERROR(Release(*record));
  absl::StatusOr<Hooks> hooks = LoadHooks(id);
  if (hooks.ok()) {
    (void)RunHooks(hooks->poststop, *record, Status::kStopped, "poststop", /*warn_only=*/true);
  }
  return RemoveAll(Dir(id));
}

absl::Status Runtime::Pause(const std::string& id, bool pause) {
  MYDOCKER_ASSIGN_OR_RETURN(Record record, Load(id));
  Status status = StatusOf(record);
  if (status != (pause ? Status::kRunning : Status::kPaused)) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", id, " is ", StatusName(status)));
  }
  return cgroups_->Freeze(record.cgroup_path, pause);
}

absl::StatusOr<std::vector<pid_t>> Runtime::Pids(const std::string& id) {
  MYDOCKER_ASSIGN_OR_RETURN(Record record, Load(id));
  return cgroups_->Pids(record.cgroup_path);
}

absl::Status Runtime::Update(const std::string& id, const LinuxResources& resources) {
  MYDOCKER_ASSIGN_OR_RETURN(Record record, Load(id));
  if (StatusOf(record) == Status::kStopped) {
    return absl::FailedPreconditionError(absl::StrCat("container ", id, " is not running"));
  }
  MYDOCKER_RETURN_IF_ERROR(cgroups_->Validate(resources));
  return cgroups_->Update(record.cgroup_path, resources);
}

absl::StatusOr<std::string> Runtime::StatsEvent(const std::string& id) {
  MYDOCKER_ASSIGN_OR_RETURN(Record record, Load(id));
  if (StatusOf(record) == Status::kStopped) {
    return absl::FailedPreconditionError(absl::StrCat("container ", id, " is not running"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(CgroupStats stats, cgroups_->Stats(record.cgroup_path));
  return StatsJson(id, stats);
}

absl::StatusOr<std::vector<std::pair<Record, Status>>> Runtime::List() {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(root_));
  std::vector<std::pair<Record, Status>> out;
  for (const std::string& name : names) {
    absl::StatusOr<Record> record = Load(name);
    if (record.ok()) out.emplace_back(*record, StatusOf(*record));
  }
  return out;
}

}  // namespace mydocker::oci
