// Internal helpers for mydocker's JSON records (config.json, state.json) over RapidJSON.
//
// Records are read from files that may be truncated, corrupted or written by someone hostile.
// RapidJSON asserts (or, with NDEBUG, reads the wrong union member) when a value is accessed as
// the wrong type, so every access here checks the type first and turns a mismatch into an
// InvalidArgument status naming the field ("process.user.uid must be an integer between ...").
#ifndef MYDOCKER_JSON_UTIL_H_
#define MYDOCKER_JSON_UTIL_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mydocker {

namespace json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Parses `text` into `doc` and requires the root to be an object. `what` names the record in
// messages ("config", "state"). The iterative parser is used so that deeply nested input cannot
// exhaust the stack.
absl::Status Parse(absl::string_view text, const char* what, rapidjson::Document* doc);

// Refuses (InvalidArgument "<what>: ...") a document whose arrays and objects nest more than
// `max_depth` levels, or with an object that has a key twice. Parsing is iterative, but writing
// a value back out (Accept) and our own walkers recurse: documents stored from outside are
// bounded here when they come in. Duplicate keys: RapidJSON's FindMember takes the first, Go's
// encoding/json (Docker, containerd) the last, so such a document would mean two things.
absl::Status CheckStructure(const rapidjson::Value& root, int max_depth, absl::string_view what);

// The nesting allowed in documents that come from outside (image configs, manifests, indexes);
// real ones need 4 or 5.
inline constexpr int kMaxForeignDepth = 64;

void Key(Writer& w, absl::string_view key);
void String(Writer& w, absl::string_view value);
void KeyString(Writer& w, absl::string_view key, absl::string_view value);
void KeyStringArray(Writer& w, absl::string_view key, const std::vector<std::string>& values);
void KeyBool(Writer& w, absl::string_view key, bool value);
void KeyInt(Writer& w, absl::string_view key, int64_t value);
void KeyUint(Writer& w, absl::string_view key, uint64_t value);
// Written only when set.
void KeyOptional(Writer& w, absl::string_view key, const std::optional<int64_t>& value);
void KeyOptional(Writer& w, absl::string_view key, const std::optional<uint64_t>& value);
void KeyOptional(Writer& w, absl::string_view key, const std::optional<uint32_t>& value);

// "key": {...} with the members `members()` writes.
template <typename Fn>
void KeyObject(Writer& w, absl::string_view key, Fn&& members) {
  Key(w, key);
  w.StartObject();
  members();
  w.EndObject();
}

// "key": [{...}, ...]: one object an item, with the members `members(item)` writes.
template <typename Items, typename Fn>
void KeyObjectArray(Writer& w, absl::string_view key, const Items& items, Fn&& members) {
  Key(w, key);
  w.StartArray();
  for (const auto& item : items) {
    w.StartObject();
    members(item);
    w.EndObject();
  }
  w.EndArray();
}

// "must be an integer between MIN and MAX" for T.
template <typename T>
std::string IntegerRangeMessage(const std::string& path) {
  return absl::StrCat(path, " must be an integer between ", std::numeric_limits<T>::min(), " and ",
                      std::numeric_limits<T>::max());
}

// Converts `v` to the integer type T, refusing fractions and values out of T's range.
template <typename T>
bool TryInteger(const rapidjson::Value& v, T* out) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  if constexpr (std::is_signed_v<T>) {
    if (v.IsInt64() && std::in_range<T>(v.GetInt64())) {
      *out = static_cast<T>(v.GetInt64());
      return true;
    }
  } else {
    if (v.IsUint64() && std::in_range<T>(v.GetUint64())) {
      *out = static_cast<T>(v.GetUint64());
      return true;
    }
  }
  return false;
}

template <typename T>
absl::Status ToInteger(const rapidjson::Value& v, const std::string& path, T* out) {
  if (TryInteger(v, out)) return absl::OkStatus();
  return absl::InvalidArgumentError(IntegerRangeMessage<T>(path));
}

// A checked view of one JSON object. Absent members and members set to null are treated alike
// (Go encoders write null for empty slices): getters leave the output unchanged.
// The viewed value must outlive the reader.
class ObjectReader {
 public:
  // InvalidArgument ("<path> must be an object") if `value` is not an object.
  static absl::StatusOr<ObjectReader> Make(const rapidjson::Value& value, std::string path);

  // The path of member `key` for messages: "process.args", or "id" at the top level.
  std::string FieldPath(absl::string_view key) const;

  // The member, or nullptr if absent or null.
  const rapidjson::Value* Find(const char* key) const;

  absl::Status GetString(const char* key, std::string* out) const;
  absl::Status GetBool(const char* key, bool* out) const;
  absl::Status GetStringArray(const char* key, std::vector<std::string>* out) const;
  // An object of strings ({"k": "v", ...}), its members appended to `out` in document order.
  absl::Status GetStringMap(const char* key,
                            std::vector<std::pair<std::string, std::string>>* out) const;

  template <typename T>
  absl::Status GetInteger(const char* key, T* out) const {
    const rapidjson::Value* v = Find(key);
    if (v == nullptr || TryInteger(*v, out)) return absl::OkStatus();
    return ToInteger(*v, FieldPath(key), out);
  }

  template <typename T>
  absl::Status GetInteger(const char* key, std::optional<T>* out) const {
    const rapidjson::Value* v = Find(key);
    if (v == nullptr) return absl::OkStatus();
    T n{};
    if (!TryInteger(*v, &n)) return ToInteger(*v, FieldPath(key), &n);
    *out = n;
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status GetIntegerArray(const char* key, std::vector<T>* out) const {
    absl::StatusOr<const rapidjson::Value*> array = GetArray(key);
    if (!array.ok() || *array == nullptr) return array.status();
    std::vector<T> result;
    for (rapidjson::SizeType i = 0; i < (*array)->Size(); ++i) {
      T n{};
      if (!TryInteger((**array)[i], &n)) return ToInteger((**array)[i], ElementPath(key, i), &n);
      result.push_back(n);
    }
    *out = std::move(result);
    return absl::OkStatus();
  }

  // The member if it is an array, nullptr if absent, InvalidArgument if another type.
  absl::StatusOr<const rapidjson::Value*> GetArray(const char* key) const;
  // The member as an object reader, nullopt if absent, InvalidArgument if another type.
  absl::StatusOr<std::optional<ObjectReader>> GetObject(const char* key) const;

  // "mounts[3]".
  std::string ElementPath(absl::string_view key, size_t index) const;

 private:
  ObjectReader(const rapidjson::Value& value, std::string path)
      : value_(&value), path_(std::move(path)) {}

  const rapidjson::Value* value_;
  std::string path_;
};

// Copies a JSON string (which may hold any bytes) refusing NUL: our strings end up as paths,
// argv and environment entries, where a NUL would silently truncate them.
absl::StatusOr<std::string> ToString(const rapidjson::Value& v, const std::string& path);

}  // namespace json
}  // namespace mydocker

#endif  // MYDOCKER_JSON_UTIL_H_
