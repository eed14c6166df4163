// Container::Logs: the container's output from its log, followed while it runs.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <deque>

#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "host/host.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

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

absl::Status Container::Logs(const LogOptions& options, const LogSink& sink) const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  UniqueFd inotify;
  std::optional<UniqueFd> monitor;
  if (options.follow && state.IsActive()) {
    auto pidfd = runtime_->host().OpenProcess(state.monitor);
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
    if (options.cancel_fd >= 0)
      fds[cancel_i = static_cast<int>(n++)] = {options.cancel_fd, POLLIN, 0};
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

}  // namespace mydocker
