#include "mydocker/container.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <poll.h>
#include <sys/inotify.h>

#include <algorithm>
#include <csignal>
#include <deque>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "cleanup.h"
#include "pidfd.h"
#include "helper_spawn.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "process/monitor.h"
#include "process/protocol.h"

extern char** environ;

namespace mydocker {
namespace {

using process::ControlType;

}  // namespace

absl::Status Attachment::Signal(int signal) {
  return process::SendControl(control_.get(),
                              process::MakeControl(ControlType::kSignal, signal));
}

absl::Status Attachment::Resize(const ConsoleSize& size) {
  return process::SendControl(
      control_.get(), process::MakeControl(ControlType::kResize, size.height, size.width));
}

absl::StatusOr<int> Attachment::Wait() {
  for (;;) {
    auto msg = process::ReceiveControl(control_.get());
    if (!msg.ok()) {
      if (absl::IsNotFound(msg.status())) {
        return absl::UnavailableError("the container's monitor ended without reporting an exit code");
      }
      return msg.status();
    }
    if (msg->type == ControlType::kExited) return msg->value;
  }
}

absl::StatusOr<ContainerState> Container::State() const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime_->state().LoadState(id_));
  return ReconcileState(std::move(state));
}

absl::StatusOr<ContainerConfig> Container::Config() const {
  return runtime_->state().LoadConfig(id_);
}

absl::StatusOr<std::unique_ptr<Attachment>> Container::Start(const StartOptions& options) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (!state.CanStart()) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " is already running"));
  }
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return LastErrnoError("socketpair");
  }
  UniqueFd control(pair[0]);
  UniqueFd monitor_end(pair[1]);
  process::MonitorRequest request;
  request.root = runtime_->state().root();
  request.id = id_;
  request.attach = options.attach;
  request.relay_stdin = options.attach && options.stdio.in >= 0;
  request.console_size = options.console_size;
  request.cgroup.v2_root_override = runtime_->options().cgroup.v2_root_override;
  request.cgroup.v1_roots_override = runtime_->options().cgroup.v1_roots_override;
  StdioFds stdio = options.attach ? options.stdio : StdioFds{};
  const int fds[3] = {stdio.in, stdio.out, stdio.err};
  MYDOCKER_ASSIGN_OR_RETURN(
      pid_t intermediate,
      SpawnInNewSession(process::MonitorArgv(runtime_->options().helper_path, request), environ,
                        fds, {{monitor_end.get(), process::kMonitorControlFd}}));
  monitor_end.reset();
  auto msg = process::ReceiveControl(control.get());
  // The intermediate process exits right after forking the monitor.
  while (::waitpid(intermediate, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (!msg.ok()) {
    return absl::InternalError(absl::StrCat("monitor of container ", ShortId(id_),
                                            " ended before starting it: ", msg.status().message()));
  }
  if (msg->type == ControlType::kStartFailed) {
    return process::StartFailure(msg->value, msg->text);
  }
  if (msg->type != ControlType::kStarted) {
    return absl::InternalError("unexpected message from the container's monitor");
  }
  return std::make_unique<Attachment>(std::move(control), msg->value);
}

absl::Status Container::Kill(int signal) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (!state.IsActive()) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " is not running"));
  }
  auto init = OpenPidfd(state.init);
  if (!init.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " is not running"));
  }
  return Annotate(SignalPidfd(init->get(), signal), absl::StrCat("kill container ", ShortId(id_)));
}

absl::Status Container::Remove(bool force, bool remove_volumes) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (!state.CanRemove()) {
    if (!force) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot remove running container ", ShortId(id_),
                       ": stop the container before removing or force remove"));
    }
    if (auto init = OpenPidfd(state.init); init.ok()) {
      SignalPidfd(init->get(), SIGKILL).IgnoreError();
    }
    if (state.status == ContainerStatus::kPaused) {
      runtime_->cgroups().Freeze(state.cgroup_path, false).IgnoreError();
    }
  }
  // Let a live monitor finish recording and releasing (it takes the lock to do so); after a
  // bounded wait the cleanup below is done here, idempotently, whatever the monitor managed.
  if (auto monitor = OpenPidfd(state.monitor); monitor.ok()) {
    if (!WaitPidfd(monitor->get(), absl::Now() + absl::Seconds(10))) {
      SignalPidfd(monitor->get(), SIGKILL).IgnoreError();
      WaitPidfd(monitor->get(), absl::Now() + absl::Seconds(5));
    }
  }
  const std::string dir = runtime_->state().ContainerDir(id_);
  auto lock = runtime_->state().Lock(id_);
  if (!PathExists(dir)) return absl::OkStatus();  // the monitor of a --rm container was first
  if (!lock.ok()) return lock.status();
  // Decide again under the lock: a concurrent `start` may have run it since we looked.
  MYDOCKER_ASSIGN_OR_RETURN(state, State());
  if (!state.CanRemove()) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", ShortId(id_), " was started while being removed"));
  }
  MYDOCKER_RETURN_IF_ERROR(ReleaseResources(runtime_->cgroups(), dir, state));
  return runtime_->DeleteContainer(id_, remove_volumes);
}

ContainerState ReconcileState(ContainerState state) {
  if (state.IsActive() && !state.init.Alive() && !state.monitor.Alive()) {
    // Neither the container's process nor its monitor exists (killed, host restarted): it is
    // stopped, and how it ended was never seen, so the exit code stays unknown.
    state.status = ContainerStatus::kStopped;
    if (state.error.empty()) state.error = "container process ended unobserved: exit code unknown";
  }
  return state;
}

}  // namespace mydocker

namespace mydocker {
namespace {

// Emits every complete line of `*pending` and keeps the rest; a final flush emits the rest too.
bool EmitLines(std::string* pending, bool flush, const LogSink& sink,
               std::deque<LogEntry>* tail_buffer, std::optional<size_t> tail) {
  size_t start = 0;
  for (;;) {
    size_t nl = pending->find('\n', start);
    if (nl == std::string::npos && !(flush && start < pending->size())) break;
    size_t end = nl == std::string::npos ? pending->size() : nl;
    auto entry = ParseLogLine(absl::string_view(*pending).substr(start, end - start));
    start = nl == std::string::npos ? pending->size() : nl + 1;
    if (!entry.ok()) continue;  // a torn or foreign line is skipped, not fatal
    if (tail_buffer != nullptr) {
      tail_buffer->push_back(std::move(*entry));
      if (tail && tail_buffer->size() > *tail) tail_buffer->pop_front();
    } else if (!sink(*entry)) {
      return false;
    }
  }
  pending->erase(0, start);
  return true;
}

// Reads what `fd` holds now, a chunk at a time, emitting complete lines as they come so a large
// log is never held in memory whole. False once the sink stopped.
bool ReadAvailable(int fd, std::string* pending, const LogSink& sink,
                   std::deque<LogEntry>* tail_buffer, std::optional<size_t> tail) {
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    pending->append(buf, static_cast<size_t>(n));
    if (!EmitLines(pending, false, sink, tail_buffer, tail)) return false;
  }
  return true;
}

// The offset where the last `lines` lines of `fd` start, found by reading backwards from the
// end, so `logs --tail N` costs what N lines cost rather than the whole log. A last line still
// being written (no newline yet) counts as one of them.
off_t TailOffset(int fd, size_t lines) {
  off_t end = ::lseek(fd, 0, SEEK_END);
  if (end <= 0) return 0;
  char buf[65536];
  off_t pos = end;
  size_t newlines = 0;
  bool first_byte = true;
  while (pos > 0) {
    off_t chunk = std::min<off_t>(pos, sizeof buf);
    pos -= chunk;
    if (::pread(fd, buf, static_cast<size_t>(chunk), pos) != chunk) return 0;
    for (off_t i = chunk - 1; i >= 0; --i) {
      if (buf[i] != '\n') {
        first_byte = false;
        continue;
      }
      // The newline that ends the file ends the last line; it does not start one.
      if (first_byte) {
        first_byte = false;
        continue;
      }
      if (++newlines == lines) return pos + i + 1;
    }
  }
  return 0;
}

}  // namespace

absl::Status Container::Restart(absl::Duration timeout) {
  ProcessRef marked;
  {
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
    MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
    if (state.IsActive() && state.auto_remove) {
      // Names the run being stopped: only its monitor keeps the container, so a restart that
      // raced with ours and stops the next run does not count as ours.
      marked = state.init;
      state.restarting = marked;
      MYDOCKER_RETURN_IF_ERROR(runtime_->state().SaveState(state));
    }
  }
  absl::Status status = Stop(timeout);
  if (status.ok()) status = Start(StartOptions{}).status();
  if (!status.ok() && !marked.empty()) {
    // Not restarted. As with Docker, the container is kept (stopped, with its error); the mark
    // goes, so that a later run of it is removed when it ends.
    auto lock = runtime_->state().Lock(id_);
    auto state = runtime_->state().LoadState(id_);
    if (lock.ok() && state.ok() && state->restarting == marked) {
      state->restarting = ProcessRef{};
      runtime_->state().SaveState(*state).IgnoreError();
    }
  }
  return status;
}

absl::Status Container::Stop(absl::Duration timeout, int signal) {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (!state.IsActive()) return absl::OkStatus();
  // A frozen process cannot act on SIGTERM (nor die of SIGKILL on cgroup v1): thaw it first.
  if (state.status == ContainerStatus::kPaused) {
    absl::Status thawed = Unpause();
    if (!thawed.ok() && !absl::IsFailedPrecondition(thawed)) return thawed;
  }
  auto init = OpenPidfd(state.init);
  auto monitor = OpenPidfd(state.monitor);
  if (init.ok()) {
    // A paused container cannot act on SIGTERM; it still dies of SIGKILL.
    if (SignalPidfd(init->get(), signal).ok() &&
        !WaitPidfd(init->get(), absl::Now() + timeout)) {
      SignalPidfd(init->get(), SIGKILL).IgnoreError();
      WaitPidfd(init->get(), absl::Now() + absl::Seconds(10));
    }
  }
  if (monitor.ok() && !WaitPidfd(monitor->get(), absl::Now() + absl::Seconds(30))) {
    return absl::DeadlineExceededError(
        absl::StrCat("container ", ShortId(id_), " did not finish stopping"));
  }
  if (!monitor.ok()) {
    // Nobody will record the end or release the resources: do the release here.
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
    MYDOCKER_RETURN_IF_ERROR(
        ReleaseResources(runtime_->cgroups(), runtime_->state().ContainerDir(id_), state));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<int>> Container::Wait(absl::Duration timeout) {
  absl::Time deadline =
      timeout == absl::InfiniteDuration() ? absl::InfiniteFuture() : absl::Now() + timeout;
  for (;;) {
    auto state = State();
    if (!state.ok()) {
      // A --rm container is gone once it ended; its exit code went with it.
      if (absl::IsNotFound(state.status())) return std::optional<int>();
      return state.status();
    }
    auto monitor = OpenPidfd(state->monitor);
    if (!state->IsActive() && !monitor.ok()) return state->exit_code;
    if (monitor.ok()) {
      if (!WaitPidfd(monitor->get(), deadline)) {
        return absl::DeadlineExceededError(
            absl::StrCat("container ", ShortId(id_), " is still running"));
      }
      continue;  // re-read the record the monitor wrote before exiting
    }
    if (!state->IsActive()) return state->exit_code;
  }
}

absl::Status Container::Logs(const LogOptions& options, const LogSink& sink) const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  UniqueFd inotify;
  std::optional<UniqueFd> monitor;
  if (options.follow && state.IsActive()) {
    auto pidfd = OpenPidfd(state.monitor);
    if (pidfd.ok()) monitor = std::move(*pidfd);
    // Watch before the first read, so nothing appended in between is missed.
    inotify.reset(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    // Without a watch (inotify limits), fall back to polling every 100 ms below.
    if (inotify && ::inotify_add_watch(inotify.get(), state.log_path.c_str(), IN_MODIFY) < 0) {
      inotify.reset();
    }
  }
  UniqueFd fd(::open(state.log_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return absl::OkStatus();  // nothing written yet
    return LastErrnoError(absl::StrCat("open log ", state.log_path));
  }
  std::string pending;
  std::deque<LogEntry> tail_buffer;
  std::deque<LogEntry>* tail = options.tail ? &tail_buffer : nullptr;
  // --tail N starts one line earlier than N lines from the end: a torn last record (a crash
  // mid-write) is skipped when parsed, and the tail buffer keeps the last N that parse.
  if (options.tail) {
    if (*options.tail == 0) {
      ::lseek(fd.get(), 0, SEEK_END);
    } else if (::lseek(fd.get(), TailOffset(fd.get(), *options.tail + 1), SEEK_SET) < 0) {
      return LastErrnoError(absl::StrCat("seek in log ", state.log_path));
    }
  }
  if (!ReadAvailable(fd.get(), &pending, sink, tail, options.tail)) return absl::OkStatus();
  if (!EmitLines(&pending, !monitor.has_value(), sink, tail, options.tail)) return absl::OkStatus();
  for (const LogEntry& e : tail_buffer) {
    if (!sink(e)) return absl::OkStatus();
  }
  while (monitor.has_value()) {
    struct pollfd fds[3];
    nfds_t n = 0;
    int inotify_i = -1, cancel_i = -1;
    fds[n++] = {monitor->get(), POLLIN, 0};
    if (inotify) fds[inotify_i = static_cast<int>(n++)] = {inotify.get(), POLLIN, 0};
    if (options.cancel_fd >= 0) fds[cancel_i = static_cast<int>(n++)] = {options.cancel_fd, POLLIN, 0};
    if (::poll(fds, n, inotify ? -1 : 100) < 0 && errno != EINTR) break;
    if (cancel_i >= 0 && fds[cancel_i].revents != 0) break;
    if (inotify_i >= 0 && (fds[inotify_i].revents & POLLIN)) {
      char events[4096];
      while (::read(inotify.get(), events, sizeof events) > 0) {
      }
    }
    bool ended = fds[0].revents & POLLIN;
    if (!ReadAvailable(fd.get(), &pending, sink, nullptr, std::nullopt)) break;
    if (!EmitLines(&pending, ended, sink, nullptr, std::nullopt)) break;
    if (ended) break;
  }
  return absl::OkStatus();
}

absl::Status Container::Rename(absl::string_view new_name) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  return runtime_->state().Rename(id_, new_name);
}

}  // namespace mydocker

namespace mydocker {
namespace {

absl::Status RequireActive(const ContainerState& state, const std::string& id) {
  if (state.IsActive()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("container ", ShortId(id), " is not running"));
}

template <typename T>
void Merge(std::optional<T>& into, const std::optional<T>& from) {
  if (from.has_value()) into = from;
}

void MergeResources(LinuxResources& into, const LinuxResources& from) {
  Merge(into.memory.limit, from.memory.limit);
  Merge(into.memory.swap, from.memory.swap);
  Merge(into.cpu.shares, from.cpu.shares);
  Merge(into.cpu.quota, from.cpu.quota);
  Merge(into.cpu.period, from.cpu.period);
  if (!from.cpu.cpus.empty()) into.cpu.cpus = from.cpu.cpus;
  if (!from.cpu.mems.empty()) into.cpu.mems = from.cpu.mems;
  Merge(into.pids.limit, from.pids.limit);
  if (!from.devices.empty()) into.devices = from.devices;
}

absl::StatusOr<ProcessInfo> ReadProcess(int pid) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string stat, ReadFile(absl::StrCat("/proc/", pid, "/stat")));
  ProcessInfo info;
  info.pid = pid;
  size_t open = stat.find('(');
  size_t close = stat.rfind(')');  // comm may itself contain ')' and spaces
  if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) {
    return absl::InternalError(absl::StrCat("malformed /proc/", pid, "/stat"));
  }
  std::string comm = stat.substr(open + 1, close - open - 1);
  std::vector<std::string> fields = absl::StrSplit(stat.substr(close + 2), ' ');
  // fields[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
  if (fields.size() < 13) return absl::InternalError(absl::StrCat("short /proc/", pid, "/stat"));
  info.state = fields[0].empty() ? '?' : fields[0][0];
  absl::SimpleAtoi(fields[1], &info.ppid);
  uint64_t utime = 0, stime = 0;
  absl::SimpleAtoi(fields[11], &utime);
  absl::SimpleAtoi(fields[12], &stime);
  info.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  auto status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  if (status.ok()) {
    size_t uid = status->find("\nUid:");
    if (uid != std::string::npos) {
      absl::SimpleAtoi(absl::StripAsciiWhitespace(status->substr(uid + 5, status->find('\t', uid + 6) - uid - 5)),
                       &info.uid);
    }
  }
  auto cmdline = ReadFile(absl::StrCat("/proc/", pid, "/cmdline"));
  if (cmdline.ok() && !cmdline->empty()) {
    if (cmdline->back() == '\0') cmdline->pop_back();
    std::replace(cmdline->begin(), cmdline->end(), '\0', ' ');
    info.command = *cmdline;
  } else {
    info.command = absl::StrCat("[", comm, "]");
  }
  return info;
}

}  // namespace

absl::Status Container::Pause() {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (state.status == ContainerStatus::kPaused) {
    return absl::FailedPreconditionError(absl::StrCat("container ", ShortId(id_), " is already paused"));
  }
  MYDOCKER_RETURN_IF_ERROR(RequireActive(state, id_));
  MYDOCKER_RETURN_IF_ERROR(runtime_->cgroups().Freeze(state.cgroup_path, true));
  state.status = ContainerStatus::kPaused;
  return runtime_->state().SaveState(state);
}

absl::Status Container::Unpause() {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (state.status != ContainerStatus::kPaused) {
    return absl::FailedPreconditionError(absl::StrCat("container ", ShortId(id_), " is not paused"));
  }
  MYDOCKER_RETURN_IF_ERROR(runtime_->cgroups().Freeze(state.cgroup_path, false));
  state.status = ContainerStatus::kRunning;
  return runtime_->state().SaveState(state);
}

absl::Status Container::Update(const LinuxResources& resources) {
  // Validated merged with the container's current limits (below): a memory+swap limit alone is
  // fine for a container that has a memory limit, as in Docker.
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime_->state().Lock(id_));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, Config());
  LinuxResources merged = config.linux_spec.resources;
  MergeResources(merged, resources);
  const std::optional<int64_t>& swap = config.linux_spec.resources.memory.swap;
  if (resources.memory.limit.has_value() && !resources.memory.swap.has_value() &&
      swap.has_value() && *swap != -1 && *resources.memory.limit > *swap) {
    // Docker's rule and message: the memory+swap limit (twice -m by default) does not follow.
    return absl::InvalidArgumentError(absl::StrCat(
        "memory limit ", *resources.memory.limit, " is above the container's memory+swap limit ",
        *swap, "; update the memory+swap limit (--memory-swap) at the same time"));
  }
  MYDOCKER_RETURN_IF_ERROR(runtime_->cgroups().Validate(merged));
  if (state.IsActive()) {
    LinuxResources live = resources;
    // Memory and memory+swap are written together: a new memory+swap limit with the memory
    // limit it is measured against, and a new memory limit with the memory+swap limit it must
    // keep (v2 stores swap alone, as memory+swap minus memory).
    if (live.memory.swap.has_value() && !live.memory.limit.has_value()) {
      live.memory.limit = merged.memory.limit;
    }
    if (live.memory.limit.has_value() && !live.memory.swap.has_value()) {
      live.memory.swap = merged.memory.swap;
    }
    MYDOCKER_RETURN_IF_ERROR(runtime_->cgroups().Update(state.cgroup_path, live));
  }
  config.linux_spec.resources = merged;
  return runtime_->state().SaveConfig(id_, config);
}

absl::StatusOr<CgroupStats> Container::Stats() const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  MYDOCKER_RETURN_IF_ERROR(RequireActive(state, id_));
  return runtime_->cgroups().Stats(state.cgroup_path);
}

absl::StatusOr<std::vector<ProcessInfo>> Container::Top() const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  MYDOCKER_RETURN_IF_ERROR(RequireActive(state, id_));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<pid_t> pids, runtime_->cgroups().Pids(state.cgroup_path));
  std::sort(pids.begin(), pids.end());
  std::vector<ProcessInfo> out;
  for (pid_t pid : pids) {
    auto info = ReadProcess(pid);
    if (info.ok()) out.push_back(std::move(*info));  // a process may end while we look
  }
  return out;
}

}  // namespace mydocker
