#include "mydocker/logs.h"

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
  e.time = absl::InfinitePast();
  if (time != doc.MemberEnd() && time->value.IsString()) {
    auto t = ParseTime(std::string(time->value.GetString(), time->value.GetStringLength()));
    if (t.ok()) e.time = *t;
  }
  return e;
}

}  // namespace mydocker
