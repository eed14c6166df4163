// The data a Go-style template (template.h) works on: what Go's text/template sees through
// reflection, reduced to the kinds Docker's formatting contexts and decoded JSON hold. A struct
// refuses an unknown field (Docker's typed contexts: `{{.Stauts}}` is an error), a map answers
// "<no value>" for a missing key (labels, options), and either may carry methods taking
// arguments (`{{.Label "k"}}`). Values are immutable and cheap to copy (composites are shared).
#ifndef MYDOCKER_TOOLS_TEMPLATE_VALUE_H_
#define MYDOCKER_TOOLS_TEMPLATE_VALUE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::cli::tmpl {

class Value;
// A method of a struct or map value, given the template's arguments (`.Label "k"` gives {"k"}).
using Method = std::function<absl::StatusOr<Value>(const std::vector<Value>& args)>;
using Methods = std::map<std::string, Method, std::less<>>;

class Value {
 public:
  // kNoValue is Go's invalid value (a missing map key: printed "<no value>"), kNil a nil
  // pointer or interface (JSON null: printed "<nil>").
  enum class Kind { kNoValue, kNil, kBool, kInt, kFloat, kString, kList, kMap, kStruct };
  using Fields = std::vector<std::pair<std::string, Value>>;

  Value() = default;
  static Value Nil();
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double d);
  static Value String(std::string s);
  static Value List(std::vector<Value> items);
  // Go maps: kept sorted by key (Go prints and ranges over them so); a key given twice keeps
  // the last value.
  static Value Map(Fields entries, Methods methods = {});
  // Fields in their order (printed "{a b}", written as JSON in that order). `type` names the
  // struct in error messages ("can't evaluate field X in type container").
  static Value Struct(std::string type, Fields fields, Methods methods = {});

  Kind kind() const { return kind_; }
  bool is_missing() const { return kind_ == Kind::kNoValue; }
  bool bool_value() const { return b_; }
  int64_t int_value() const { return i_; }
  double float_value() const { return d_; }
  const std::string& string_value() const { return s_; }
  const std::vector<Value>& items() const;  // a list's elements
  const Fields& fields() const;             // a map's entries or a struct's fields
  // The map entry or struct field `name`; nullptr if there is none.
  const Value* Find(absl::string_view name) const;
  const Method* FindMethod(absl::string_view name) const;
  // Go's name of the value's type for messages: "string", "int", "[]interface {}", ...
  std::string TypeName() const;
  // Go's truth: false, 0, nil, no value and empty strings, lists and maps are false.
  bool Truth() const;
  // The number of elements of a string (bytes), list or map; -1 for other kinds.
  int64_t Length() const;

 private:
  struct Composite {
    std::string type;
    std::vector<Value> items;
    Fields fields;
    Methods methods;
  };
  Kind kind_ = Kind::kNoValue;
  bool b_ = false;
  int64_t i_ = 0;
  double d_ = 0;
  std::string s_;
  std::shared_ptr<const Composite> c_;
};

// JSON text as a Value: objects become structs of type `root_type` (nested ones "struct"),
// except the values of the keys in `map_keys` ("Labels", or "LogConfig.Config" for a key under
// a given parent), which become maps; integers stay integers. InvalidArgument for text that is
// not JSON or nests deeper than 64 levels.
absl::StatusOr<Value> ValueFromJson(absl::string_view json, const std::set<std::string>& map_keys,
                                    const std::string& root_type);

// The keys whose values are Go maps in Docker's inspect documents (Config.Labels,
// NetworkSettings.Networks, HostConfig.Sysctls, ...): missing keys there are "<no value>".
const std::set<std::string>& DockerMapKeys();

// Go's fmt %v of a value: "[a b]", "map[k:v]", "{a b}", "<nil>"; "<no value>" for no value.
std::string GoString(const Value& v);
// Go's strconv.FormatFloat(f, 'g', -1, 64), which %v prints.
std::string GoFloat(double d);
// encoding/json with SetEscapeHTML(false), as Docker's `json` function: maps with sorted keys,
// structs in field order, no value and nil as null.
std::string GoJson(const Value& v);

}  // namespace mydocker::cli::tmpl

#endif  // MYDOCKER_TOOLS_TEMPLATE_VALUE_H_
