#include "template/value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mydocker/utf8.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace mydocker::cli::tmpl {

namespace {
const std::vector<Value> kNoItems;
const Value::Fields kNoFields;
constexpr int kMaxJsonDepth = 64;
}  // namespace

Value Value::Nil() {
  Value v;
  v.kind_ = Kind::kNil;
  return v;
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.b_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.i_ = i;
  return v;
}

Value Value::Float(double d) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.d_ = d;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.s_ = std::move(s);
  return v;
}

Value Value::List(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kList;
  auto c = std::make_shared<Composite>();
  c->type = "[]interface {}";
  c->items = std::move(items);
  v.c_ = std::move(c);
  return v;
}

Value Value::Map(Fields entries, Methods methods) {
  // Stable, so that of a key given twice the last one ends last and is kept.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Fields unique;
  unique.reserve(entries.size());
  for (auto& e : entries) {
    if (!unique.empty() && unique.back().first == e.first) {
      unique.back().second = std::move(e.second);
    } else {
      unique.push_back(std::move(e));
    }
  }
  Value v;
  v.kind_ = Kind::kMap;
  auto c = std::make_shared<Composite>();
  c->type = "map[string]interface {}";
  c->fields = std::move(unique);
  c->methods = std::move(methods);
  v.c_ = std::move(c);
  return v;
}

Value Value::Struct(std::string type, Fields fields, Methods methods) {
  Value v;
  v.kind_ = Kind::kStruct;
  auto c = std::make_shared<Composite>();
  c->type = std::move(type);
  c->fields = std::move(fields);
  c->methods = std::move(methods);
  v.c_ = std::move(c);
  return v;
}

const std::vector<Value>& Value::items() const { return c_ ? c_->items : kNoItems; }
const Value::Fields& Value::fields() const { return c_ ? c_->fields : kNoFields; }

const Value* Value::Find(absl::string_view name) const {
  if (kind_ == Kind::kMap) {
    auto it = std::lower_bound(c_->fields.begin(), c_->fields.end(), name,
                               [](const auto& e, absl::string_view n) { return e.first < n; });
    return it != c_->fields.end() && it->first == name ? &it->second : nullptr;
  }
  if (kind_ == Kind::kStruct) {
    for (const auto& f : c_->fields) {
      if (f.first == name) return &f.second;
    }
  }
  return nullptr;
}

const Method* Value::FindMethod(absl::string_view name) const {
  if (!c_) return nullptr;
  auto it = c_->methods.find(name);
  return it == c_->methods.end() ? nullptr : &it->second;
}

std::string Value::TypeName() const {
  switch (kind_) {
    case Kind::kNoValue:
      return "<no value>";
    case Kind::kNil:
      return "interface {}";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float64";
    case Kind::kString:
      return "string";
    default:
      return c_->type;
  }
}

bool Value::Truth() const {
  switch (kind_) {
    case Kind::kNoValue:
    case Kind::kNil:
      return false;
    case Kind::kBool:
      return b_;
    case Kind::kInt:
      return i_ != 0;
    case Kind::kFloat:
      return d_ != 0;
    case Kind::kString:
      return !s_.empty();
    case Kind::kList:
      return !c_->items.empty();
    case Kind::kMap:
      return !c_->fields.empty();
    case Kind::kStruct:
      return true;
  }
  return false;
}

int64_t Value::Length() const {
  switch (kind_) {
    case Kind::kString:
      return static_cast<int64_t>(s_.size());
    case Kind::kList:
      return static_cast<int64_t>(c_->items.size());
    case Kind::kMap:
      return static_cast<int64_t>(c_->fields.size());
    default:
      return -1;
  }
}

namespace {

absl::StatusOr<Value> FromJson(const rapidjson::Value& j, const std::set<std::string>& map_keys,
                               const std::string& type, bool as_map, int depth) {
  if (depth > kMaxJsonDepth) {
    return absl::InvalidArgumentError("template data nests too deeply");
  }
  switch (j.GetType()) {
    case rapidjson::kNullType:
      return Value::Nil();
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return Value::Bool(j.GetBool());
    case rapidjson::kStringType:
      return Value::String(std::string(j.GetString(), j.GetStringLength()));
    case rapidjson::kNumberType:
      if (j.IsInt64()) return Value::Int(j.GetInt64());
      return Value::Float(j.GetDouble());
    case rapidjson::kArrayType: {
      std::vector<Value> items;
      items.reserve(j.Size());
      for (const auto& e : j.GetArray()) {
        auto v = FromJson(e, map_keys, "struct", false, depth + 1);
        if (!v.ok()) return v.status();
        items.push_back(*std::move(v));
      }
      return Value::List(std::move(items));
    }
    case rapidjson::kObjectType: {
      Value::Fields fields;
      fields.reserve(j.MemberCount());
      for (const auto& m : j.GetObject()) {
        std::string key(m.name.GetString(), m.name.GetStringLength());
        // Objects in a map are structs again (NetworkSettings.Networks.bridge).
        bool child_map = !as_map && m.value.IsObject() &&
                         (map_keys.count(key) > 0 || map_keys.count(absl::StrCat(type, ".", key)));
        auto v = FromJson(m.value, map_keys, key, child_map, depth + 1);
        if (!v.ok()) return v.status();
        fields.emplace_back(std::move(key), *std::move(v));
      }
      if (as_map) return Value::Map(std::move(fields));
      return Value::Struct(type, std::move(fields));
    }
  }
  return Value();
}

// The shortest decimal digits that read back as `d` (> 0, finite), and the position of the
// decimal point: d = 0.<digits> * 10^point.
void ShortestDigits(double d, std::string* digits, int* point) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  digits->clear();
  const char* p = buf;
  for (; *p != 'e'; ++p) {
    if (*p >= '0' && *p <= '9') digits->push_back(*p);
  }
  *point = std::atoi(p + 1) + 1;
  while (digits->size() > 1 && digits->back() == '0') digits->pop_back();
}

std::string ExponentForm(const std::string& digits, int point) {
  std::string out(1, digits[0]);
  if (digits.size() > 1) absl::StrAppend(&out, ".", digits.substr(1));
  int exp = point - 1;
  absl::StrAppend(&out, "e", exp < 0 ? "-" : "+", absl::StrFormat("%02d", exp < 0 ? -exp : exp));
  return out;
}

std::string DecimalForm(const std::string& digits, int point) {
  int n = static_cast<int>(digits.size());
  if (point <= 0) return absl::StrCat("0.", std::string(-point, '0'), digits);
  if (point >= n) return absl::StrCat(digits, std::string(point - n, '0'));
  return absl::StrCat(digits.substr(0, point), ".", digits.substr(point));
}

// Go's float formatting: `json` picks decimal or exponent form by magnitude, %v by exponent.
std::string FormatFloat(double d, bool for_json) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  if (d == 0) return std::signbit(d) && !for_json ? "-0" : "0";
  std::string sign = d < 0 ? "-" : "";
  std::string digits;
  int point = 0;
  ShortestDigits(std::fabs(d), &digits, &point);
  int exp = point - 1;
  bool exponent = for_json ? (std::fabs(d) < 1e-6 || std::fabs(d) >= 1e21) : (exp < -4 || exp >= 6);
  if (!exponent) return sign + DecimalForm(digits, point);
  std::string e = ExponentForm(digits, point);
  // encoding/json writes e-7, not e-07.
  if (for_json && e.size() >= 4 && e[e.size() - 3] == '-' && e[e.size() - 2] == '0') {
    e.erase(e.size() - 2, 1);
  }
  return sign + e;
}

// Booleans and integers read the same in Go's %v and in JSON.
void AppendBoolOrInt(const Value& v, std::string* out) {
  if (v.kind() == Value::Kind::kBool) {
    out->append(v.bool_value() ? "true" : "false");
  } else {
    absl::StrAppend(out, v.int_value());
  }
}

void AppendGoString(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kNoValue:
      out->append("<no value>");
      return;
    case Value::Kind::kNil:
      out->append("<nil>");
      return;
    case Value::Kind::kBool:
    case Value::Kind::kInt:
      AppendBoolOrInt(v, out);
      return;
    case Value::Kind::kFloat:
      out->append(GoFloat(v.float_value()));
      return;
    case Value::Kind::kString:
      out->append(v.string_value());
      return;
    case Value::Kind::kList:
      out->push_back('[');
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i > 0) out->push_back(' ');
        AppendGoString(v.items()[i], out);
      }
      out->push_back(']');
      return;
    case Value::Kind::kMap:
    case Value::Kind::kStruct: {
      bool map = v.kind() == Value::Kind::kMap;
      out->append(map ? "map[" : "{");
      for (size_t i = 0; i < v.fields().size(); ++i) {
        if (i > 0) out->push_back(' ');
        if (map) absl::StrAppend(out, v.fields()[i].first, ":");
        AppendGoString(v.fields()[i].second, out);
      }
      out->push_back(map ? ']' : '}');
      return;
    }
  }
}

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  while (!s.empty()) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(s, &cp);
    if (n == 0) {
      out->append("\\ufffd");
      s.remove_prefix(1);
      continue;
    }
    if (cp == '"' || cp == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(cp));
    } else if (cp == '\n') {
      out->append("\\n");
    } else if (cp == '\r') {
      out->append("\\r");
    } else if (cp == '\t') {
      out->append("\\t");
    } else if (cp == '\b') {
      out->append("\\b");
    } else if (cp == '\f') {
      out->append("\\f");
    } else if (cp < 0x20 || cp == 0x2028 || cp == 0x2029) {
      out->append(absl::StrFormat("\\u%04x", cp));
    } else {
      out->append(s.data(), n);
    }
    s.remove_prefix(n);
  }
  out->push_back('"');
}

void AppendJson(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kNoValue:
    case Value::Kind::kNil:
      out->append("null");
      return;
    case Value::Kind::kBool:
    case Value::Kind::kInt:
      AppendBoolOrInt(v, out);
      return;
    case Value::Kind::kFloat:
      // encoding/json refuses NaN and infinities; Docker's json then panics. null is kinder.
      if (!std::isfinite(v.float_value())) {
        out->append("null");
      } else {
        out->append(FormatFloat(v.float_value(), true));
      }
      return;
    case Value::Kind::kString:
      AppendJsonString(v.string_value(), out);
      return;
    case Value::Kind::kList:
      out->push_back('[');
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJson(v.items()[i], out);
      }
      out->push_back(']');
      return;
    case Value::Kind::kMap:
    case Value::Kind::kStruct:
      out->push_back('{');
      for (size_t i = 0; i < v.fields().size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonString(v.fields()[i].first, out);
        out->push_back(':');
        AppendJson(v.fields()[i].second, out);
      }
      out->push_back('}');
      return;
  }
}

}  // namespace

absl::StatusOr<Value> ValueFromJson(absl::string_view json, const std::set<std::string>& map_keys,
                                    const std::string& root_type) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "template data is not JSON: ", rapidjson::GetParseError_En(doc.GetParseError())));
  }
  return FromJson(doc, map_keys, root_type, false, 0);
}

const std::set<std::string>& DockerMapKeys() {
  static const auto* keys = new std::set<std::string>{
      "Labels",           "Options",      "Networks",    "Ports",  "PortBindings",
      "ExposedPorts",     "Volumes",      "Sysctls",     "Tmpfs",  "StorageOpt",
      "DriverOpts",       "Annotations",  "annotations", "sysctl", "Data",
      "LogConfig.Config", "IPAM.Options", "Containers",  "Status"};
  return *keys;
}

std::string GoString(const Value& v) {
  std::string out;
  AppendGoString(v, &out);
  return out;
}

std::string GoFloat(double d) { return FormatFloat(d, false); }

std::string GoJson(const Value& v) {
  std::string out;
  AppendJson(v, &out);
  return out;
}

}  // namespace mydocker::cli::tmpl
