#include "mydocker/logs.h"

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "json_util.h"
#include "mydocker/container_state.h"
#include "mydocker/status_macros.h"
#include "rapidjson/document.h"

namespace mydocker {

absl::StatusOr<LogEntry> ParseLogLine(absl::string_view line) {
  rapidjson::Document doc;
  doc.Parse(line.data(), line.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return absl::InvalidArgumentError("malformed log line");
  }
  LogEntry e;
  auto text = doc.FindMember("log");
  auto stream = doc.FindMember("stream");
  auto time = doc.FindMember("time");
  if (text == doc.MemberEnd() || !text->value.IsString() || stream == doc.MemberEnd() ||
      !stream->value.IsString()) {
    return absl::InvalidArgumentError("malformed log line");
  }
  e.text.assign(text->value.GetString(), text->value.GetStringLength());
  e.stream.assign(stream->value.GetString(), stream->value.GetStringLength());
  // Only the monitor writes the log, but a damaged file may hold anything: a line of no known
  // stream is as malformed as one that does not parse (a reader routes by stream).
  if (e.stream != "stdout" && e.stream != "stderr") {
    return absl::InvalidArgumentError("malformed log line: unknown stream");
  }
  e.time = absl::InfinitePast();
  if (time != doc.MemberEnd() && time->value.IsString()) {
    auto t = ParseTime(std::string(time->value.GetString(), time->value.GetStringLength()));
    if (t.ok()) e.time = *t;
  }
  return e;
}

absl::StatusOr<absl::Time> ParseLogTime(absl::string_view value, absl::Time now) {
  absl::Duration d;
  if (!value.empty() && !absl::ascii_isdigit(value.back()) && absl::ParseDuration(value, &d)) {
    return now - d;
  }
  // Unix seconds with an optional fraction of up to nine digits.
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(value, absl::MaxSplits('.', 1));
  int64_t seconds = 0;
  if (!parts.first.empty() && parts.second.size() <= 9 &&
      absl::c_all_of(parts.first, absl::ascii_isdigit) &&
      absl::c_all_of(parts.second, absl::ascii_isdigit) &&
      absl::SimpleAtoi(parts.first, &seconds)) {
    int64_t nanos = 0;
    if (!parts.second.empty()) {
      std::string digits(parts.second);
      digits.resize(9, '0');
      absl::SimpleAtoi(digits, &nanos);
    }
    return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  }
  if (absl::StatusOr<absl::Time> t = ParseTime(value); t.ok()) return *t;
  absl::Time t;
  std::string err;
  for (const char* format : {"%Y-%m-%dT%H:%M:%E*S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(format, value, absl::LocalTimeZone(), &t, &err)) return t;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid value for time \"", absl::CHexEscape(value),
      "\": want an RFC 3339 time (2006-01-02T15:04:05Z), Unix seconds or a duration (10m)"));
}

}  // namespace mydocker
