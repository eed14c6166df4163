// ApplyChange: the Dockerfile instructions `commit --change` and `import --change` accept.
#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "mydocker/image_store.h"
#include "mydocker/status_macros.h"
#include "rapidjson/document.h"

namespace mydocker {
namespace {

using Words = std::vector<std::string>;

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("invalid --change: ", what));
}

// Words separated by blanks; "..." and '...' group (the quotes dropped), a backslash escapes
// the next character outside single quotes: what the Dockerfile parser does for ENV and LABEL.
absl::StatusOr<Words> SplitWords(absl::string_view text) {
  Words words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote == 0 && (c == ' ' || c == '\t')) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && quote != '\'' && i + 1 < text.size()) {
      word += text[++i];
    } else if (quote == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (c == quote) {
      quote = 0;
    } else {
      word += c;
    }
  }
  if (quote != 0) return Bad(absl::StrCat("unmatched quote in \"", text, "\""));
  if (in_word) words.push_back(std::move(word));
  return words;
}

// A JSON array of strings ("exec form"); nullopt when `text` is not one (then shell form).
std::optional<Words> JsonForm(absl::string_view text) {
  if (!absl::StartsWith(text, "[")) return std::nullopt;
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsArray()) return std::nullopt;
  Words out;
  for (const auto& v : doc.GetArray()) {
    if (!v.IsString()) return std::nullopt;
    out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

Words CommandForm(absl::string_view text) {
  if (std::optional<Words> json = JsonForm(text)) return *json;
  return {"/bin/sh", "-c", std::string(text)};
}

// KEY=VALUE pairs, or the legacy "KEY VALUE..." form (one pair, the rest is the value).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Pairs(absl::string_view keyword,
                                                                       absl::string_view text) {
  MYDOCKER_ASSIGN_OR_RETURN(Words words, SplitWords(text));
  std::vector<std::pair<std::string, std::string>> out;
  if (words.empty()) return Bad(absl::StrCat(keyword, " requires at least one argument"));
  if (words[0].find('=') == std::string::npos) {
    if (words.size() < 2) return Bad(absl::StrCat(keyword, " ", words[0], " needs a value"));
    std::string value(absl::StripAsciiWhitespace(text.substr(text.find_first_of(" \t"))));
    MYDOCKER_ASSIGN_OR_RETURN(Words rest, SplitWords(value));
    out.emplace_back(words[0], absl::StrJoin(rest, " "));
    return out;
  }
  for (const std::string& word : words) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) {
      return Bad(absl::StrCat(keyword, " names must be KEY=VALUE: \"", word, "\""));
    }
    if (eq == 0) return Bad(absl::StrCat(keyword, " names can not be blank"));
    out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
  }
  return out;
}

void SetEnv(std::vector<std::string>* env, const std::string& key, const std::string& value) {
  auto it = std::find_if(env->begin(), env->end(), [&](const std::string& e) {
    return e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=';
  });
  std::string entry = absl::StrCat(key, "=", value);
  if (it != env->end()) {
    *it = entry;
  } else {
    env->push_back(entry);
  }
}

absl::Status Expose(absl::string_view text, CommitConfig* config) {
  MYDOCKER_ASSIGN_OR_RETURN(Words words, SplitWords(text));
  if (words.empty()) return Bad("EXPOSE requires at least one argument");
  for (const std::string& word : words) {
    std::pair<std::string, std::string> parts = absl::StrSplit(word, absl::MaxSplits('/', 1));
    std::string proto = parts.second.empty() ? "tcp" : absl::AsciiStrToLower(parts.second);
    int port = 0;
    if (!absl::SimpleAtoi(parts.first, &port) || port < 1 || port > 65535 ||
        (proto != "tcp" && proto != "udp" && proto != "sctp")) {
      return Bad(absl::StrCat("invalid port \"", word, "\" in EXPOSE"));
    }
    config->exposed_ports.push_back(absl::StrCat(port, "/", proto));
  }
  return absl::OkStatus();
}

// One --NAME=VALUE option of HEALTHCHECK.
absl::Status HealthcheckOption(absl::string_view option, HealthConfig* check) {
  std::pair<std::string, std::string> kv =
      absl::StrSplit(option.substr(2), absl::MaxSplits('=', 1));
  const auto& [name, value] = kv;
  if (name == "retries") {
    if (!absl::SimpleAtoi(value, &check->retries) || check->retries < 0) {
      return Bad(absl::StrCat("HEALTHCHECK --retries must be a number, at least 0: ", value));
    }
    return absl::OkStatus();
  }
  absl::Duration* d = name == "interval"         ? &check->interval
                      : name == "timeout"        ? &check->timeout
                      : name == "start-period"   ? &check->start_period
                      : name == "start-interval" ? &check->start_interval
                                                 : nullptr;
  if (d == nullptr) return Bad(absl::StrCat("unknown flag of HEALTHCHECK: --", name));
  if (!absl::ParseDuration(value, d) || *d < absl::ZeroDuration() ||
      *d == absl::InfiniteDuration()) {
    return Bad(absl::StrCat("HEALTHCHECK --", name, ": invalid duration \"", value, "\""));
  }
  return absl::OkStatus();
}

// HEALTHCHECK NONE, or HEALTHCHECK [--interval=D ...] CMD command (shell or JSON form).
absl::StatusOr<HealthConfig> ParseHealthcheck(absl::string_view rest) {
  HealthConfig check;
  while (absl::StartsWith(rest, "--")) {
    size_t end = rest.find_first_of(" \t");
    MYDOCKER_RETURN_IF_ERROR(HealthcheckOption(rest.substr(0, end), &check));
    rest =
        end == absl::string_view::npos ? "" : absl::StripLeadingAsciiWhitespace(rest.substr(end));
  }
  size_t blank = rest.find_first_of(" \t");
  std::string type = absl::AsciiStrToUpper(rest.substr(0, blank));
  absl::string_view command =
      blank == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(rest.substr(blank));
  if (type == "NONE" && command.empty() && check == HealthConfig()) {
    check.test = {"NONE"};
  } else if (type == "CMD" && !command.empty()) {
    std::optional<Words> json = JsonForm(command);
    check.test = json ? Words{"CMD"} : Words{"CMD-SHELL", std::string(command)};
    if (json) check.test.insert(check.test.end(), json->begin(), json->end());
  } else {
    return Bad(absl::StrCat("HEALTHCHECK wants NONE or [OPTIONS] CMD command: \"", rest, "\""));
  }
  MYDOCKER_RETURN_IF_ERROR(ValidateHealthConfig(check));
  return check;
}

absl::Status Apply(const std::string& keyword, absl::string_view rest, CommitConfig* config) {
  if (keyword == "CMD") {
    config->cmd = CommandForm(rest);
  } else if (keyword == "ENTRYPOINT") {
    config->entrypoint = CommandForm(rest);
  } else if (keyword == "ENV") {
    MYDOCKER_ASSIGN_OR_RETURN(auto pairs, Pairs(keyword, rest));
    if (!config->env) config->env.emplace();
    for (const auto& [key, value] : pairs) SetEnv(&*config->env, key, value);
  } else if (keyword == "LABEL") {
    MYDOCKER_ASSIGN_OR_RETURN(auto pairs, Pairs(keyword, rest));
    for (auto& [key, value] : pairs) config->labels[key] = value;
  } else if (keyword == "EXPOSE") {
    return Expose(rest, config);
  } else if (keyword == "USER") {
    config->user = std::string(rest);
  } else if (keyword == "WORKDIR") {
    std::string base = config->working_dir.value_or("/");
    config->working_dir = absl::StartsWith(rest, "/") ? std::string(rest)
                          : absl::EndsWith(base, "/") ? absl::StrCat(base, rest)
                                                      : absl::StrCat(base, "/", rest);
  } else if (keyword == "STOPSIGNAL") {
    config->stop_signal = std::string(rest);
  } else if (keyword == "HEALTHCHECK") {
    MYDOCKER_ASSIGN_OR_RETURN(config->healthcheck, ParseHealthcheck(rest));
  } else {  // VOLUME
    std::optional<Words> json = JsonForm(rest);
    Words paths;
    if (json) {
      paths = *json;
    } else {
      paths = absl::StrSplit(rest, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    }
    for (std::string& path : paths) {
      if (path.empty()) return Bad("VOLUME specified can not be an empty string");
      config->volumes.push_back(std::move(path));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyChange(absl::string_view instruction, CommitConfig* config) {
  absl::string_view text = absl::StripAsciiWhitespace(instruction);
  size_t blank = text.find_first_of(" \t");
  std::string keyword = absl::AsciiStrToUpper(text.substr(0, blank));
  absl::string_view rest =
      blank == absl::string_view::npos ? "" : absl::StripAsciiWhitespace(text.substr(blank));
  static const char* const kValid[] = {"CMD",        "ENTRYPOINT", "ENV",    "EXPOSE",
                                       "LABEL",      "USER",       "VOLUME", "WORKDIR",
                                       "STOPSIGNAL", "HEALTHCHECK"};
  static const char* const kOther[] = {"ADD",        "ARG",     "COPY", "FROM",
                                       "MAINTAINER", "ONBUILD", "RUN",  "SHELL"};
  if (keyword.empty()) return Bad("empty instruction");
  if (std::find(std::begin(kOther), std::end(kOther), keyword) != std::end(kOther)) {
    return absl::InvalidArgumentError(absl::StrCat(keyword, " is not a valid change command"));
  }
  if (std::find(std::begin(kValid), std::end(kValid), keyword) == std::end(kValid)) {
    return absl::InvalidArgumentError(
        absl::StrCat("dockerfile parse error line 1: unknown instruction: ", keyword));
  }
  if (rest.empty()) return Bad(absl::StrCat(keyword, " requires at least one argument"));
  return Apply(keyword, rest, config);
}

}  // namespace mydocker
