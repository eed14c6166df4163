// Go's fmt.Sprintf, as far as templates need it (functions.h).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mydocker/utf8.h"
#include "template/functions.h"

namespace mydocker::cli::tmpl {

namespace {

constexpr int kMaxWidth = 1000000;  // Go's fmt refuses more (BADWIDTH, BADPREC)

struct Spec {
  bool minus = false, plus = false, sharp = false, space = false, zero = false;
  int width = -1;
  int precision = -1;
};

size_t RuneCount(absl::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Pads `text` to the width; zeros go after a sign when `numeric`.
std::string Pad(std::string text, const Spec& spec, bool numeric) {
  size_t runes = RuneCount(text);
  if (spec.width < 0 || runes >= static_cast<size_t>(spec.width)) return text;
  size_t fill = static_cast<size_t>(spec.width) - runes;
  if (spec.minus) return text + std::string(fill, ' ');
  if (spec.zero && numeric) {
    size_t sign = !text.empty() && (text[0] == '-' || text[0] == '+' || text[0] == ' ') ? 1 : 0;
    return text.substr(0, sign) + std::string(fill, '0') + text.substr(sign);
  }
  return std::string(fill, ' ') + text;
}

bool IsPrintableRune(uint32_t cp) {
  return cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0) && cp != 0xAD && cp != 0x2028 &&
         cp != 0x2029 && cp != 0xFEFF;
}

void AppendEscaped(absl::string_view s, char quote, std::string* out) {
  while (!s.empty()) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(s, &cp);
    if (n == 0) {
      absl::StrAppend(out, absl::StrFormat("\\x%02x", static_cast<unsigned char>(s[0])));
      s.remove_prefix(1);
      continue;
    }
    s.remove_prefix(n);
    if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(cp));
      continue;
    }
    if (IsPrintableRune(cp)) {
      // Re-encode: the bytes just consumed.
      out->append(s.data() - n, n);
      continue;
    }
    switch (cp) {
      case '\a':
        out->append("\\a");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\v':
        out->append("\\v");
        break;
      default:
        if (cp < 0x80) {
          absl::StrAppend(out, absl::StrFormat("\\x%02x", cp));
        } else if (cp < 0x10000) {
          absl::StrAppend(out, absl::StrFormat("\\u%04x", cp));
        } else {
          absl::StrAppend(out, absl::StrFormat("\\U%08x", cp));
        }
    }
  }
}

std::string QuoteRune(int64_t r) {
  std::string utf8;
  AppendUtf8(r < 0 || r > 0x10FFFF ? 0xFFFD : static_cast<uint32_t>(r), &utf8);
  return utf8;
}

std::string Bad(char verb, const Value& v) {
  if (v.kind() == Value::Kind::kNil || v.is_missing())
    return absl::StrCat("%!", std::string(1, verb), "(<nil>)");
  return absl::StrCat("%!", std::string(1, verb), "(", v.TypeName(), "=", GoString(v), ")");
}

std::string Integer(int64_t i, char verb, const Spec& spec) {
  bool negative = i < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  std::string digits;
  std::string prefix;
  switch (verb) {
    case 'b':
      do {
        digits.push_back(static_cast<char>('0' + (u & 1)));
        u >>= 1;
      } while (u != 0);
      std::reverse(digits.begin(), digits.end());
      if (spec.sharp) prefix = "0b";
      break;
    case 'o':
    case 'O':
      digits = absl::StrFormat("%o", u);
      if (verb == 'O') prefix = "0o";
      if (verb == 'o' && spec.sharp && digits != "0") prefix.assign(1, '0');
      break;
    case 'x':
      digits = absl::StrFormat("%x", u);
      if (spec.sharp) prefix = "0x";
      break;
    case 'X':
      digits = absl::StrFormat("%X", u);
      if (spec.sharp) prefix = "0X";
      break;
    default:
      digits = absl::StrCat(u);
  }
  if (spec.precision >= 0 && digits.size() < static_cast<size_t>(spec.precision)) {
    digits.insert(0, static_cast<size_t>(spec.precision) - digits.size(), '0');
  }
  if (spec.precision == 0 && i == 0) digits.clear();
  std::string sign = negative ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  Spec pad = spec;
  if (spec.precision >= 0) pad.zero = false;
  return Pad(sign + prefix + digits, pad, true);
}

std::string FloatText(double d, char verb, const Spec& spec) {
  std::string text;
  if (std::isnan(d)) {
    text = "NaN";
  } else if (std::isinf(d)) {
    text = d > 0 ? "+Inf" : "-Inf";
  } else if ((verb == 'v' || verb == 'g' || verb == 'G') && spec.precision < 0) {
    text = GoFloat(d);
    if (verb == 'G') {
      for (char& c : text) c = c == 'e' ? 'E' : c;
    }
  } else {
    char f[16];
    std::snprintf(f, sizeof f, "%%.%d%c", spec.precision < 0 ? 6 : spec.precision,
                  verb == 'v' ? 'g' : verb);
    char buf[512];
    int n = std::snprintf(buf, sizeof buf, f, d);
    if (n < 0 || static_cast<size_t>(n) >= sizeof buf) {
      std::string big(static_cast<size_t>(n < 0 ? 0 : n) + 1, '\0');
      std::snprintf(big.data(), big.size(), f, d);
      big.pop_back();
      text = big;
    } else {
      text.assign(buf, static_cast<size_t>(n));
    }
  }
  bool negative = !text.empty() && text[0] == '-';
  if (!negative && text[0] != '+') {
    if (spec.plus) {
      text = "+" + text;
    } else if (spec.space) {
      text = " " + text;
    }
  } else if (text == "+Inf" && !spec.plus) {
    text = spec.space ? " Inf" : "+Inf";
  }
  Spec pad = spec;
  if (!std::isfinite(d)) pad.zero = false;
  return Pad(text, pad, true);
}

std::string StringText(const std::string& s, char verb, const Spec& spec) {
  std::string text = s;
  if (spec.precision >= 0 && verb != 'x' && verb != 'X') {
    size_t runes = 0;
    size_t i = 0;
    for (; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        if (runes == static_cast<size_t>(spec.precision)) break;
        ++runes;
      }
    }
    text.resize(i);
  }
  if (verb == 'q') {
    std::string q = "\"";
    AppendEscaped(text, '"', &q);
    q.push_back('"');
    text = q;
  } else if (verb == 'x' || verb == 'X') {
    std::string hex;
    for (size_t i = 0; i < text.size(); ++i) {
      if (spec.precision >= 0 && i >= static_cast<size_t>(spec.precision)) break;
      if (i > 0 && spec.space) hex.push_back(' ');
      if (spec.sharp && (i == 0 || spec.space)) hex += verb == 'x' ? "0x" : "0X";
      const auto byte = static_cast<unsigned char>(text[i]);
      absl::StrAppend(&hex,
                      verb == 'x' ? absl::StrFormat("%02x", byte) : absl::StrFormat("%02X", byte));
    }
    text = hex;
  }
  return Pad(text, spec, false);
}

void Format(const Value& v, char verb, const Spec& spec, std::string* out);

void Composite(const Value& v, char verb, const Spec& spec, std::string* out) {
  if (v.kind() == Value::Kind::kList) {
    out->push_back('[');
    for (size_t i = 0; i < v.items().size(); ++i) {
      if (i > 0) out->push_back(' ');
      Format(v.items()[i], verb, spec, out);
    }
    out->push_back(']');
    return;
  }
  bool map = v.kind() == Value::Kind::kMap;
  out->append(map ? "map[" : "{");
  for (size_t i = 0; i < v.fields().size(); ++i) {
    if (i > 0) out->push_back(' ');
    if (map) {
      Format(Value::String(v.fields()[i].first), verb, spec, out);
      out->push_back(':');
    }
    Format(v.fields()[i].second, verb, spec, out);
  }
  out->push_back(map ? ']' : '}');
}

void Format(const Value& v, char verb, const Spec& spec, std::string* out) {
  if (verb == 'T') {
    out->append(
        Pad(v.is_missing() || v.kind() == Value::Kind::kNil ? "<nil>" : v.TypeName(), spec, false));
    return;
  }
  switch (v.kind()) {
    case Value::Kind::kNoValue:
    case Value::Kind::kNil:
      out->append(verb == 'v' ? Pad("<nil>", spec, false) : Bad(verb, v));
      return;
    case Value::Kind::kBool:
      if (verb != 'v' && verb != 't') {
        out->append(Bad(verb, v));
      } else {
        out->append(Pad(v.bool_value() ? "true" : "false", spec, false));
      }
      return;
    case Value::Kind::kInt: {
      int64_t i = v.int_value();
      if (verb == 'c') {
        out->append(Pad(QuoteRune(i), spec, false));
      } else if (verb == 'q') {
        std::string q = "'";
        AppendEscaped(QuoteRune(i), '\'', &q);
        out->append(Pad(q + "'", spec, false));
      } else if (verb == 'U') {
        out->append(Pad(absl::StrFormat("U+%04X", static_cast<uint64_t>(i)), spec, false));
      } else if (verb == 'd' || verb == 'v' || verb == 'b' || verb == 'o' || verb == 'O' ||
                 verb == 'x' || verb == 'X') {
        out->append(Integer(i, verb, spec));
      } else {
        out->append(Bad(verb, v));
      }
      return;
    }
    case Value::Kind::kFloat:
      if (verb == 'v' || verb == 'e' || verb == 'E' || verb == 'f' || verb == 'F' || verb == 'g' ||
          verb == 'G') {
        out->append(FloatText(v.float_value(), verb == 'F' ? 'f' : verb, spec));
      } else {
        out->append(Bad(verb, v));
      }
      return;
    case Value::Kind::kString:
      if (verb == 'v' || verb == 's' || verb == 'q' || verb == 'x' || verb == 'X') {
        out->append(StringText(v.string_value(), verb, spec));
      } else {
        out->append(Bad(verb, v));
      }
      return;
    default:
      Composite(v, verb, spec, out);
  }
}

// Digits at format[*i], or a '*' taking the next argument: the number, -1 for none; false for
// an out-of-range one.
bool Number(absl::string_view format, size_t* i, const std::vector<Value>& args, size_t* arg,
            int* n, bool* from_star) {
  *n = -1;
  *from_star = false;
  if (*i < format.size() && format[*i] == '*') {
    ++*i;
    *from_star = true;
    if (*arg >= args.size() || args[*arg].kind() != Value::Kind::kInt) {
      ++*arg;
      return false;
    }
    int64_t v = args[(*arg)++].int_value();
    if (v > kMaxWidth || v < -kMaxWidth) return false;
    *n = static_cast<int>(v);
    return true;
  }
  int64_t v = -1;
  while (*i < format.size() && format[*i] >= '0' && format[*i] <= '9') {
    v = (v < 0 ? 0 : v) * 10 + (format[*i] - '0');
    if (v > kMaxWidth) v = kMaxWidth + 1;
    ++*i;
  }
  *n = static_cast<int>(v);
  return v <= kMaxWidth;
}

}  // namespace

std::string GoQuote(absl::string_view s) {
  std::string q = "\"";
  AppendEscaped(s, '"', &q);
  q.push_back('"');
  return q;
}

std::string Sprintf(absl::string_view format, const std::vector<Value>& args) {
  std::string out;
  size_t arg = 0;
  for (size_t i = 0; i < format.size();) {
    char c = format[i++];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    Spec spec;
    for (; i < format.size(); ++i) {
      char f = format[i];
      if (f == '-') {
        spec.minus = true;
      } else if (f == '+') {
        spec.plus = true;
      } else if (f == '#') {
        spec.sharp = true;
      } else if (f == ' ') {
        spec.space = true;
      } else if (f == '0') {
        spec.zero = true;
      } else {
        break;
      }
    }
    bool star = false;
    if (!Number(format, &i, args, &arg, &spec.width, &star)) {
      out.append("%!(BADWIDTH)");
      spec.width = -1;
    } else if (star && spec.width < 0) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (i < format.size() && format[i] == '.') {
      ++i;
      if (!Number(format, &i, args, &arg, &spec.precision, &star) || (star && spec.precision < 0)) {
        out.append("%!(BADPREC)");
        spec.precision = -1;
      } else if (spec.precision < 0) {
        spec.precision = 0;
      }
    }
    if (i >= format.size()) {
      out.append("%!(NOVERB)");
      break;
    }
    uint32_t cp = 0;
    size_t n = DecodeUtf8(format.substr(i), &cp);
    if (n == 0) n = 1;
    std::string verb_text(format.substr(i, n));
    i += n;
    if (verb_text == "%") {
      out.push_back('%');
      continue;
    }
    if (arg >= args.size()) {
      absl::StrAppend(&out, "%!", verb_text, "(MISSING)");
      continue;
    }
    const Value& v = args[arg++];
    if (n > 1) {
      absl::StrAppend(&out, "%!", verb_text, "(", v.TypeName(), "=", GoString(v), ")");
      continue;
    }
    Format(v, verb_text[0], spec, &out);
  }
  if (arg < args.size()) {
    out.append("%!(EXTRA ");
    for (size_t k = arg; k < args.size(); ++k) {
      if (k > arg) out.append(", ");
      const Value& v = args[k];
      if (v.is_missing() || v.kind() == Value::Kind::kNil) {
        out.append("<nil>");
      } else {
        absl::StrAppend(&out, v.TypeName(), "=", GoString(v));
      }
    }
    out.push_back(')');
  }
  return out;
}

}  // namespace mydocker::cli::tmpl
