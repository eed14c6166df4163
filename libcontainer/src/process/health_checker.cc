#include "process/health_checker.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include "absl/strings/str_cat.h"
#include "container/exec_request.h"
#include "host/host.h"
#include "list_cache.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "process/protocol.h"

namespace mydocker::process {
namespace {

// After the timeout's SIGALRM (the helper kills the command's group), how long the helper has
// to end before it is killed itself.
constexpr absl::Duration kKillGrace = absl::Seconds(2);

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

HealthChecker::HealthChecker(HealthConfig config, std::string record_path, RequestBuilder build,
                             PausedCheck paused)
    : config_(std::move(config)),
      record_path_(std::move(record_path)),
      build_(std::move(build)),
      paused_(std::move(paused)) {}

void HealthChecker::Start(absl::Time started) {
  if (!enabled()) return;
  state_ = HealthState();
  started_ = started;
  running_ = true;
  const absl::Time now = absl::Now();
  next_probe_ = now + HealthProbeDelay(state_, config_, started_, now);
  Save();
}

void HealthChecker::Stop() {
  if (running_) {
    // As Docker's: a container whose checks stopped is "unhealthy" until its next start.
    state_.status = kHealthUnhealthy;
    Save();
  }
  running_ = false;
  next_probe_ = absl::InfiniteFuture();
  if (helper_.owns()) {
    helper_.Signal(SIGALRM).IgnoreError();  // the command's group, if it still exists
    helper_.KillAndWait().IgnoreError();
  }
  socket_.reset();
  output_.reset();
  deadline_ = absl::InfiniteFuture();
}

void HealthChecker::AddPollFds(std::vector<struct pollfd>& fds) {
  poll_index_ = fds.size();
  if (output_.valid()) fds.push_back({output_.get(), POLLIN, 0});
}

int HealthChecker::TimeoutMs(absl::Time now) const {
  if (!running_) return -1;
  absl::Time at = helper_.owns() ? deadline_ : next_probe_;
  if (at == absl::InfiniteFuture()) return -1;
  if (at <= now) return 0;
  return static_cast<int>(absl::ToInt64Milliseconds(absl::Ceil(at - now, absl::Milliseconds(1))));
}

void HealthChecker::Handle(const std::vector<struct pollfd>& fds, absl::Time now) {
  if (output_.valid() && poll_index_ < fds.size() && fds[poll_index_].fd == output_.get() &&
      fds[poll_index_].revents) {
    ReadOutput();
  }
  if (helper_.owns() && now >= deadline_) {
    // First the command's group (the helper's SIGALRM), then the helper itself if it lingers.
    helper_.Signal(timed_out_ ? SIGKILL : SIGALRM).IgnoreError();
    deadline_ = timed_out_ ? absl::InfiniteFuture() : now + kKillGrace;
    timed_out_ = true;
  } else if (!helper_.owns() && running_ && now >= next_probe_) {
    StartProbe(now);
  }
}

void HealthChecker::StartProbe(absl::Time now) {
  next_probe_ = absl::InfiniteFuture();
  if (paused_ && paused_()) {  // no probe into a frozen container; try again an interval later
    next_probe_ = now + HealthProbeDelay(state_, config_, started_, now);
    return;
  }
  probe_start_ = now;
  out_.clear();
  timed_out_ = false;
  absl::Status status = SpawnProbe();
  if (!status.ok()) {
    out_ = std::string(status.message());
    FinishProbe(-1, absl::Now());
    return;
  }
  deadline_ = now + HealthTimeout(config_);
}

absl::Status HealthChecker::SpawnProbe() {
  MYDOCKER_ASSIGN_OR_RETURN(Request request, build_(HealthCommand(config_)));
  AddExecToken(&request.payload, "killonalarm", "1");
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    return LastErrnoError("socketpair");
  }
  UniqueFd sock(pair[0]), helper_end(pair[1]);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return LastErrnoError("pipe for the health check's output");
  UniqueFd out_r(p[0]), out_w(p[1]);
  const int stdio[3] = {-1, out_w.get(), out_w.get()};  // Docker keeps both streams as one
  // The monitor is the helper binary: the stub re-executes it from a protected view.
  MYDOCKER_ASSIGN_OR_RETURN(helper_,
                            SpawnExecHelper(RealHost(), "/proc/self/exe", helper_end.get(),
                                            request.init_pidfd.get(), stdio, request.seal_lower));
  MYDOCKER_RETURN_IF_ERROR(SendExecRequest(sock.get(), request.payload));
  SetNonBlocking(sock.get());
  SetNonBlocking(out_r.get());
  socket_ = std::move(sock);
  output_ = std::move(out_r);
  return absl::OkStatus();
}

void HealthChecker::ReadOutput() {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(output_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) output_.reset();
    if (n <= 0) return;
    // The first 4 KiB are kept; the rest is read and dropped so the command never blocks.
    size_t room = kHealthOutputLimit - std::min(out_.size(), kHealthOutputLimit);
    out_.append(buf, std::min(room, static_cast<size_t>(n)));
  }
}

bool HealthChecker::Reaped(int pid, int wait_status) {
  if (!helper_.owns() || pid != helper_.pid()) return false;
  helper_.Release();
  if (output_.valid()) ReadOutput();  // what is there now; a lingering writer is not waited for
  int exit_code = ExitCodeFromWaitStatus(wait_status);
  // The stub's reports are all there once the helper ended: a failure to start the command
  // (not found, not executable) replaces the output.
  for (;;) {
    absl::StatusOr<ExecReport> report = ReceiveExecReport(socket_.get());
    if (!report.ok() || report->kind == ExecReport::kClosed) break;
    if (report->kind == ExecReport::kError) {
      exit_code = report->error.exit_code;
      out_ = DescribeInitError(report->error);
    }
  }
  if (timed_out_) {
    exit_code = -1;
    out_ = absl::StrCat("Health check exceeded timeout (",
                        absl::FormatDuration(HealthTimeout(config_)), ")");
  }
  FinishProbe(exit_code, absl::Now());
  return true;
}

void HealthChecker::FinishProbe(int exit_code, absl::Time now) {
  socket_.reset();
  output_.reset();
  deadline_ = absl::InfiniteFuture();
  HealthResult result{probe_start_, now, exit_code, TruncateHealthOutput(out_)};
  RecordHealthResult(state_, std::move(result), config_, started_);
  Save();
  if (running_) next_probe_ = now + HealthProbeDelay(state_, config_, started_, now);
}

void HealthChecker::Save() const {
  // Replaced whole (readers see the old or the new record); not synced: it describes a running
  // process, which a crash of the host ends anyway.
  // The record is part of what `ps` lists: the listing cache is told around the change.
  const std::string container_dir = record_path_.substr(0, record_path_.find_last_of('/'));
  MarkRecordsChanging(container_dir);
  WriteFileAtomic(record_path_, HealthStateToJson(state_), 0600, /*sync_directory=*/false)
      .IgnoreError();
  MarkRecordsChanging(container_dir);
}

}  // namespace mydocker::process
