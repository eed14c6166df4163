#include "views/view_json.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "rapidjson/document.h"
#include "rapidjson/prettywriter.h"

namespace mydocker::views {

std::string Styled(const rapidjson::StringBuffer& buf, JsonStyle style) {
  if (style == JsonStyle::kCompact) return std::string(buf.GetString(), buf.GetSize());
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(buf.GetString(), buf.GetSize());
  rapidjson::StringBuffer out;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(out);
  w.SetIndent(' ', 4);
  doc.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

void KeyOptionalInt(json::Writer& w, absl::string_view key, const std::optional<int>& value) {
  json::Key(w, key);
  if (value) {
    w.Int(*value);
  } else {
    w.Null();
  }
}

std::string Array(const std::vector<std::string>& objects, JsonStyle style) {
  if (style == JsonStyle::kCompact) return absl::StrCat("[", absl::StrJoin(objects, ","), "]");
  if (objects.empty()) return "[]";
  // As `docker inspect` prints: each element one level in.
  std::vector<std::string> indented;
  for (const std::string& object : objects) {
    indented.push_back(absl::StrCat("    ", absl::StrReplaceAll(object, {{"\n", "\n    "}})));
  }
  return absl::StrCat("[\n", absl::StrJoin(indented, ",\n"), "\n]");
}

}  // namespace mydocker::views
