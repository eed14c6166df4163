#include "mydocker/health.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "json_util.h"
#include "mydocker/container_state.h"
#include "mydocker/status_macros.h"
#include "rapidjson/stringbuffer.h"

namespace mydocker {

bool HealthConfig::Enabled() const {
  return !test.empty() && (test[0] == "CMD" || test[0] == "CMD-SHELL");
}

absl::Status ValidateHealthConfig(const HealthConfig& c) {
  const std::pair<const char*, absl::Duration> durations[] = {{"Interval", c.interval},
                                                              {"Timeout", c.timeout},
                                                              {"StartPeriod", c.start_period},
                                                              {"StartInterval", c.start_interval}};
  for (const auto& [name, d] : durations) {
    if (d != absl::ZeroDuration() && (d < absl::Milliseconds(1) || d == absl::InfiniteDuration())) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " in Healthcheck cannot be less than 1ms"));
    }
  }
  if (c.retries < 0) return absl::InvalidArgumentError("Retries in Healthcheck cannot be negative");
  if (c.test.empty()) return absl::OkStatus();
  const std::string& kind = c.test[0];
  if (kind == "NONE") {
    if (c.test.size() > 1) return absl::InvalidArgumentError("Healthcheck NONE takes no arguments");
    return absl::OkStatus();
  }
  if (kind == "CMD-SHELL" && c.test.size() != 2) {
    return absl::InvalidArgumentError("Healthcheck CMD-SHELL takes exactly one command string");
  }
  if (kind == "CMD" && (c.test.size() < 2 || c.test[1].empty())) {
    return absl::InvalidArgumentError("Healthcheck CMD needs a command");
  }
  if (kind != "CMD" && kind != "CMD-SHELL") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown Healthcheck type \"", kind, "\": want CMD, CMD-SHELL or NONE"));
  }
  return absl::OkStatus();
}

std::optional<HealthConfig> MergeHealthConfig(const std::optional<HealthConfig>& container,
                                              const std::optional<HealthConfig>& image) {
  if (!container) return image;
  if (!image) return container;
  HealthConfig merged = *container;
  if (merged.test.empty()) merged.test = image->test;
  auto inherit = [](absl::Duration& mine, absl::Duration theirs) {
    if (mine == absl::ZeroDuration()) mine = theirs;
  };
  inherit(merged.interval, image->interval);
  inherit(merged.timeout, image->timeout);
  inherit(merged.start_period, image->start_period);
  inherit(merged.start_interval, image->start_interval);
  if (merged.retries == 0) merged.retries = image->retries;
  return merged;
}

std::vector<std::string> HealthCommand(const HealthConfig& config) {
  if (!config.Enabled()) return {};
  if (config.test[0] == "CMD-SHELL") return {"/bin/sh", "-c", config.test[1]};
  return std::vector<std::string>(config.test.begin() + 1, config.test.end());
}

namespace {

void KeyDuration(json::Writer& w, const char* key, absl::Duration d) {
  if (d != absl::ZeroDuration()) json::KeyInt(w, key, absl::ToInt64Nanoseconds(d));
}

absl::Status GetDuration(const json::ObjectReader& r, const char* key, absl::Duration* out) {
  int64_t ns = 0;
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger(key, &ns));
  *out = absl::Nanoseconds(ns);
  return absl::OkStatus();
}

std::string Finish(const rapidjson::StringBuffer& buf) {
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

std::string HealthConfigToJson(const HealthConfig& c) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  if (!c.test.empty()) json::KeyStringArray(w, "Test", c.test);
  KeyDuration(w, "Interval", c.interval);
  KeyDuration(w, "Timeout", c.timeout);
  KeyDuration(w, "StartPeriod", c.start_period);
  KeyDuration(w, "StartInterval", c.start_interval);
  if (c.retries != 0) json::KeyInt(w, "Retries", c.retries);
  w.EndObject();
  return Finish(buf);
}

absl::StatusOr<HealthConfig> HealthConfigFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "Healthcheck", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, "Healthcheck"));
  HealthConfig c;
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("Test", &c.test));
  MYDOCKER_RETURN_IF_ERROR(GetDuration(r, "Interval", &c.interval));
  MYDOCKER_RETURN_IF_ERROR(GetDuration(r, "Timeout", &c.timeout));
  MYDOCKER_RETURN_IF_ERROR(GetDuration(r, "StartPeriod", &c.start_period));
  MYDOCKER_RETURN_IF_ERROR(GetDuration(r, "StartInterval", &c.start_interval));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("Retries", &c.retries));
  return c;
}

std::string HealthStateToJson(const HealthState& s) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::KeyString(w, "Status", s.status);
  json::KeyInt(w, "FailingStreak", s.failing_streak);
  json::KeyObjectArray(w, "Log", s.log, [&](const HealthResult& r) {
    json::KeyString(w, "Start", FormatRfc3339(r.start));
    json::KeyString(w, "End", FormatRfc3339(r.end));
    json::KeyInt(w, "ExitCode", r.exit_code);
    json::KeyString(w, "Output", r.output);
  });
  w.EndObject();
  return Finish(buf);
}

namespace {

absl::Status GetTime(const json::ObjectReader& r, const char* key, absl::Time* out) {
  std::string text;
  MYDOCKER_RETURN_IF_ERROR(r.GetString(key, &text));
  MYDOCKER_ASSIGN_OR_RETURN(*out, ParseTime(text));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HealthState> HealthStateFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "health", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, "health"));
  HealthState s;
  MYDOCKER_RETURN_IF_ERROR(r.GetString("Status", &s.status));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("FailingStreak", &s.failing_streak));
  MYDOCKER_ASSIGN_OR_RETURN(const rapidjson::Value* log, r.GetArray("Log"));
  if (log == nullptr) return s;
  for (rapidjson::SizeType i = 0; i < log->Size() && i < kHealthLogEntries; ++i) {
    MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader e,
                              json::ObjectReader::Make((*log)[i], absl::StrCat("Log[", i, "]")));
    HealthResult result;
    MYDOCKER_RETURN_IF_ERROR(GetTime(e, "Start", &result.start));
    MYDOCKER_RETURN_IF_ERROR(GetTime(e, "End", &result.end));
    MYDOCKER_RETURN_IF_ERROR(e.GetInteger("ExitCode", &result.exit_code));
    MYDOCKER_RETURN_IF_ERROR(e.GetString("Output", &result.output));
    s.log.push_back(std::move(result));
  }
  return s;
}

namespace {

absl::Duration Or(absl::Duration d, absl::Duration fallback) {
  return d == absl::ZeroDuration() ? fallback : d;
}

bool InStartPeriod(const HealthState& state, const HealthConfig& config, absl::Time started,
                   absl::Time at) {
  return state.status == kHealthStarting && at - started < config.start_period;
}

}  // namespace

void RecordHealthResult(HealthState& state, HealthResult result, const HealthConfig& config,
                        absl::Time started) {
  if (result.exit_code == 0) {
    state.failing_streak = 0;
    state.status = kHealthHealthy;
  } else if (!InStartPeriod(state, config, started, result.start)) {
    state.failing_streak++;
    int retries = config.retries > 0 ? config.retries : kDefaultHealthRetries;
    if (state.failing_streak >= retries) state.status = kHealthUnhealthy;
  }
  state.log.push_back(std::move(result));
  if (state.log.size() > kHealthLogEntries) {
    state.log.erase(state.log.begin(), state.log.end() - kHealthLogEntries);
  }
}

absl::Duration HealthProbeDelay(const HealthState& state, const HealthConfig& config,
                                absl::Time started, absl::Time now) {
  if (InStartPeriod(state, config, started, now)) {
    return Or(config.start_interval, kDefaultHealthStartInterval);
  }
  return Or(config.interval, kDefaultHealthInterval);
}

absl::Duration HealthTimeout(const HealthConfig& config) {
  return Or(config.timeout, kDefaultHealthTimeout);
}

std::string TruncateHealthOutput(absl::string_view output) {
  return std::string(output.substr(0, kHealthOutputLimit));
}

}  // namespace mydocker
