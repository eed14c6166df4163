#include "template/lexer.h"

#include <cctype>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mydocker/utf8.h"

namespace mydocker::cli::tmpl {

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsAlnum(char c) {
  return c == '_' || std::isalnum(static_cast<unsigned char>(c)) || (c & 0x80) != 0;
}

// Go's %#U of the character `s` starts with: U+0023 '#'.
std::string CharName(absl::string_view s) {
  uint32_t cp = 0;
  size_t n = DecodeUtf8(s, &cp);
  if (n == 0) return absl::StrFormat("U+FFFD byte 0x%02x", static_cast<unsigned char>(s[0]));
  return absl::StrFormat("U+%04X '%s'", cp, Printable(s.substr(0, n)));
}

class Lexer {
 public:
  explicit Lexer(absl::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<Token>> Run() {
    while (pos_ < text_.size()) {
      absl::Status s = LexText();
      if (!s.ok()) return s;
    }
    Emit(Tok::kEOF, pos_, pos_);
    return std::move(tokens_);
  }

 private:
  absl::Status Error(size_t pos, absl::string_view message) {
    int line = 0;
    int col = 0;
    LineAndColumn(text_, pos, &line, &col);
    return absl::InvalidArgumentError(absl::StrCat("template: :", line, ": ", message));
  }

  void Emit(Tok type, size_t start, size_t end) {
    tokens_.push_back({type, std::string(text_.substr(start, end - start)), start});
  }

  // Text up to the next action (trimmed when the action starts with "{{- "), then the action.
  absl::Status LexText() {
    size_t open = text_.find("{{", pos_);
    if (open == absl::string_view::npos) {
      if (pos_ < text_.size()) Emit(Tok::kText, pos_, text_.size());
      pos_ = text_.size();
      return absl::OkStatus();
    }
    bool trim = open + 3 < text_.size() && text_[open + 2] == '-' && IsSpace(text_[open + 3]);
    size_t end = open;
    if (trim) {
      while (end > pos_ && IsSpace(text_[end - 1])) --end;
    }
    if (end > pos_) Emit(Tok::kText, pos_, end);
    pos_ = open + 2 + (trim ? 2 : 0);
    if (absl::StartsWith(text_.substr(pos_), "/*")) return LexComment(open);
    Emit(Tok::kLeftDelim, open, open + 2);
    return LexAction(open);
  }

  // Right after the closing delimiter; `trim` skips the spaces that follow it.
  void AfterRightDelim(size_t end, bool trim) {
    pos_ = end;
    if (trim) {
      while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
    }
  }

  // At a closing delimiter: its length (2 or 4 with " -"), and whether it trims.
  size_t AtRightDelim(size_t p, bool* trim) const {
    absl::string_view rest = text_.substr(p);
    if (rest.size() >= 4 && IsSpace(rest[0]) && absl::StartsWith(rest.substr(1), "-}}")) {
      *trim = true;
      return 4;
    }
    *trim = false;
    return absl::StartsWith(rest, "}}") ? 2 : 0;
  }

  absl::Status LexComment(size_t open) {
    size_t close = text_.find("*/", pos_ + 2);
    if (close == absl::string_view::npos) return Error(open, "unclosed comment");
    bool trim = false;
    size_t len = AtRightDelim(close + 2, &trim);
    if (len == 0) return Error(open, "comment ends before closing delimiter");
    AfterRightDelim(close + 2 + len, trim);
    return absl::OkStatus();
  }

  absl::Status LexAction(size_t open) {
    int parens = 0;
    for (;;) {
      bool trim = false;
      size_t len = AtRightDelim(pos_, &trim);
      if (len > 0) {
        if (parens > 0) return Error(pos_, "unclosed left paren");
        Emit(Tok::kRightDelim, pos_, pos_ + len);
        AfterRightDelim(pos_ + len, trim);
        return absl::OkStatus();
      }
      if (pos_ >= text_.size()) return Error(open, "unclosed action");
      char c = text_[pos_];
      size_t start = pos_;
      if (IsSpace(c)) {
        while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
        // " -}}" closes the action: the space before the dash belongs to the delimiter.
        if (absl::StartsWith(text_.substr(pos_), "-}}")) --pos_;
        if (pos_ > start) Emit(Tok::kSpace, start, pos_);
        continue;
      }
      absl::Status s = absl::OkStatus();
      switch (c) {
        case '=':
          Emit(Tok::kAssign, start, ++pos_);
          continue;
        case ':':
          if (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '=')
            return Error(start, "expected :=");
          pos_ += 2;
          Emit(Tok::kDeclare, start, pos_);
          continue;
        case '|':
          Emit(Tok::kPipe, start, ++pos_);
          continue;
        case ',':
          Emit(Tok::kComma, start, ++pos_);
          continue;
        case '(':
          ++parens;
          Emit(Tok::kLeftParen, start, ++pos_);
          continue;
        case ')':
          if (--parens < 0) return Error(start, "unexpected right paren");
          Emit(Tok::kRightParen, start, ++pos_);
          continue;
        case '"':
        case '`':
        case '\'':
          s = LexQuote(c);
          break;
        case '$':
          ++pos_;
          s = LexWord(Tok::kVariable, start);
          break;
        case '.':
          if (pos_ + 1 < text_.size() &&
              std::isdigit(static_cast<unsigned char>(text_[pos_ + 1]))) {
            s = LexNumber();
          } else {
            ++pos_;
            s = LexWord(Tok::kField, start);
          }
          break;
        default:
          if (c == '+' || c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            s = LexNumber();
          } else if (IsAlnum(c)) {
            s = LexWord(Tok::kIdentifier, start);
          } else {
            return Error(start, absl::StrCat("unrecognized character in action: ",
                                             CharName(text_.substr(start))));
          }
      }
      if (!s.ok()) return s;
    }
  }

  absl::Status LexQuote(char quote) {
    size_t start = pos_++;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (quote != '`' && text_[pos_] == '\\') ++pos_;
      if (quote != '`' && pos_ < text_.size() && text_[pos_] == '\n') break;
      ++pos_;
    }
    if (pos_ >= text_.size() || text_[pos_] != quote) {
      return Error(start, quote == '`'   ? "unterminated raw quoted string"
                          : quote == '"' ? "unterminated quoted string"
                                         : "unterminated character constant");
    }
    ++pos_;
    Emit(quote == '"' ? Tok::kString : quote == '`' ? Tok::kRawString : Tok::kChar, start, pos_);
    return absl::OkStatus();
  }

  // An identifier, a field (after its dot) or a variable (after its $), which must end at a
  // space, a delimiter or a character that may follow an operand.
  absl::Status LexWord(Tok type, size_t start) {
    while (pos_ < text_.size() && IsAlnum(text_[pos_])) ++pos_;
    absl::string_view word = text_.substr(start, pos_ - start);
    if (type == Tok::kField && word == ".") type = Tok::kDot;
    if (type == Tok::kIdentifier) {
      static const char* const kKeywords[] = {"if",    "else",     "end",    "range",    "with",
                                              "break", "continue", "define", "template", "block"};
      for (const char* k : kKeywords) {
        if (word == k) type = Tok::kKeyword;
      }
      if (word == "true" || word == "false") type = Tok::kBool;
      if (word == "nil") type = Tok::kNil;
    }
    if (pos_ < text_.size()) {
      char c = text_[pos_];
      bool trim = false;
      bool ok = IsSpace(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' ||
                c == '(' || c == '=' || AtRightDelim(pos_, &trim) > 0;
      if (!ok) {
        return Error(pos_, absl::StrCat("bad character ", CharName(text_.substr(pos_))));
      }
    }
    Emit(type, start, pos_);
    return absl::OkStatus();
  }

  absl::Status LexNumber() {
    size_t start = pos_;
    if (text_[pos_] == '+' || text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      char prev = text_[pos_ - 1];
      bool sign_after_exponent = (c == '+' || c == '-') &&
                                 (prev == 'e' || prev == 'E' || prev == 'p' || prev == 'P') &&
                                 !absl::StartsWithIgnoreCase(text_.substr(start), "0x");
      if (!(IsAlnum(c) || c == '.' || sign_after_exponent)) break;
      ++pos_;
    }
    Emit(Tok::kNumber, start, pos_);
    return absl::OkStatus();
  }

  absl::string_view text_;
  size_t pos_ = 0;
  std::vector<Token> tokens_;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One escape after a backslash at s[*i] (the character after it); appends what it means.
bool Escape(absl::string_view s, size_t* i, char quote, std::string* out) {
  char c = s[(*i)++];
  switch (c) {
    case 'a':
      out->push_back('\a');
      return true;
    case 'b':
      out->push_back('\b');
      return true;
    case 'f':
      out->push_back('\f');
      return true;
    case 'n':
      out->push_back('\n');
      return true;
    case 'r':
      out->push_back('\r');
      return true;
    case 't':
      out->push_back('\t');
      return true;
    case 'v':
      out->push_back('\v');
      return true;
    case '\\':
      out->push_back('\\');
      return true;
    case '"':
    case '\'':
      if (c != quote) return false;
      out->push_back(c);
      return true;
    case 'x':
    case 'u':
    case 'U': {
      size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (*i + n > s.size()) return false;
      uint32_t v = 0;
      for (size_t k = 0; k < n; ++k) {
        int d = HexDigit(s[*i + k]);
        if (d < 0) return false;
        v = v * 16 + static_cast<uint32_t>(d);
      }
      *i += n;
      if (c == 'x') {
        out->push_back(static_cast<char>(v));
      } else {
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
        AppendUtf8(v, out);
      }
      return true;
    }
    default:
      if (c >= '0' && c <= '7') {
        if (*i + 2 > s.size()) return false;
        uint32_t v = static_cast<uint32_t>(c - '0');
        for (size_t k = 0; k < 2; ++k) {
          char d = s[*i + k];
          if (d < '0' || d > '7') return false;
          v = v * 8 + static_cast<uint32_t>(d - '0');
        }
        if (v > 255) return false;
        *i += 2;
        out->push_back(static_cast<char>(v));
        return true;
      }
      return false;
  }
}

}  // namespace

absl::StatusOr<std::vector<Token>> Lex(absl::string_view text) { return Lexer(text).Run(); }

void LineAndColumn(absl::string_view text, size_t pos, int* line, int* col) {
  *line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++*line;
      line_start = i + 1;
    }
  }
  *col = static_cast<int>(pos - line_start);
}

absl::StatusOr<std::string> Unquote(absl::string_view quoted) {
  auto invalid = [] { return absl::InvalidArgumentError("invalid syntax"); };
  if (quoted.size() < 2 || quoted.front() != quoted.back()) return invalid();
  char quote = quoted.front();
  absl::string_view body = quoted.substr(1, quoted.size() - 2);
  if (quote == '`') return std::string(body);
  std::string out;
  for (size_t i = 0; i < body.size();) {
    if (body[i] == '\\') {
      ++i;
      if (i >= body.size() || !Escape(body, &i, quote, &out)) return invalid();
    } else {
      if (body[i] == quote || body[i] == '\n') return invalid();
      out.push_back(body[i++]);
    }
  }
  if (quote == '\'') {
    uint32_t cp = 0;
    if (out.empty() || (out.size() > 1 && DecodeUtf8(out, &cp) != out.size())) return invalid();
  }
  return out;
}

}  // namespace mydocker::cli::tmpl
