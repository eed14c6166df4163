#include "host/testing/fake_host.h"

#include <signal.h>
#include <sys/eventfd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace mydocker::testing {

FakeHost::FakeHost() : now_(absl::FromUnixSeconds(1'700'000'000)) {}

ProcessRef FakeHost::AddProcess() {
  std::lock_guard<std::mutex> lock(mu_);
  Process p;
  p.ref = {next_pid_++, 5000 + static_cast<uint64_t>(next_pid_)};
  p.fatal_signals = {SIGTERM, SIGKILL};
  p.info.pid = p.ref.pid;
  p.info.command = absl::StrCat("cmd", p.ref.pid);
  processes_[p.ref.pid] = p;
  return p.ref;
}

void FakeHost::End(int pid) {
  std::lock_guard<std::mutex> lock(mu_);
  EndLocked(pid);
}

void FakeHost::EndLocked(int pid) {
  auto it = processes_.find(pid);
  if (it == processes_.end() || !it->second.alive) return;
  it->second.alive = false;
  if (it->second.on_end) it->second.on_end();
  for (int other : it->second.exit_with) EndLocked(other);
}

void FakeHost::Record(std::string call) { calls_.push_back(std::move(call)); }

std::vector<std::string> FakeHost::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

bool FakeHost::Called(const std::string& call) const {
  std::vector<std::string> all = calls();
  return std::find(all.begin(), all.end(), call) != all.end();
}

UniqueFd FakeHost::NewHandle(int pid) {
  UniqueFd fd(::eventfd(0, EFD_CLOEXEC));
  handles_[fd.get()] = pid;
  return fd;
}

absl::StatusOr<UniqueFd> FakeHost::OpenProcess(const ProcessRef& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(absl::StrCat("open ", ref.pid));
  if (next_open_error) {
    absl::Status s = *std::exchange(next_open_error, std::nullopt);
    return s;
  }
  auto it = processes_.find(ref.pid);
  if (ref.empty() || it == processes_.end() || !it->second.alive || !(it->second.ref == ref)) {
    return absl::NotFoundError(absl::StrCat("process ", ref.pid, " is gone"));
  }
  return NewHandle(ref.pid);
}

bool FakeHost::WaitProcess(int handle, absl::Time deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  Process& p = processes_.at(handles_.at(handle));
  if (p.alive && p.exits_when_waited) EndLocked(p.ref.pid);
  Record(absl::StrCat("wait ", p.ref.pid, p.alive ? " -> timeout" : " -> ended"));
  if (p.alive && deadline != absl::InfiniteFuture()) now_ = std::max(now_, deadline);
  return !p.alive;
}

absl::Status FakeHost::SignalProcess(int handle, int signal) {
  std::lock_guard<std::mutex> lock(mu_);
  Process& p = processes_.at(handles_.at(handle));
  Record(absl::StrCat("signal ", p.ref.pid, " ", signal));
  if (next_signal_error) {
    absl::Status s = *std::exchange(next_signal_error, std::nullopt);
    return s;
  }
  if (!p.alive) return absl::NotFoundError("process is gone");
  if (signal == SIGKILL || p.fatal_signals.count(signal) != 0) EndLocked(p.ref.pid);
  return absl::OkStatus();
}

bool FakeHost::Alive(const ProcessRef& ref) {
  if (before_next_alive) std::exchange(before_next_alive, nullptr)();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = processes_.find(ref.pid);
  return !ref.empty() && it != processes_.end() && it->second.alive && it->second.ref == ref;
}

absl::Status FakeHost::CheckExecutable(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  checked_executables_.push_back(path);  // a query: not among calls()
  if (next_executable_error) return *std::exchange(next_executable_error, std::nullopt);
  return absl::OkStatus();
}

absl::StatusOr<ProcessInfo> FakeHost::ReadProcess(int pid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = processes_.find(pid);
  if (it == processes_.end() || !it->second.alive) {
    return absl::NotFoundError(absl::StrCat("no process ", pid));
  }
  return it->second.info;
}

absl::StatusOr<ChildProcess> FakeHost::Spawn(const SpawnRequest& request) {
  std::function<absl::StatusOr<int>(const SpawnRequest&)> behaviour;
  int pid;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Record(absl::StrCat("spawn ", request.argv.empty() ? "" : request.argv[0],
                        request.protect_executable ? " (protected)" : ""));
    if (!on_spawn)
      return absl::ResourceExhaustedError("start helper: Resource temporarily unavailable");
    behaviour = on_spawn;
    pid = next_pid_++;
  }
  absl::StatusOr<int> status = behaviour(request);  // may call back into the fake
  if (!status.ok()) return status.status();
  std::lock_guard<std::mutex> lock(mu_);
  Process p;
  p.ref = {pid, 1};
  processes_[pid] = p;
  wait_status_[pid] = *status;
  return ChildProcess(this, pid, NewHandle(pid));
}

absl::StatusOr<int> FakeHost::Reap(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(absl::StrCat("reap ", pid));
  EndLocked(pid);
  auto it = wait_status_.find(pid);
  if (it == wait_status_.end()) return absl::NotFoundError(absl::StrCat("no child ", pid));
  return it->second;
}

absl::Status FakeHost::UnmountIfMounted(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  Record(absl::StrCat("unmount ", path));
  if (next_unmount_error) {
    absl::Status s = *std::exchange(next_unmount_error, std::nullopt);
    return s;
  }
  return absl::OkStatus();
}

}  // namespace mydocker::testing
