// Reading a container's log, line by line, with the stream and the time each line was written.
// The log is mydocker's compact records (the "local" driver, the default: one record per read
// of the output, docs/logs.md) or Docker's json-file format, one JSON object per line of output
// ({"log":"text\n","stream":"stdout","time":"..."}).
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
  // Only lines written from `since` up to `until` (Docker's --since and --until).
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
  // Called whenever every line the log holds so far has been given out, before waiting for
  // more (a CLI flushes its output there rather than after each line).
  std::function<void()> caught_up;
};

// Docker's --since/--until value: an RFC 3339 time (with or without fractions; without a zone
// it is in local time; a date alone is midnight), a Unix time in seconds with optional
// fraction ("1700000000.5"), or a Go duration before `now` ("10m", "1h30m").
absl::StatusOr<absl::Time> ParseLogTime(absl::string_view value, absl::Time now);

// Receives entries in order; returns false to stop reading (the reader went away).
using LogSink = std::function<bool(const LogEntry&)>;

}  // namespace mydocker

#endif  // MYDOCKER_LOGS_H_
