// Reading a container's log: json lines, one per line of output, with the stream and the time
// it was written ({"log":"text\n","stream":"stdout","time":"..."}, Docker's json-file format).
#ifndef MYDOCKER_LOGS_H_
#define MYDOCKER_LOGS_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mydocker {

struct LogEntry {
  std::string stream;  // "stdout" or "stderr"
  std::string text;    // with its trailing newline, if the line had one
  absl::Time time;
};

absl::StatusOr<LogEntry> ParseLogLine(absl::string_view line);

struct LogOptions {
  bool follow = false;         // keep reading until the container ends
  std::optional<size_t> tail;  // only the last N entries
  // With follow: a descriptor (e.g. an eventfd) that, once readable, ends the wait for more
  // output, so a reader on another thread can stop a follow of a silent container. -1: none.
  int cancel_fd = -1;
};

// Receives entries in order; returns false to stop reading (the reader went away).
using LogSink = std::function<bool(const LogEntry&)>;

}  // namespace mydocker

#endif  // MYDOCKER_LOGS_H_
