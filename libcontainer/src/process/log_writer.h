// Writes a container's output to its log: in mydocker's compact records, one per read of the
// output (the "local" driver, log_records.h), or as json-lines, one per line of output, in
// Docker's json-file format: {"log":"text\n","stream":"stdout","time":"2026-01-02T03:04:05.1Z"}.
#ifndef MYDOCKER_PROCESS_LOG_WRITER_H_
#define MYDOCKER_PROCESS_LOG_WRITER_H_

#include <deque>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/container_config.h"
#include "mydocker/unique_fd.h"

namespace mydocker::process {

enum class LogFormat { kLocal, kJsonFile, kNone };

// The format of a log driver's name ("local", "json-file", "none"; see LogConfig).
LogFormat ParseLogFormat(absl::string_view driver);

class LogWriter {
 public:
  // Opens `path` for appending (created 0640; kNone: nothing is opened and output is dropped).
  // A record log whose last record was torn (a crash
  // mid-write) is cut back to its last whole record first.
  // With `rotation`, once the file would pass max_size it is renamed PATH.1 (PATH.1 to PATH.2
  // and so on, the oldest beyond max_file removed) and a new one begun; with max_file 1 it is
  // cut back to empty instead.
  static absl::StatusOr<LogWriter> Open(const std::string& path, LogFormat format,
                                        LogRotation rotation = {});

  // Adds output of `stream` ("stdout" or "stderr"). Records: written at once, as one record.
  // json-file: complete lines are written at once, a partial line waits for its end (or for
  // 16 KiB, then it is written as it is).
  void Add(absl::string_view stream, absl::string_view data);
  // Writes what is left of a stream's partial line (at the stream's end).
  void Flush(absl::string_view stream);
  // Writes the records that could not be written (the disk was full), oldest first: the last
  // 64 KiB of them are kept, and written before anything newer so the log keeps its order.
  // True if nothing is left.
  bool Retry();

  // The json line for one record (exposed for tests and for `logs`).
  static std::string Encode(absl::string_view stream, absl::string_view text,
                            absl::string_view time);

 private:
  LogWriter(UniqueFd fd, LogFormat format, std::string path, LogRotation rotation, int64_t size)
      : fd_(std::move(fd)),
        format_(format),
        path_(std::move(path)),
        rotation_(rotation),
        size_(size) {}
  void Rotate();
  void Emit(absl::string_view stream, absl::string_view text);
  void Append(std::string record);
  size_t Write(absl::string_view data);  // bytes written before an error
  void Keep(std::string rest, bool partial);
  std::string& Pending(absl::string_view stream) { return stream == "stderr" ? err_ : out_; }

  UniqueFd fd_;
  LogFormat format_;
  std::string path_;
  LogRotation rotation_;
  int64_t size_;  // of the current file
  std::string out_;
  std::string err_;
  // Records: the stream's last byte written was not a newline (its next record continues it).
  bool mid_line_[2] = {false, false};
  std::deque<std::string> unwritten_;
  size_t unwritten_bytes_ = 0;
  bool front_partial_ = false;  // the file holds the start of unwritten_.front()
};

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_LOG_WRITER_H_
