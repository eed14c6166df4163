#include "process/log_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "log_records.h"
#include "mydocker/container_state.h"
#include "mydocker/status_macros.h"
#include "mydocker/utf8.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mydocker::process {
namespace {
constexpr size_t kMaxPartialLine = 16 * 1024;
constexpr size_t kMaxUnwritten = 64 * 1024;
}  // namespace

LogFormat ParseLogFormat(absl::string_view driver) {
  if (driver == "none") return LogFormat::kNone;
  return driver == "json-file" ? LogFormat::kJsonFile : LogFormat::kLocal;
}

absl::StatusOr<LogWriter> LogWriter::Open(const std::string& path, LogFormat format,
                                          LogRotation rotation) {
  if (format == LogFormat::kNone) return LogWriter(UniqueFd(), format, path, rotation, 0);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd) return LastErrnoError(absl::StrCat("open log ", path));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return LastErrnoError(absl::StrCat("stat log ", path));
  off_t size = st.st_size;
  if (format == LogFormat::kLocal && logrec::IsRecordLog(fd.get())) {
    MYDOCKER_ASSIGN_OR_RETURN(off_t end, logrec::IntactEnd(fd.get(), size));
    if (end != size && ::ftruncate(fd.get(), end) < 0) {
      return LastErrnoError(absl::StrCat("truncate the torn end of log ", path));
    }
    size = end;
  }
  return LogWriter(std::move(fd), format, path, rotation, size);
}

void LogWriter::Rotate() {
  if (rotation_.max_file <= 1) {
    if (::ftruncate(fd_.get(), 0) == 0) size_ = 0;
    return;
  }
  // PATH.(N-1) is dropped by the rename over it; every other file moves one up.
  for (int i = rotation_.max_file - 1; i >= 1; --i) {
    std::string from = i == 1 ? path_ : absl::StrCat(path_, ".", i - 1);
    ::rename(from.c_str(), absl::StrCat(path_, ".", i).c_str());
  }
  UniqueFd fd(::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd) return;  // the renamed file stays the current one: writing goes on there
  fd_ = std::move(fd);
  size_ = 0;
}

std::string LogWriter::Encode(absl::string_view stream, absl::string_view text,
                              absl::string_view time) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("log");
  // JSON holds Unicode: what is not UTF-8 becomes U+FFFD, as in Docker's json-file log.
  const std::string valid = ValidUtf8(text);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
  w.Key("stream");
  w.String(stream.data(), static_cast<rapidjson::SizeType>(stream.size()));
  w.Key("time");
  w.String(time.data(), static_cast<rapidjson::SizeType>(time.size()));
  w.EndObject();
  return absl::StrCat(absl::string_view(buf.GetString(), buf.GetSize()), "\n");
}

void LogWriter::Emit(absl::string_view stream, absl::string_view text) {
  Append(Encode(stream, text, FormatRfc3339(absl::Now())));
}

void LogWriter::Append(std::string record) {
  // A log write that fails (disk full) must not stop the container's output from flowing: the
  // record is kept for Retry (the monitor frees its reserve to record the end).
  if (!Retry()) return Keep(std::move(record), false);
  if (rotation_.max_size > 0 && size_ > 0 &&
      size_ + static_cast<int64_t>(record.size()) > rotation_.max_size) {
    Rotate();
  }
  size_t written = Write(record);
  if (written < record.size()) Keep(record.substr(written), written > 0);
}

size_t LogWriter::Write(absl::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  size_ += static_cast<int64_t>(done);
  return done;
}

void LogWriter::Keep(std::string rest, bool partial) {
  if (unwritten_.empty()) front_partial_ = partial;
  unwritten_bytes_ += rest.size();
  unwritten_.push_back(std::move(rest));
  // The oldest whole records go first; the end of one begun in the file and the newest stay.
  size_t drop = front_partial_ ? 1 : 0;
  while (unwritten_bytes_ > kMaxUnwritten && drop + 1 < unwritten_.size()) {
    unwritten_bytes_ -= unwritten_[drop].size();
    unwritten_.erase(unwritten_.begin() + static_cast<std::ptrdiff_t>(drop));
  }
}

bool LogWriter::Retry() {
  while (!unwritten_.empty()) {
    std::string& first = unwritten_.front();
    size_t n = Write(first);
    unwritten_bytes_ -= n;
    if (n < first.size()) {
      first.erase(0, n);
      front_partial_ = front_partial_ || n > 0;
      return false;
    }
    unwritten_.pop_front();
    front_partial_ = false;
  }
  return true;
}

void LogWriter::Add(absl::string_view stream, absl::string_view data) {
  if (format_ == LogFormat::kNone) return;
  if (format_ == LogFormat::kLocal) {
    const auto which = stream == "stderr" ? logrec::Stream::kStderr : logrec::Stream::kStdout;
    const int64_t overhead = static_cast<int64_t>(logrec::kOverhead);
    while (!data.empty()) {
      // A record fills what is left of the file before rotation (or a whole new file).
      int64_t most = logrec::kMaxPayload;
      if (rotation_.max_size > overhead) {
        int64_t room = rotation_.max_size - size_ - overhead;
        most = std::min(most, room > 0 ? room : rotation_.max_size - overhead);
      }
      absl::string_view piece = data.substr(0, static_cast<size_t>(most));
      bool& mid_line = mid_line_[logrec::StreamIndex(which)];
      Append(logrec::Encode(which, piece, absl::Now(), mid_line));
      mid_line = piece.back() != '\n';
      data.remove_prefix(piece.size());
    }
    return;
  }
  std::string& pending = Pending(stream);
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == absl::string_view::npos) {
      pending.append(data.data(), data.size());
      if (pending.size() >= kMaxPartialLine) Flush(stream);
      return;
    }
    if (pending.empty()) {
      Emit(stream, data.substr(0, nl + 1));
    } else {
      pending.append(data.data(), nl + 1);
      Emit(stream, pending);
      pending.clear();
    }
    data.remove_prefix(nl + 1);
  }
}

void LogWriter::Flush(absl::string_view stream) {
  std::string& pending = Pending(stream);
  if (pending.empty()) return;
  Emit(stream, pending);
  pending.clear();
}

}  // namespace mydocker::process
