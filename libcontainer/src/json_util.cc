#include "json_util.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "absl/strings/escaping.h"
#include "rapidjson/error/en.h"

namespace mydocker::json {

absl::Status Parse(absl::string_view text, const char* what, rapidjson::Document* doc) {
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag;
  doc->Parse<kFlags>(text.data(), text.size());
  if (doc->HasParseError()) {
    // RapidJSON's messages are sentences ("Invalid value."); ours are lowercase fragments.
    std::string reason = rapidjson::GetParseError_En(doc->GetParseError());
    if (!reason.empty() && reason.back() == '.') reason.pop_back();
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", what, " json at offset ", doc->GetErrorOffset(), ": ", reason));
  }
  if (!doc->IsObject()) return absl::InvalidArgumentError(absl::StrCat(what, " must be an object"));
  return absl::OkStatus();
}

absl::Status CheckStructure(const rapidjson::Value& root, int max_depth, absl::string_view what) {
  // An explicit stack: this runs on exactly the documents that would overflow a recursive walk.
  std::vector<std::pair<const rapidjson::Value*, int>> pending = {{&root, 1}};
  while (!pending.empty()) {
    auto [value, depth] = pending.back();
    pending.pop_back();
    if (!value->IsArray() && !value->IsObject()) continue;
    if (depth > max_depth) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": arrays and objects nested more than ", max_depth, " deep"));
    }
    if (value->IsArray()) {
      for (const rapidjson::Value& v : value->GetArray()) pending.emplace_back(&v, depth + 1);
    } else {
      std::vector<absl::string_view> keys;
      for (const auto& m : value->GetObject()) {
        keys.emplace_back(m.name.GetString(), m.name.GetStringLength());
        pending.emplace_back(&m.value, depth + 1);
      }
      std::sort(keys.begin(), keys.end());
      auto twice = std::adjacent_find(keys.begin(), keys.end());
      if (twice != keys.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(what, ": key \"", absl::CHexEscape(*twice), "\" given twice"));
      }
    }
  }
  return absl::OkStatus();
}

void Key(Writer& w, absl::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

void String(Writer& w, absl::string_view value) {
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void KeyString(Writer& w, absl::string_view key, absl::string_view value) {
  Key(w, key);
  String(w, value);
}

void KeyStringArray(Writer& w, absl::string_view key, const std::vector<std::string>& values) {
  Key(w, key);
  w.StartArray();
  for (const std::string& v : values) String(w, v);
  w.EndArray();
}

void KeyBool(Writer& w, absl::string_view key, bool value) {
  Key(w, key);
  w.Bool(value);
}

void KeyInt(Writer& w, absl::string_view key, int64_t value) {
  Key(w, key);
  w.Int64(value);
}

void KeyUint(Writer& w, absl::string_view key, uint64_t value) {
  Key(w, key);
  w.Uint64(value);
}

void KeyOptional(Writer& w, absl::string_view key, const std::optional<int64_t>& value) {
  if (value) KeyInt(w, key, *value);
}

void KeyOptional(Writer& w, absl::string_view key, const std::optional<uint64_t>& value) {
  if (value) KeyUint(w, key, *value);
}

void KeyOptional(Writer& w, absl::string_view key, const std::optional<uint32_t>& value) {
  if (value) KeyUint(w, key, *value);
}

namespace {

// Whether ToString would accept `v`. The readers below check first and build the path for a
// message only when there is one to give: a config holds hundreds of strings.
bool IsCleanString(const rapidjson::Value& v) {
  return v.IsString() && std::memchr(v.GetString(), '\0', v.GetStringLength()) == nullptr;
}

}  // namespace

absl::StatusOr<std::string> ToString(const rapidjson::Value& v, const std::string& path) {
  if (!v.IsString()) return absl::InvalidArgumentError(path + " must be a string");
  if (!IsCleanString(v)) return absl::InvalidArgumentError(path + " must not contain a nul byte");
  return std::string(v.GetString(), v.GetStringLength());
}

absl::StatusOr<ObjectReader> ObjectReader::Make(const rapidjson::Value& value, std::string path) {
  if (!value.IsObject()) return absl::InvalidArgumentError(path + " must be an object");
  return ObjectReader(value, std::move(path));
}

std::string ObjectReader::FieldPath(absl::string_view key) const {
  return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", key);
}

std::string ObjectReader::ElementPath(absl::string_view key, size_t index) const {
  return absl::StrCat(FieldPath(key), "[", index, "]");
}

const rapidjson::Value* ObjectReader::Find(const char* key) const {
  auto it = value_->FindMember(key);
  if (it == value_->MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

absl::Status ObjectReader::GetString(const char* key, std::string* out) const {
  const rapidjson::Value* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!IsCleanString(*v)) return ToString(*v, FieldPath(key)).status();
  out->assign(v->GetString(), v->GetStringLength());
  return absl::OkStatus();
}

absl::Status ObjectReader::GetBool(const char* key, bool* out) const {
  const rapidjson::Value* v = Find(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->IsBool()) return absl::InvalidArgumentError(FieldPath(key) + " must be a boolean");
  *out = v->GetBool();
  return absl::OkStatus();
}

absl::StatusOr<const rapidjson::Value*> ObjectReader::GetArray(const char* key) const {
  const rapidjson::Value* v = Find(key);
  if (v != nullptr && !v->IsArray()) {
    return absl::InvalidArgumentError(FieldPath(key) + " must be an array");
  }
  return v;
}

absl::Status ObjectReader::GetStringArray(const char* key, std::vector<std::string>* out) const {
  absl::StatusOr<const rapidjson::Value*> array = GetArray(key);
  if (!array.ok() || *array == nullptr) return array.status();
  std::vector<std::string> result;
  result.reserve((*array)->Size());
  for (rapidjson::SizeType i = 0; i < (*array)->Size(); ++i) {
    const rapidjson::Value& v = (**array)[i];
    if (!IsCleanString(v)) return ToString(v, ElementPath(key, i)).status();
    result.emplace_back(v.GetString(), v.GetStringLength());
  }
  *out = std::move(result);
  return absl::OkStatus();
}

absl::Status ObjectReader::GetStringMap(
    const char* key, std::vector<std::pair<std::string, std::string>>* out) const {
  absl::StatusOr<std::optional<ObjectReader>> object = GetObject(key);
  if (!object.ok() || !object->has_value()) return object.status();
  for (const auto& m : Find(key)->GetObject()) {
    if (!IsCleanString(m.name)) return ToString(m.name, FieldPath(key)).status();
    std::string name(m.name.GetString(), m.name.GetStringLength());
    if (!IsCleanString(m.value)) return ToString(m.value, (*object)->FieldPath(name)).status();
    out->emplace_back(std::move(name), std::string(m.value.GetString(), m.value.GetStringLength()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<ObjectReader>> ObjectReader::GetObject(const char* key) const {
  const rapidjson::Value* v = Find(key);
  if (v == nullptr) return std::optional<ObjectReader>();
  absl::StatusOr<ObjectReader> reader = Make(*v, FieldPath(key));
  if (!reader.ok()) return reader.status();
  return std::optional<ObjectReader>(*std::move(reader));
}

}  // namespace mydocker::json
