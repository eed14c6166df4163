// Container::Logs: the container's output from its log, followed while it runs. The log is
// either mydocker's records (log_records.h) or Docker's json lines; its first byte tells which.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "host/host.h"
#include "log_records.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

// A line longer than this is given out in pieces, as Docker's json-file log splits it.
constexpr size_t kMaxLinePiece = 16 * 1024;

// Where decoded entries go: through the time filter, then into the tail buffer (while the
// reader looks for the last N) or to the sink.
class EntryOut {
 public:
  EntryOut(const LogOptions& options, const LogSink& sink)
      : options_(options), sink_(sink), buffering_(options.tail.has_value()) {}

  bool Put(LogEntry e) {
    if (e.time < options_.since || e.time > options_.until) return true;
    if (!buffering_) return sink_(e);
    tail_.push_back(std::move(e));
    if (tail_.size() > *options_.tail) tail_.pop_front();
    return true;
  }
  // Gives out the tail found so far; entries from then on go straight to the sink.
  bool Release() {
    buffering_ = false;
    for (const LogEntry& e : tail_) {
      if (!sink_(e)) return false;
    }
    tail_.clear();
    return true;
  }

 private:
  const LogOptions& options_;
  const LogSink& sink_;
  bool buffering_;
  std::deque<LogEntry> tail_;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  // Takes the log's next bytes; complete entries go to `out`. False once the sink stopped.
  virtual bool Take(absl::string_view bytes, EntryOut& out) = 0;
  // At the end of the log (no more will come): what is left of unfinished lines.
  virtual bool Finish(EntryOut& out) = 0;
};

// Docker's json-file: one JSON object a line.
class JsonDecoder : public Decoder {
 public:
  bool Take(absl::string_view bytes, EntryOut& out) override {
    pending_.append(bytes.data(), bytes.size());
    return Emit(false, out);
  }
  bool Finish(EntryOut& out) override { return Emit(true, out); }

 private:
  bool Emit(bool flush, EntryOut& out) {
    size_t start = 0;
    bool ok = true;
    while (ok) {
      size_t nl = pending_.find('\n', start);
      if (nl == std::string::npos && !(flush && start < pending_.size())) break;
      size_t end = nl == std::string::npos ? pending_.size() : nl;
      auto entry = ParseLogLine(absl::string_view(pending_).substr(start, end - start));
      start = nl == std::string::npos ? pending_.size() : nl + 1;
      if (entry.ok()) ok = out.Put(std::move(*entry));  // a torn or foreign line is skipped
    }
    pending_.erase(0, start);
    return ok;
  }

  std::string pending_;
};

// Where reading starts for `logs --tail`: the offset, and per stream (stdout, stderr) the
// offset of its first record to read (records of that stream before it are skipped). All zero:
// the whole log.
struct TailStart {
  off_t at = 0;
  std::array<off_t, 2> begin{0, 0};
};

// mydocker's records: the output of each stream is put back together and cut into lines; a
// line's time is that of the record that completed it (json-file's time is when a line ended).
class RecordDecoder : public Decoder {
 public:
  explicit RecordDecoder(const TailStart& start) : offset_(start.at), begin_(start.begin) {}

  bool Take(absl::string_view bytes, EntryOut& out) override {
    buf_.append(bytes.data(), bytes.size());
    size_t at = 0;
    bool ok = true;
    while (ok && buf_.size() - at >= logrec::kOverhead) {
      std::optional<logrec::Header> h = logrec::DecodeHeader(buf_.data() + at);
      const size_t size = h ? logrec::kOverhead + h->size : 0;
      if (h && buf_.size() - at < size) break;  // the rest of the record is still to come
      if (!h || logrec::DecodeTrailer(buf_.data() + at + size - logrec::kTrailerSize) != h->size) {
        ++at;  // not a record here (damage): look for the next one
        continue;
      }
      const int s = logrec::StreamIndex(h->stream);
      if (offset_ + static_cast<off_t>(at) >= begin_[s]) {
        // The first record of a stream that continues a line: its beginning is not read
        // (before the tail's start, or in a rotated file that is gone), so the piece is dropped.
        if (first_[s]) discard_[s] = h->continues;
        first_[s] = false;
        ok = Output(s, h->time, absl::string_view(buf_).substr(at + logrec::kHeaderSize, h->size),
                    out);
      }
      at += size;
    }
    buf_.erase(0, at);
    offset_ += static_cast<off_t>(at);
    return ok;
  }

  bool Finish(EntryOut& out) override {
    for (int s = 0; s < 2; ++s) {
      if (!line_[s].empty() && !Put(s, line_[s], out)) return false;
      line_[s].clear();
    }
    return true;
  }

 private:
  bool Put(int s, absl::string_view text, EntryOut& out) {
    LogEntry e;
    e.stream = std::string(logrec::StreamName(logrec::StreamAt(s)));
    e.text = std::string(text);
    e.time = time_[s];
    return out.Put(std::move(e));
  }

  bool Output(int s, absl::Time time, absl::string_view text, EntryOut& out) {
    std::string& line = line_[s];
    time_[s] = time;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      if (discard_[s]) {
        if (nl == absl::string_view::npos) return true;
        text.remove_prefix(nl + 1);
        discard_[s] = false;
        continue;
      }
      if (nl == absl::string_view::npos) {
        line.append(text.data(), text.size());
        if (line.size() < kMaxLinePiece) return true;
        bool ok = Put(s, line, out);
        line.clear();
        return ok;
      }
      bool ok;
      if (line.empty()) {
        ok = Put(s, text.substr(0, nl + 1), out);
      } else {
        line.append(text.data(), nl + 1);
        ok = Put(s, line, out);
        line.clear();
      }
      if (!ok) return false;
      text.remove_prefix(nl + 1);
    }
    return true;
  }

  std::string buf_;
  off_t offset_;  // of buf_'s first byte in the log
  std::array<off_t, 2> begin_;
  std::array<std::string, 2> line_;
  std::array<absl::Time, 2> time_{absl::InfinitePast(), absl::InfinitePast()};
  std::array<bool, 2> first_{true, true};
  std::array<bool, 2> discard_{false, false};
};

// Picks the decoder from the first byte it is given (a record's magic byte, or json's '{').
class AnyDecoder : public Decoder {
 public:
  explicit AnyDecoder(const TailStart& start) : start_(start) {}
  bool Take(absl::string_view bytes, EntryOut& out) override {
    if (bytes.empty()) return true;
    if (!d_) {
      if (static_cast<unsigned char>(bytes[0]) == logrec::kMagic) {
        d_ = std::make_unique<RecordDecoder>(start_);
      } else {
        d_ = std::make_unique<JsonDecoder>();
      }
    }
    return d_->Take(bytes, out);
  }
  bool Finish(EntryOut& out) override { return !d_ || d_->Finish(out); }

 private:
  TailStart start_;
  std::unique_ptr<Decoder> d_;
};

// Reads what `fd` holds now, a chunk at a time, so a large log is never held in memory whole.
// False once the sink stopped.
bool ReadAvailable(int fd, Decoder& decoder, EntryOut& out) {
  std::string buf(1 << 18, '\0');
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
    if (!decoder.Take(absl::string_view(buf.data(), static_cast<size_t>(n)), out)) return false;
  }
  return true;
}

// json-file: the offset where the last `lines` lines of `fd` start, found by reading backwards
// from the end, so `logs --tail N` costs what N lines cost rather than the whole log. A last
// line still being written (no newline yet) counts as one of them.
off_t JsonTailOffset(int fd, size_t lines) {
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

// Reads a file backwards a block at a time, for walking records by their trailers.
class BackReader {
 public:
  explicit BackReader(int fd) : fd_(fd) {}
  // The `n` bytes at `at`, or nullptr if they cannot be read.
  const char* At(off_t at, size_t n) {
    if (at < block_at_ ||
        at + static_cast<off_t>(n) > block_at_ + static_cast<off_t>(block_.size())) {
      const off_t end = at + static_cast<off_t>(n);
      const off_t from = std::max<off_t>(0, end - std::max<off_t>(kBlock, static_cast<off_t>(n)));
      block_.resize(static_cast<size_t>(end - from));
      if (::pread(fd_, block_.data(), block_.size(), from) != static_cast<ssize_t>(block_.size())) {
        block_.clear();
        block_at_ = 0;
        return nullptr;
      }
      block_at_ = from;
    }
    return block_.data() + (at - block_at_);
  }

 private:
  static constexpr off_t kBlock = 1 << 18;
  int fd_;
  std::string block_;
  off_t block_at_ = 0;
};

// Records: walking back through the trailers, each stream's start is the record from which on
// it holds more than `lines` line ends (the last `lines` lines then all begin after it, or in
// it); a stream with fewer is read from the log's start.
TailStart RecordTailStart(int fd, size_t lines) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return {};
  absl::StatusOr<off_t> end = logrec::IntactEnd(fd, st.st_size);
  if (!end.ok()) return {};
  BackReader reader(fd);
  std::array<size_t, 2> ends{0, 0};
  std::array<bool, 2> found{false, false};
  TailStart start;
  for (off_t pos = *end; pos > 0 && !(found[0] && found[1]);) {
    const char* trailer = pos >= static_cast<off_t>(logrec::kOverhead)
                              ? reader.At(pos - logrec::kTrailerSize, logrec::kTrailerSize)
                              : nullptr;
    if (trailer == nullptr) return {};
    const uint32_t size = logrec::DecodeTrailer(trailer);
    const off_t at = pos - static_cast<off_t>(logrec::kOverhead + size);
    const char* record = at >= 0 ? reader.At(at, logrec::kOverhead + size) : nullptr;
    std::optional<logrec::Header> h;
    if (record != nullptr) h = logrec::DecodeHeader(record);
    if (!h || h->size != size) return {};  // damaged: read it all from the start
    const int s = logrec::StreamIndex(h->stream);
    if (!found[s]) {
      ends[s] += static_cast<size_t>(
          std::count(record + logrec::kHeaderSize, record + logrec::kHeaderSize + size, '\n'));
      if (ends[s] > lines) {
        found[s] = true;
        start.begin[s] = at;
      }
    }
    pos = at;
  }
  start.at = std::min(start.begin[0], start.begin[1]);
  return start;
}

// Moves `fd` to where the last `tail` entries begin.
absl::StatusOr<TailStart> SeekTail(int fd, size_t tail, const std::string& path) {
  TailStart start;
  if (tail == 0) {
    start.at = ::lseek(fd, 0, SEEK_END);
  } else if (logrec::IsRecordLog(fd)) {
    start = RecordTailStart(fd, tail);
  } else {
    // One line earlier than N lines from the end: a torn last record (a crash mid-write) is
    // skipped when parsed, and the tail buffer keeps the last N that parse.
    start.at = JsonTailOffset(fd, tail + 1);
  }
  if (start.at < 0 || ::lseek(fd, start.at, SEEK_SET) < 0) {
    return LastErrnoError(absl::StrCat("seek in log ", path));
  }
  return start;
}

// The rotated files of the log at `path`, oldest first (PATH.N, ..., PATH.1).
std::vector<std::string> RotatedFiles(const std::string& path) {
  std::vector<std::string> files;
  for (int i = 1;; ++i) {
    std::string name = absl::StrCat(path, ".", i);
    if (::access(name.c_str(), F_OK) != 0) break;
    files.push_back(std::move(name));
  }
  std::reverse(files.begin(), files.end());
  return files;
}

// Gives out every entry of the rotated files (they no longer change).
bool ReadRotated(const std::vector<std::string>& files, Decoder& decoder, EntryOut& out) {
  for (const std::string& name : files) {
    UniqueFd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd && !ReadAvailable(fd.get(), decoder, out)) return false;
  }
  return true;
}

// While following: the log was rotated (PATH is another file now) or cut back to empty. What
// the old file still holds has been read; reading goes on in the new one from its start.
// False once the sink stopped.
bool FollowRotation(const std::string& path, UniqueFd& fd, int inotify, Decoder& decoder,
                    EntryOut& out) {
  struct stat now, reading;
  if (::fstat(fd.get(), &reading) < 0) return true;
  if (::stat(path.c_str(), &now) == 0 &&
      (now.st_ino != reading.st_ino || now.st_dev != reading.st_dev)) {
    UniqueFd next(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!next) return true;
    // Written to the old file after the last read and before the rename.
    if (!ReadAvailable(fd.get(), decoder, out)) return false;
    fd = std::move(next);
    if (inotify >= 0) ::inotify_add_watch(inotify, path.c_str(), IN_MODIFY | IN_MOVE_SELF);
    return true;
  }
  if (reading.st_size < ::lseek(fd.get(), 0, SEEK_CUR)) ::lseek(fd.get(), 0, SEEK_SET);
  return true;
}

}  // namespace

absl::Status ReadLogFile(int fd, const LogOptions& options, const LogSink& sink,
                         const std::string& path) {
  TailStart start;
  if (options.tail) {
    MYDOCKER_ASSIGN_OR_RETURN(start, SeekTail(fd, *options.tail, path));
  }
  AnyDecoder decoder(start);
  EntryOut out(options, sink);
  if (ReadAvailable(fd, decoder, out) && decoder.Finish(out) && out.Release() &&
      options.caught_up) {
    options.caught_up();
  }
  return absl::OkStatus();
}

namespace {

bool IsDirectory(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

absl::Status Container::Logs(const LogOptions& options, const LogSink& sink) const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, Config());
  if (config.log_config.type == "none") {
    return absl::FailedPreconditionError(
        "configured logging driver does not support reading (the container's log driver is "
        "none)");
  }
  UniqueFd inotify;
  std::optional<UniqueFd> monitor;
  if (options.follow && state.IsActive()) {
    auto pidfd = runtime_->host().OpenProcess(state.monitor);
    if (pidfd.ok()) monitor = std::move(*pidfd);
    // Watch before the first read, so nothing appended in between is missed.
    inotify.reset(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    // Without a watch (inotify limits), fall back to polling every 100 ms below.
    if (inotify &&
        ::inotify_add_watch(inotify.get(), state.log_path.c_str(), IN_MODIFY | IN_MOVE_SELF) < 0) {
      inotify.reset();
    }
    // A rotation renames the log, then creates the next one: its creation wakes the reader.
    const std::string dir = state.log_path.substr(0, state.log_path.rfind('/'));
    if (inotify && ::inotify_add_watch(inotify.get(), dir.c_str(), IN_CREATE) < 0) inotify.reset();
  }
  UniqueFd fd(::open(state.log_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return absl::OkStatus();  // nothing written yet
    return LastErrnoError(absl::StrCat("open log ", state.log_path));
  }
  // With rotated files, --tail reads them all (rotation bounds them) and keeps the last N.
  const std::vector<std::string> rotated = RotatedFiles(state.log_path);
  if (rotated.empty() && !monitor.has_value()) {
    return ReadLogFile(fd.get(), options, sink, state.log_path);
  }
  TailStart start;
  if (options.tail && (rotated.empty() || *options.tail == 0)) {
    MYDOCKER_ASSIGN_OR_RETURN(start, SeekTail(fd.get(), *options.tail, state.log_path));
  }
  AnyDecoder decoder(start);
  EntryOut out(options, sink);
  if (start.at == 0 && !ReadRotated(rotated, decoder, out)) return absl::OkStatus();
  if (!ReadAvailable(fd.get(), decoder, out)) return absl::OkStatus();
  if (!monitor.has_value() && !decoder.Finish(out)) return absl::OkStatus();
  if (!out.Release()) return absl::OkStatus();
  if (options.caught_up) options.caught_up();
  // A pidfd is readable once the monitor ended. The /proc/PID directory that stands in for one
  // where the kernel gives none (src/host/pidfd.h) is always "readable": it is not polled but
  // asked (Host::WaitProcess) after each wake-up, which comes every 100 ms at least.
  const bool monitor_polled = monitor.has_value() && !IsDirectory(monitor->get());
  while (monitor.has_value()) {
    struct pollfd fds[3];
    nfds_t n = 0;
    int monitor_i = -1, inotify_i = -1, cancel_i = -1;
    if (monitor_polled) fds[monitor_i = static_cast<int>(n++)] = {monitor->get(), POLLIN, 0};
    if (inotify) fds[inotify_i = static_cast<int>(n++)] = {inotify.get(), POLLIN, 0};
    if (options.cancel_fd >= 0)
      fds[cancel_i = static_cast<int>(n++)] = {options.cancel_fd, POLLIN, 0};
    if (::poll(fds, n, inotify && monitor_polled ? -1 : 100) < 0 && errno != EINTR) break;
    if (cancel_i >= 0 && fds[cancel_i].revents != 0) break;
    if (inotify_i >= 0 && (fds[inotify_i].revents & POLLIN)) {
      char events[4096];
      while (::read(inotify.get(), events, sizeof events) > 0) {
      }
    }
    bool ended = monitor_polled
                     ? (fds[monitor_i].revents & POLLIN) != 0
                     : runtime_->host().WaitProcess(monitor->get(), runtime_->host().Now());
    if (!ReadAvailable(fd.get(), decoder, out)) break;
    if (!FollowRotation(state.log_path, fd, inotify ? inotify.get() : -1, decoder, out)) break;
    if (!ReadAvailable(fd.get(), decoder, out)) break;
    if (ended && !decoder.Finish(out)) break;
    if (options.caught_up) options.caught_up();
    if (ended) break;
  }
  return absl::OkStatus();
}

}  // namespace mydocker
