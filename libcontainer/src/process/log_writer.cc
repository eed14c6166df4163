#include "process/log_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
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

absl::StatusOr<LogWriter> LogWriter::Open(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd) return LastErrnoError(absl::StrCat("open log ", path));
  return LogWriter(std::move(fd));
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
  std::string line = Encode(stream, text, FormatRfc3339(absl::Now()));
  // A log write that fails (disk full) must not stop the container's output from flowing: the
  // record is kept for Retry (the monitor frees its reserve to record the end).
  if (!Retry()) return Keep(std::move(line), false);
  size_t written = Write(line);
  if (written < line.size()) Keep(line.substr(written), written > 0);
}

size_t LogWriter::Write(absl::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
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
