// The parser of template.h: Go's text/template/parse, reduced to what template.h supports.
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "mydocker/status_macros.h"
#include "mydocker/utf8.h"
#include "template/ast.h"
#include "template/functions.h"
#include "template/lexer.h"
#include "template/template.h"

namespace mydocker::cli::tmpl {

namespace {

// Parentheses and control structures inside each other; the executor recurses as deep.
constexpr int kMaxDepth = 100;

// A number as Go's parser reads one: an integer (decimal, 0x, 0o, 0b or leading-0 octal, with
// '_' separators) if it is one that fits, else a float; nullopt for neither.
std::optional<Value> ParseNumber(absl::string_view text) {
  std::string s = absl::StrReplaceAll(text, {{"_", ""}});
  if (s.empty()) return std::nullopt;
  bool negative = s[0] == '-';
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  std::string digits = absl::AsciiStrToLower(s.substr(i));
  int base = 10;
  if (absl::StartsWith(digits, "0x")) {
    base = 16;
  } else if (absl::StartsWith(digits, "0o")) {
    base = 8;
  } else if (absl::StartsWith(digits, "0b")) {
    base = 2;
  } else if (digits.size() > 1 && digits[0] == '0' &&
             digits.find_first_not_of("01234567") == std::string::npos) {
    base = 8;
  }
  std::string body = base == 10 || (base == 8 && digits[1] != 'o') ? digits : digits.substr(2);
  if (!body.empty() && body.find_first_not_of("0123456789abcdef") == std::string::npos) {
    errno = 0;
    char* end = nullptr;
    unsigned long long u = std::strtoull(body.c_str(), &end, base);
    if (errno == 0 && *end == '\0') {
      if (!negative && u <= static_cast<unsigned long long>(INT64_MAX)) {
        return Value::Int(static_cast<int64_t>(u));
      }
      if (negative && u <= static_cast<unsigned long long>(INT64_MAX) + 1) {
        return Value::Int(static_cast<int64_t>(0 - u));
      }
    }
  }
  if (digits.find_first_not_of("0123456789abcdefx.p+-") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || digits == "inf" || digits == "nan") return std::nullopt;
  return Value::Float(d);
}

class Parser {
 public:
  Parser(absl::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  absl::Status Run(Node* root) {
    root->type = Node::Type::kList;
    while (Peek().type != Tok::kEOF) {
      Node n;
      bool is_end = false;
      MYDOCKER_RETURN_IF_ERROR(TextOrAction(&n, &is_end));
      if (is_end) return Error(last_, absl::StrCat("unexpected {{", n.text, "}}"));
      root->list.push_back(std::move(n));
    }
    return absl::OkStatus();
  }

 private:
  Pos PosOf(size_t offset) const {
    Pos p;
    LineAndColumn(text_, offset, &p.line, &p.col);
    return p;
  }
  absl::Status Error(size_t offset, absl::string_view message) const {
    return absl::InvalidArgumentError(
        absl::StrCat("template: :", PosOf(offset).line, ": ", message));
  }

  const Token& Next() {
    last_ = tokens_[i_].pos;
    return tokens_[i_ < tokens_.size() - 1 ? i_++ : i_];
  }
  const Token& Peek() const { return tokens_[i_]; }
  void Backup() { --i_; }
  const Token& NextNonSpace() {
    while (Peek().type == Tok::kSpace) Next();
    return Next();
  }
  const Token& PeekNonSpace() {
    while (Peek().type == Tok::kSpace) Next();
    return Peek();
  }

  // Go's description of an unexpected token: "unexpected "}" in operand".
  absl::Status Unexpected(const Token& t, absl::string_view context) {
    std::string what;
    if (t.type == Tok::kEOF) {
      what = "EOF";
    } else if (t.type == Tok::kKeyword) {
      what = absl::StrCat("<", t.val, ">");
    } else if (t.type == Tok::kRightDelim || t.type == Tok::kLeftDelim) {
      what = absl::StrCat("\"", absl::StripAsciiWhitespace(t.val), "\"");
    } else {
      std::string v = Printable(t.val);
      what = v.size() > 10 ? absl::StrCat("\"", v.substr(0, 10), "\"...")
                           : absl::StrCat("\"", v, "\"");
    }
    return Error(t.pos, absl::StrCat("unexpected ", what, " in ", context));
  }

  absl::Status Expect(Tok type, absl::string_view context) {
    const Token& t = NextNonSpace();
    if (t.type != type) return Unexpected(t, context);
    return absl::OkStatus();
  }

  absl::Status Enter(size_t pos) {
    if (++depth_ > kMaxDepth) return Error(pos, "template nests too deeply");
    return absl::OkStatus();
  }

  // A text, an action or a control structure; `*is_end` for {{end}} and {{else}}, which end
  // the list being parsed (n->text says which).
  absl::Status TextOrAction(Node* n, bool* is_end) {
    *is_end = false;
    const Token& t = Next();
    if (t.type == Tok::kText) {
      n->type = Node::Type::kText;
      n->text = t.val;
      n->pos = PosOf(t.pos);
      return absl::OkStatus();
    }
    if (t.type != Tok::kLeftDelim) return Unexpected(t, "input");
    return Action(n, is_end);
  }

  absl::Status Action(Node* n, bool* is_end) {
    const Token& t = NextNonSpace();
    n->pos = PosOf(t.pos);
    if (t.type == Tok::kKeyword) {
      const std::string& k = t.val;
      if (k == "end") {
        *is_end = true;
        n->text = "end";
        return Expect(Tok::kRightDelim, "end");
      }
      if (k == "else") {
        *is_end = true;
        n->text = "else";
        // "else if" and "else with" leave their keyword for the enclosing structure.
        const Token& after = PeekNonSpace();
        if (after.type == Tok::kKeyword && (after.val == "if" || after.val == "with")) {
          return absl::OkStatus();
        }
        return Expect(Tok::kRightDelim, "else");
      }
      if (k == "if") return Control(Node::Type::kIf, "if", n);
      if (k == "range") return Control(Node::Type::kRange, "range", n);
      if (k == "with") return Control(Node::Type::kWith, "with", n);
      if (k == "break" || k == "continue") {
        if (range_depth_ == 0) return Error(t.pos, absl::StrCat("{{", k, "}} outside {{range}}"));
        n->type = k == "break" ? Node::Type::kBreak : Node::Type::kContinue;
        const Token& close = NextNonSpace();
        if (close.type != Tok::kRightDelim) return Unexpected(close, absl::StrCat("{{", k, "}}"));
        return absl::OkStatus();
      }
      return Error(t.pos, absl::StrCat("{{", k, "}} is not supported"));
    }
    Backup();
    n->type = Node::Type::kAction;
    auto pipe = std::make_shared<Pipe>();
    MYDOCKER_RETURN_IF_ERROR(Pipeline("command", Tok::kRightDelim, pipe.get()));
    n->pipe = std::move(pipe);
    return absl::OkStatus();
  }

  // A list of nodes up to {{end}} or {{else}}: `*end` says which ("end", "else").
  absl::Status ItemList(std::vector<Node>* list, std::string* end) {
    for (;;) {
      if (PeekNonSpace().type == Tok::kEOF) return Error(Peek().pos, "unexpected EOF");
      Node n;
      bool is_end = false;
      MYDOCKER_RETURN_IF_ERROR(TextOrAction(&n, &is_end));
      if (is_end) {
        *end = n.text;
        return absl::OkStatus();
      }
      list->push_back(std::move(n));
    }
  }

  // if, range, with: the pipeline, the body, an optional else (or "else if"/"else with",
  // parsed as an else holding one nested structure that shares the {{end}}).
  absl::Status Control(Node::Type type, absl::string_view context, Node* n) {
    MYDOCKER_RETURN_IF_ERROR(Enter(last_));
    size_t vars = vars_.size();
    n->type = type;
    auto pipe = std::make_shared<Pipe>();
    MYDOCKER_RETURN_IF_ERROR(Pipeline(context, Tok::kRightDelim, pipe.get()));
    n->pipe = std::move(pipe);
    if (type == Node::Type::kRange) ++range_depth_;
    std::string end;
    MYDOCKER_RETURN_IF_ERROR(ItemList(&n->list, &end));
    if (type == Node::Type::kRange) --range_depth_;
    if (end == "else") {
      const Token& after = PeekNonSpace();
      if (after.type == Tok::kKeyword && ((type == Node::Type::kIf && after.val == "if") ||
                                          (type == Node::Type::kWith && after.val == "with"))) {
        Next();
        Node nested;
        MYDOCKER_RETURN_IF_ERROR(Control(type, context, &nested));
        n->else_list.push_back(std::move(nested));
      } else {
        if (after.type == Tok::kKeyword && (after.val == "if" || after.val == "with")) {
          return Unexpected(after, "else");
        }
        MYDOCKER_RETURN_IF_ERROR(ItemList(&n->else_list, &end));
        if (end != "end") return Error(last_, "expected end; found {{else}}");
      }
    }
    vars_.resize(vars);
    --depth_;
    return absl::OkStatus();
  }

  // Declarations ("$x :=", "$x =", "$i, $e :=" in a range), then commands separated by '|'.
  absl::Status Pipeline(absl::string_view context, Tok end, Pipe* pipe) {
    pipe->pos = PosOf(PeekNonSpace().pos);
    MYDOCKER_RETURN_IF_ERROR(Declarations(context, pipe));
    for (;;) {
      const Token& t = NextNonSpace();
      if (t.type == end) return CheckPipeline(*pipe, context, t.pos);
      switch (t.type) {
        case Tok::kBool:
        case Tok::kChar:
        case Tok::kDot:
        case Tok::kField:
        case Tok::kIdentifier:
        case Tok::kNumber:
        case Tok::kNil:
        case Tok::kRawString:
        case Tok::kString:
        case Tok::kVariable:
        case Tok::kLeftParen: {
          Backup();
          Command cmd;
          MYDOCKER_RETURN_IF_ERROR(ParseCommand(&cmd));
          pipe->cmds.push_back(std::move(cmd));
          break;
        }
        default:
          return Unexpected(t, context);
      }
    }
  }

  absl::Status Declarations(absl::string_view context, Pipe* pipe) {
    for (;;) {
      if (PeekNonSpace().type != Tok::kVariable) return absl::OkStatus();
      size_t var_index = i_;
      Token v = Next();
      const Token& next = PeekNonSpace();
      if (next.type == Tok::kAssign || next.type == Tok::kDeclare) {
        pipe->assign = next.type == Tok::kAssign;
        Next();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
        return absl::OkStatus();
      }
      if (next.type == Tok::kComma) {
        Next();
        pipe->decl.push_back(v.val);
        vars_.push_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          Tok t = PeekNonSpace().type;
          if (t == Tok::kVariable) continue;
          return Error(next.pos, "range can only initialize variables");
        }
        return Error(next.pos, absl::StrCat("too many declarations in ", context));
      }
      // "$x foo": the variable is an argument, not a declaration.
      i_ = var_index;
      return absl::OkStatus();
    }
  }

  absl::Status CheckPipeline(const Pipe& pipe, absl::string_view context, size_t pos) {
    if (pipe.cmds.empty()) return Error(pos, absl::StrCat("missing value for ", context));
    if (!pipe.decl.empty() && pipe.decl.size() > 1 && context != "range") {
      return Error(pos, absl::StrCat("too many declarations in ", context));
    }
    for (size_t i = 1; i < pipe.cmds.size(); ++i) {
      Arg::Kind k = pipe.cmds[i].args[0].kind;
      if (k == Arg::Kind::kConstant || k == Arg::Kind::kDot || k == Arg::Kind::kNil) {
        return Error(pos, absl::StrCat("non executable command in pipeline stage ", i + 1));
      }
    }
    return absl::OkStatus();
  }

  // Operands separated by spaces, up to '|' (consumed), '}}' or ')' (left for the pipeline).
  absl::Status ParseCommand(Command* cmd) {
    cmd->pos = PosOf(PeekNonSpace().pos);
    for (;;) {
      PeekNonSpace();
      Arg arg;
      bool found = false;
      MYDOCKER_RETURN_IF_ERROR(Operand(&arg, &found));
      if (found) cmd->args.push_back(std::move(arg));
      const Token& t = Next();
      if (t.type == Tok::kSpace) continue;
      if (t.type == Tok::kRightDelim || t.type == Tok::kRightParen) {
        Backup();
      } else if (t.type != Tok::kPipe) {
        return Unexpected(t, "operand");
      }
      break;
    }
    if (cmd->args.empty()) return Error(last_, "empty command");
    return absl::OkStatus();
  }

  // A term and the fields chained to it.
  absl::Status Operand(Arg* arg, bool* found) {
    size_t start = Peek().pos;
    MYDOCKER_RETURN_IF_ERROR(Term(arg, found));
    if (!*found) return absl::OkStatus();
    if (Peek().type == Tok::kField) {
      if (arg->kind == Arg::Kind::kConstant || arg->kind == Arg::Kind::kNil ||
          arg->kind == Arg::Kind::kDot) {
        return Error(Peek().pos, absl::StrCat("unexpected . after term \"", arg->text, "\""));
      }
      if (arg->kind == Arg::Kind::kFunction) {
        return Error(Peek().pos, absl::StrCat("unexpected . after term \"", arg->text, "\""));
      }
      while (Peek().type == Tok::kField) arg->chain.push_back(Next().val.substr(1));
    }
    size_t end = Peek().pos;
    arg->text = Printable(text_.substr(start, end - start));
    return absl::OkStatus();
  }

  absl::Status Term(Arg* arg, bool* found) {
    *found = true;
    const Token& t = NextNonSpace();
    arg->pos = PosOf(t.pos);
    arg->text = t.val;
    switch (t.type) {
      case Tok::kIdentifier:
        if (!IsFunction(t.val)) {
          return Error(t.pos, absl::StrCat("function \"", Printable(t.val), "\" not defined"));
        }
        arg->kind = Arg::Kind::kFunction;
        arg->name = t.val;
        return absl::OkStatus();
      case Tok::kDot:
        arg->kind = Arg::Kind::kDot;
        return absl::OkStatus();
      case Tok::kNil:
        arg->kind = Arg::Kind::kNil;
        return absl::OkStatus();
      case Tok::kVariable: {
        bool known = false;
        for (const std::string& v : vars_) known = known || v == t.val;
        if (!known) {
          return Error(t.pos, absl::StrCat("undefined variable \"", Printable(t.val), "\""));
        }
        arg->kind = Arg::Kind::kVariable;
        arg->name = t.val;
        return absl::OkStatus();
      }
      case Tok::kField:
        arg->kind = Arg::Kind::kField;
        arg->chain.push_back(t.val.substr(1));
        return absl::OkStatus();
      case Tok::kBool:
        arg->kind = Arg::Kind::kConstant;
        arg->constant = Value::Bool(t.val == "true");
        return absl::OkStatus();
      case Tok::kNumber:
      case Tok::kChar:
        return Number(t, arg);
      case Tok::kString:
      case Tok::kRawString: {
        auto s = Unquote(t.val);
        if (!s.ok())
          return Error(t.pos, absl::StrCat(s.status().message(), ": ", Printable(t.val)));
        arg->kind = Arg::Kind::kConstant;
        arg->constant = Value::String(*std::move(s));
        return absl::OkStatus();
      }
      case Tok::kLeftParen: {
        MYDOCKER_RETURN_IF_ERROR(Enter(t.pos));
        auto pipe = std::make_shared<Pipe>();
        MYDOCKER_RETURN_IF_ERROR(Pipeline("parenthesized pipeline", Tok::kRightParen, pipe.get()));
        --depth_;
        arg->kind = Arg::Kind::kPipe;
        arg->pipe = std::move(pipe);
        return absl::OkStatus();
      }
      default:
        Backup();
        *found = false;
        return absl::OkStatus();
    }
  }

  absl::Status Number(const Token& t, Arg* arg) {
    arg->kind = Arg::Kind::kConstant;
    if (t.type == Tok::kChar) {
      auto s = Unquote(t.val);
      uint32_t cp = 0;
      if (!s.ok() || s->empty())
        return Error(t.pos, absl::StrCat("malformed character constant: ", Printable(t.val)));
      size_t n = DecodeUtf8(*s, &cp);
      arg->constant = Value::Int(n > 0 ? cp : static_cast<unsigned char>((*s)[0]));
      return absl::OkStatus();
    }
    auto v = ParseNumber(t.val);
    if (!v) return Error(t.pos, absl::StrCat("illegal number syntax: \"", Printable(t.val), "\""));
    arg->constant = *v;
    return absl::OkStatus();
  }

  absl::string_view text_;
  std::vector<Token> tokens_;
  size_t i_ = 0;
  size_t last_ = 0;
  int depth_ = 0;
  int range_depth_ = 0;
  std::vector<std::string> vars_{"$"};
};

}  // namespace

absl::StatusOr<Template> Template::Parse(absl::string_view text) {
  auto tokens = Lex(text);
  if (!tokens.ok()) return tokens.status();
  auto root = std::make_shared<Node>();
  MYDOCKER_RETURN_IF_ERROR(Parser(text, *std::move(tokens)).Run(root.get()));
  return Template(std::move(root));
}

}  // namespace mydocker::cli::tmpl
