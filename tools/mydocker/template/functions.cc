#include "template/functions.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "mydocker/utf8.h"

namespace mydocker::cli::tmpl {

namespace {

// pad's counts: more is an error rather than a large allocation (Go would allocate, or panic
// for a negative count).
constexpr int64_t kMaxPad = 1 << 20;

using Args = std::vector<Value>;
using Fn = std::function<absl::StatusOr<Value>(const Args&)>;

absl::Status Arity(absl::string_view name, const Args& args, size_t want) {
  if (args.size() == want) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("wrong number of args for ", name, ": want ", want, " got ", args.size()));
}

absl::Status AtLeast(absl::string_view name, const Args& args, size_t want) {
  if (args.size() >= want) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("wrong number of args for ", name,
                                                 ": want at least ", want, " got ", args.size()));
}

// Go's check of an argument against a string or int parameter.
absl::Status WantKind(const Value& v, Value::Kind kind, absl::string_view type) {
  if (v.kind() == kind) return absl::OkStatus();
  if (v.is_missing())
    return absl::InvalidArgumentError(absl::StrCat("invalid value; expected ", type));
  return absl::InvalidArgumentError(
      absl::StrCat("wrong type for value; expected ", type, "; got ", v.TypeName()));
}

#define MYDOCKER_TMPL_CHECK(expr)    \
  do {                               \
    absl::Status check_ = (expr);    \
    if (!check_.ok()) return check_; \
  } while (0)

// Comparisons: Go's basic kinds (bool, numbers, strings); numbers of either kind compare by
// value.
enum class Basic { kNone, kBool, kNumber, kString, kNil };
Basic BasicOf(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      return Basic::kBool;
    case Value::Kind::kInt:
    case Value::Kind::kFloat:
      return Basic::kNumber;
    case Value::Kind::kString:
      return Basic::kString;
    case Value::Kind::kNil:
    case Value::Kind::kNoValue:
      return Basic::kNil;
    default:
      return Basic::kNone;
  }
}

// -1, 0, 1 for numbers.
int CompareNumbers(const Value& a, const Value& b) {
  if (a.kind() == Value::Kind::kInt && b.kind() == Value::Kind::kInt) {
    return a.int_value() < b.int_value() ? -1 : a.int_value() > b.int_value() ? 1 : 0;
  }
  double x = a.kind() == Value::Kind::kInt ? static_cast<double>(a.int_value()) : a.float_value();
  double y = b.kind() == Value::Kind::kInt ? static_cast<double>(b.int_value()) : b.float_value();
  return x < y ? -1 : x > y ? 1 : 0;
}

absl::StatusOr<bool> Equal(const Value& a, const Value& b) {
  Basic ka = BasicOf(a);
  Basic kb = BasicOf(b);
  if (ka == Basic::kNone || kb == Basic::kNone) {
    return absl::InvalidArgumentError(absl::StrCat("non-comparable type ",
                                                   GoString(ka == Basic::kNone ? a : b), ": ",
                                                   (ka == Basic::kNone ? a : b).TypeName()));
  }
  if (ka == Basic::kNil || kb == Basic::kNil) return ka == kb;
  if (ka != kb) return absl::InvalidArgumentError("incompatible types for comparison");
  switch (ka) {
    case Basic::kBool:
      return a.bool_value() == b.bool_value();
    case Basic::kNumber:
      return CompareNumbers(a, b) == 0;
    default:
      return a.string_value() == b.string_value();
  }
}

absl::StatusOr<bool> Less(const Value& a, const Value& b) {
  Basic ka = BasicOf(a);
  Basic kb = BasicOf(b);
  if (ka != Basic::kNumber && ka != Basic::kString) {
    return absl::InvalidArgumentError("invalid type for comparison");
  }
  if (ka != kb) return absl::InvalidArgumentError("incompatible types for comparison");
  if (ka == Basic::kNumber) return CompareNumbers(a, b) < 0;
  return a.string_value() < b.string_value();
}

absl::StatusOr<Value> Eq(const Args& args) {
  if (args.empty()) return Arity("eq", args, 2);
  if (args.size() < 2) return absl::InvalidArgumentError("missing argument for comparison");
  for (size_t i = 1; i < args.size(); ++i) {
    auto eq = Equal(args[0], args[i]);
    if (!eq.ok()) return eq.status();
    if (*eq) return Value::Bool(true);
  }
  return Value::Bool(false);
}

// lt, le (`less`), gt, ge from Less and Equal; `or_equal` for le and ge.
Fn Ordering(absl::string_view name, bool less, bool or_equal) {
  std::string n(name);
  return [n, less, or_equal](const Args& args) -> absl::StatusOr<Value> {
    MYDOCKER_TMPL_CHECK(Arity(n, args, 2));
    auto lt = Less(args[0], args[1]);
    if (!lt.ok()) return lt.status();
    auto eq = Equal(args[0], args[1]);
    if (!eq.ok()) return eq.status();
    bool result = less ? (*lt || (or_equal && *eq)) : !(*lt || (!or_equal && *eq));
    return Value::Bool(result);
  };
}

absl::StatusOr<Value> Len(const Args& args) {
  MYDOCKER_TMPL_CHECK(Arity("len", args, 1));
  int64_t n = args[0].Length();
  if (n < 0) {
    if (args[0].kind() == Value::Kind::kNil || args[0].is_missing()) {
      return absl::InvalidArgumentError("len of nil pointer");
    }
    return absl::InvalidArgumentError(absl::StrCat("len of type ", args[0].TypeName()));
  }
  return Value::Int(n);
}

absl::StatusOr<int64_t> IndexArg(const Value& v, int64_t cap) {
  if (v.kind() != Value::Kind::kInt) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot index slice/array with type ", v.TypeName()));
  }
  if (v.int_value() < 0 || v.int_value() >= cap) {
    return absl::InvalidArgumentError(absl::StrCat("index out of range: ", v.int_value()));
  }
  return v.int_value();
}

// The zero value of a missing map key: "" in a map of strings (labels), nil otherwise.
Value MissingEntry(const Value& map) {
  for (const auto& e : map.fields()) {
    if (e.second.kind() != Value::Kind::kString) return Value::Nil();
  }
  return Value::String("");
}

absl::StatusOr<Value> Index(const Args& args) {
  MYDOCKER_TMPL_CHECK(AtLeast("index", args, 1));
  Value item = args[0];
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& key = args[i];
    switch (item.kind()) {
      case Value::Kind::kList: {
        auto n = IndexArg(key, static_cast<int64_t>(item.items().size()));
        if (!n.ok()) return n.status();
        item = item.items()[static_cast<size_t>(*n)];
        break;
      }
      case Value::Kind::kString: {
        auto n = IndexArg(key, static_cast<int64_t>(item.string_value().size()));
        if (!n.ok()) return n.status();
        item = Value::Int(static_cast<unsigned char>(item.string_value()[static_cast<size_t>(*n)]));
        break;
      }
      case Value::Kind::kMap: {
        if (key.kind() != Value::Kind::kString) {
          return absl::InvalidArgumentError(
              absl::StrCat("value has type ", key.TypeName(), "; should be string"));
        }
        const Value* v = item.Find(key.string_value());
        item = v != nullptr ? *v : MissingEntry(item);
        break;
      }
      case Value::Kind::kNil:
      case Value::Kind::kNoValue:
        return absl::InvalidArgumentError("index of untyped nil");
      default:
        return absl::InvalidArgumentError(
            absl::StrCat("can't index item of type ", item.TypeName()));
    }
  }
  return item;
}

absl::StatusOr<Value> Slice(const Args& args) {
  MYDOCKER_TMPL_CHECK(AtLeast("slice", args, 1));
  const Value& item = args[0];
  if (args.size() > 3)
    return absl::InvalidArgumentError(absl::StrCat("too many slice indexes: ", args.size() - 1));
  int64_t cap = item.Length();
  if (item.kind() != Value::Kind::kList && item.kind() != Value::Kind::kString) {
    return absl::InvalidArgumentError(absl::StrCat("can't slice item of type ", item.TypeName()));
  }
  int64_t bounds[2] = {0, cap};
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i].kind() != Value::Kind::kInt) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot index slice/array with type ", args[i].TypeName()));
    }
    int64_t v = args[i].int_value();
    if (v < 0 || v > cap)
      return absl::InvalidArgumentError(absl::StrCat("index out of range: ", v));
    bounds[i - 1] = v;
  }
  if (bounds[0] > bounds[1]) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid slice index: ", bounds[0], " > ", bounds[1]));
  }
  if (item.kind() == Value::Kind::kString) {
    return Value::String(item.string_value().substr(static_cast<size_t>(bounds[0]),
                                                    static_cast<size_t>(bounds[1] - bounds[0])));
  }
  return Value::List(
      std::vector<Value>(item.items().begin() + bounds[0], item.items().begin() + bounds[1]));
}

// fmt.Sprint: a space between operands when neither is a string; Sprintln: always, and a
// newline.
std::string Sprint(const Args& args, bool line) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i].kind() == Value::Kind::kString;
    if (i > 0 && (line || (!is_string && args[i - 1].kind() != Value::Kind::kString))) {
      out.push_back(' ');
    }
    out +=
        args[i].kind() == Value::Kind::kNil || args[i].is_missing() ? "<nil>" : GoString(args[i]);
  }
  if (line) out.push_back('\n');
  return out;
}

// strings.Split: "" as the separator splits into UTF-8 sequences.
absl::StatusOr<Value> Split(const Args& args) {
  MYDOCKER_TMPL_CHECK(Arity("split", args, 2));
  MYDOCKER_TMPL_CHECK(WantKind(args[0], Value::Kind::kString, "string"));
  MYDOCKER_TMPL_CHECK(WantKind(args[1], Value::Kind::kString, "string"));
  const std::string& s = args[0].string_value();
  const std::string& sep = args[1].string_value();
  std::vector<Value> parts;
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      uint32_t cp = 0;
      size_t n = DecodeUtf8(absl::string_view(s).substr(i), &cp);
      if (n == 0) n = 1;
      parts.push_back(Value::String(s.substr(i, n)));
      i += n;
    }
    return Value::List(std::move(parts));
  }
  size_t start = 0;
  for (size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + sep.size()) {
    parts.push_back(Value::String(s.substr(start, at - start)));
  }
  parts.push_back(Value::String(s.substr(start)));
  return Value::List(std::move(parts));
}

absl::StatusOr<Value> Join(const Args& args) {
  MYDOCKER_TMPL_CHECK(Arity("join", args, 2));
  MYDOCKER_TMPL_CHECK(WantKind(args[1], Value::Kind::kString, "string"));
  const Value& elems = args[0];
  const std::string& sep = args[1].string_value();
  std::vector<std::string> parts;
  if (elems.kind() == Value::Kind::kNil || elems.is_missing()) return Value::String("");
  if (elems.kind() == Value::Kind::kList) {
    for (const Value& e : elems.items()) parts.push_back(GoString(e));
  } else if (elems.kind() == Value::Kind::kMap) {
    for (const auto& e : elems.fields()) parts.push_back(GoString(e.second));
    std::sort(parts.begin(), parts.end());
  } else {
    return absl::InvalidArgumentError(absl::StrCat("expected slice, got ", elems.TypeName()));
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return Value::String(std::move(out));
}

// strings.Title: the first letter of each word upper-cased (ASCII letters; a word starts after
// a character that is not a letter, digit or '_').
std::string Title(const std::string& s) {
  std::string out = s;
  bool at_start = true;
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    bool word = std::isalnum(u) || c == '_' || u >= 0x80;
    if (at_start && std::islower(u)) c = static_cast<char>(std::toupper(u));
    at_start = !word;
  }
  return out;
}

Fn StringFn(absl::string_view name, std::function<std::string(const std::string&)> f) {
  std::string n(name);
  return [n, f](const Args& args) -> absl::StatusOr<Value> {
    MYDOCKER_TMPL_CHECK(Arity(n, args, 1));
    MYDOCKER_TMPL_CHECK(WantKind(args[0], Value::Kind::kString, "string"));
    return Value::String(f(args[0].string_value()));
  };
}

absl::StatusOr<Value> PadFn(const Args& args) {
  MYDOCKER_TMPL_CHECK(Arity("pad", args, 3));
  MYDOCKER_TMPL_CHECK(WantKind(args[0], Value::Kind::kString, "string"));
  MYDOCKER_TMPL_CHECK(WantKind(args[1], Value::Kind::kInt, "int"));
  MYDOCKER_TMPL_CHECK(WantKind(args[2], Value::Kind::kInt, "int"));
  int64_t before = args[1].int_value();
  int64_t after = args[2].int_value();
  if (before < 0 || after < 0 || before > kMaxPad || after > kMaxPad) {
    return absl::InvalidArgumentError(absl::StrCat("pad: counts must be from 0 to ", kMaxPad));
  }
  const std::string& s = args[0].string_value();
  if (s.empty()) return args[0];
  return Value::String(std::string(static_cast<size_t>(before), ' ') + s +
                       std::string(static_cast<size_t>(after), ' '));
}

absl::StatusOr<Value> Truncate(const Args& args) {
  MYDOCKER_TMPL_CHECK(Arity("truncate", args, 2));
  MYDOCKER_TMPL_CHECK(WantKind(args[0], Value::Kind::kString, "string"));
  MYDOCKER_TMPL_CHECK(WantKind(args[1], Value::Kind::kInt, "int"));
  if (args[1].int_value() < 0) return absl::InvalidArgumentError("truncate: negative length");
  const std::string& s = args[0].string_value();
  if (static_cast<int64_t>(s.size()) < args[1].int_value()) return args[0];
  return Value::String(s.substr(0, static_cast<size_t>(args[1].int_value())));
}

const std::map<std::string, Fn, std::less<>>& Functions() {
  static const auto* functions = new std::map<std::string, Fn, std::less<>>{
      {"not",
       [](const Args& a) -> absl::StatusOr<Value> {
         MYDOCKER_TMPL_CHECK(Arity("not", a, 1));
         return Value::Bool(!a[0].Truth());
       }},
      {"len", Len},
      {"index", Index},
      {"slice", Slice},
      {"print",
       [](const Args& a) -> absl::StatusOr<Value> { return Value::String(Sprint(a, false)); }},
      {"println",
       [](const Args& a) -> absl::StatusOr<Value> { return Value::String(Sprint(a, true)); }},
      {"printf",
       [](const Args& a) -> absl::StatusOr<Value> {
         MYDOCKER_TMPL_CHECK(AtLeast("printf", a, 1));
         MYDOCKER_TMPL_CHECK(WantKind(a[0], Value::Kind::kString, "string"));
         return Value::String(Sprintf(a[0].string_value(), Args(a.begin() + 1, a.end())));
       }},
      {"eq", Eq},
      {"ne",
       [](const Args& a) -> absl::StatusOr<Value> {
         MYDOCKER_TMPL_CHECK(Arity("ne", a, 2));
         auto eq = Equal(a[0], a[1]);
         if (!eq.ok()) return eq.status();
         return Value::Bool(!*eq);
       }},
      {"lt", Ordering("lt", true, false)},
      {"le", Ordering("le", true, true)},
      {"gt", Ordering("gt", false, false)},
      {"ge", Ordering("ge", false, true)},
      {"json",
       [](const Args& a) -> absl::StatusOr<Value> {
         MYDOCKER_TMPL_CHECK(Arity("json", a, 1));
         return Value::String(GoJson(a[0]));
       }},
      {"split", Split},
      {"join", Join},
      {"title", StringFn("title", Title)},
      {"lower", StringFn("lower", [](const std::string& s) { return absl::AsciiStrToLower(s); })},
      {"upper", StringFn("upper", [](const std::string& s) { return absl::AsciiStrToUpper(s); })},
      {"pad", PadFn},
      {"truncate", Truncate},
  };
  return *functions;
}

// Docker's header functions: a column's title passes through unchanged.
bool IsHeaderPassThrough(absl::string_view name) {
  return name == "json" || name == "split" || name == "join" || name == "title" ||
         name == "lower" || name == "upper" || name == "truncate";
}

}  // namespace

bool IsFunction(absl::string_view name) {
  return name == "and" || name == "or" || Functions().count(name) > 0;
}

absl::StatusOr<Value> CallFunction(absl::string_view name, const std::vector<Value>& args,
                                   bool header) {
  if (header && IsHeaderPassThrough(name) && !args.empty()) return args[0];
  auto it = Functions().find(name);
  if (it == Functions().end()) {
    return absl::InvalidArgumentError(absl::StrCat("function \"", name, "\" not defined"));
  }
  return it->second(args);
}

}  // namespace mydocker::cli::tmpl
