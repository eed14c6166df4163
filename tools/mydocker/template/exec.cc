// The executor of template.h: Go's text/template/exec over Values.
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"
#include "mydocker/utf8.h"
#include "template/ast.h"
#include "template/functions.h"
#include "template/template.h"

namespace mydocker::cli::tmpl {

namespace {

// Actions and iterations one execution may take: `{{range 1000000000}}{{end}}` writes nothing
// but would keep a CPU busy.
constexpr int64_t kMaxSteps = 10'000'000;

class Executor {
 public:
  Executor(const ExecOptions& options, std::string* out) : options_(options), out_(out) {}

  absl::Status Run(const Value& data, const Node& root) {
    vars_.push_back({"$", data});
    return Walk(data, root.list);
  }

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  absl::Status ErrorAt(const Pos& pos, absl::string_view text, absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat("template: :", pos.line, ":", pos.col,
                                                   ": executing \"\" at <", text, ">: ", message));
  }

  absl::Status Step(const Pos& pos) {
    if (++steps_ > kMaxSteps) {
      return absl::InvalidArgumentError(
          absl::StrCat("template: :", pos.line, ":", pos.col, ": execution takes too many steps"));
    }
    return absl::OkStatus();
  }

  absl::Status Write(absl::string_view text, const Pos& pos) {
    if (out_->size() + text.size() > options_.max_output) {
      return absl::InvalidArgumentError(absl::StrCat("template: :", pos.line, ":", pos.col,
                                                     ": output is larger than ",
                                                     options_.max_output, " bytes"));
    }
    out_->append(text.data(), text.size());
    return absl::OkStatus();
  }

  // An action's value as text; data cannot put control characters on the terminal.
  absl::Status Print(const Value& v, const Pos& pos) {
    std::string text = GoString(v);
    if (!options_.printable) return Write(text, pos);
    std::string clean;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == '\n' || text[i] == '\t') {
        clean += Printable(absl::string_view(text).substr(start, i - start));
        if (i < text.size()) clean.push_back(text[i]);
        start = i + 1;
      }
    }
    return Write(clean, pos);
  }

  absl::Status Walk(const Value& dot, const std::vector<Node>& list) {
    for (const Node& n : list) {
      MYDOCKER_RETURN_IF_ERROR(Step(n.pos));
      switch (n.type) {
        case Node::Type::kText:
          MYDOCKER_RETURN_IF_ERROR(Write(n.text, n.pos));
          break;
        case Node::Type::kAction: {
          auto v = EvalPipeline(dot, *n.pipe);
          if (!v.ok()) return v.status();
          if (n.pipe->decl.empty()) MYDOCKER_RETURN_IF_ERROR(Print(*v, n.pos));
          break;
        }
        case Node::Type::kIf:
        case Node::Type::kWith:
          MYDOCKER_RETURN_IF_ERROR(IfOrWith(dot, n));
          break;
        case Node::Type::kRange:
          MYDOCKER_RETURN_IF_ERROR(Range(dot, n));
          break;
        case Node::Type::kBreak:
          flow_ = Flow::kBreak;
          break;
        case Node::Type::kContinue:
          flow_ = Flow::kContinue;
          break;
        case Node::Type::kList:
          MYDOCKER_RETURN_IF_ERROR(Walk(dot, n.list));
          break;
      }
      if (flow_ != Flow::kNormal) return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  absl::Status IfOrWith(const Value& dot, const Node& n) {
    size_t mark = vars_.size();
    auto v = EvalPipeline(dot, *n.pipe);
    if (!v.ok()) return v.status();
    absl::Status s;
    if (v->Truth()) {
      s = Walk(n.type == Node::Type::kWith ? *v : dot, n.list);
    } else {
      s = Walk(dot, n.else_list);
    }
    vars_.resize(mark);
    return s;
  }

  // One iteration: the range's variables (element; index then element), then the body.
  absl::Status Iteration(const Node& n, const Value& index, const Value& elem, size_t mark,
                         bool* stop) {
    const auto& decl = n.pipe->decl;
    if (!decl.empty()) {
      if (n.pipe->assign) {
        MYDOCKER_RETURN_IF_ERROR(SetVar(decl[0], decl.size() > 1 ? index : elem, n.pos));
        if (decl.size() > 1) MYDOCKER_RETURN_IF_ERROR(SetVar(decl[1], elem, n.pos));
      } else {
        vars_[mark - 1].second = elem;
        if (decl.size() > 1) {
          vars_[mark - 2].second = index;
        }
      }
    }
    absl::Status s = Walk(elem, n.list);
    vars_.resize(mark);
    *stop = flow_ == Flow::kBreak;
    flow_ = Flow::kNormal;
    return s;
  }

  absl::Status Range(const Value& dot, const Node& n) {
    size_t outer = vars_.size();
    auto v = EvalPipeline(dot, *n.pipe);
    if (!v.ok()) return v.status();
    size_t mark = vars_.size();
    bool stop = false;
    size_t count = 0;
    absl::Status s;
    switch (v->kind()) {
      case Value::Kind::kList:
        for (size_t i = 0; i < v->items().size() && !stop && s.ok(); ++i, ++count) {
          s = Iteration(n, Value::Int(static_cast<int64_t>(i)), v->items()[i], mark, &stop);
        }
        break;
      case Value::Kind::kMap:
        for (size_t i = 0; i < v->fields().size() && !stop && s.ok(); ++i, ++count) {
          s = Iteration(n, Value::String(v->fields()[i].first), v->fields()[i].second, mark, &stop);
        }
        break;
      case Value::Kind::kInt:
        if (n.pipe->decl.size() > 1) {
          s = ErrorAt(n.pos, "range",
                      absl::StrCat("can't use ", v->int_value(),
                                   " to iterate over more than one variable"));
          break;
        }
        for (int64_t i = 0; i < v->int_value() && !stop && s.ok(); ++i, ++count) {
          s = Step(n.pos);
          if (s.ok()) s = Iteration(n, Value::Int(i), Value::Int(i), mark, &stop);
        }
        break;
      case Value::Kind::kNil:
      case Value::Kind::kNoValue:
        break;
      default:
        s = ErrorAt(n.pos, "range", absl::StrCat("range can't iterate over ", GoString(*v)));
    }
    if (s.ok() && count == 0) s = Walk(dot, n.else_list);
    vars_.resize(outer);
    return s;
  }

  absl::StatusOr<Value> EvalPipeline(const Value& dot, const Pipe& pipe) {
    Value value;
    bool have_final = false;
    for (const Command& cmd : pipe.cmds) {
      auto v = EvalCommand(dot, cmd, have_final ? &value : nullptr);
      if (!v.ok()) return v.status();
      value = *std::move(v);
      have_final = true;
    }
    for (const std::string& name : pipe.decl) {
      if (pipe.assign) {
        MYDOCKER_RETURN_IF_ERROR(SetVar(name, value, pipe.pos));
      } else {
        vars_.push_back({name, value});
      }
    }
    return value;
  }

  absl::Status SetVar(const std::string& name, const Value& v, const Pos& pos) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        vars_[i].second = v;
        return absl::OkStatus();
      }
    }
    return ErrorAt(pos, name, absl::StrCat("undefined variable: ", name));
  }

  absl::StatusOr<Value> Variable(const Arg& arg) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == arg.name) return vars_[i].second;
    }
    return ErrorAt(arg.pos, arg.text, absl::StrCat("undefined variable: ", arg.name));
  }

  absl::Status NotAFunction(const Command& cmd, const Value* final) {
    if (cmd.args.size() > 1 || final != nullptr) {
      return ErrorAt(cmd.args[0].pos, cmd.args[0].text,
                     absl::StrCat("can't give argument to non-function ", cmd.args[0].text));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Value> EvalCommand(const Value& dot, const Command& cmd, const Value* final) {
    const Arg& first = cmd.args[0];
    switch (first.kind) {
      case Arg::Kind::kField:
        return FieldChain(dot, dot, first, &cmd.args, final);
      case Arg::Kind::kVariable:
      case Arg::Kind::kPipe: {
        if (first.chain.empty()) MYDOCKER_RETURN_IF_ERROR(NotAFunction(cmd, final));
        auto v =
            first.kind == Arg::Kind::kVariable ? Variable(first) : EvalPipeline(dot, *first.pipe);
        if (!v.ok() || first.chain.empty()) return v;
        return FieldChain(dot, *v, first, &cmd.args, final);
      }
      case Arg::Kind::kFunction:
        return Function(dot, first, &cmd.args, final);
      case Arg::Kind::kNil:
        return ErrorAt(first.pos, first.text, "nil is not a command");
      case Arg::Kind::kDot:
        MYDOCKER_RETURN_IF_ERROR(NotAFunction(cmd, final));
        return dot;
      case Arg::Kind::kConstant:
        MYDOCKER_RETURN_IF_ERROR(NotAFunction(cmd, final));
        return first.constant;
    }
    return Value();
  }

  // An argument's value (not a command: a function name here is called without arguments).
  absl::StatusOr<Value> EvalArg(const Value& dot, const Arg& arg) {
    switch (arg.kind) {
      case Arg::Kind::kDot:
        return dot;
      case Arg::Kind::kNil:
        return Value::Nil();
      case Arg::Kind::kConstant:
        return arg.constant;
      case Arg::Kind::kField:
        return FieldChain(dot, dot, arg, nullptr, nullptr);
      case Arg::Kind::kVariable:
      case Arg::Kind::kPipe: {
        auto v = arg.kind == Arg::Kind::kVariable ? Variable(arg) : EvalPipeline(dot, *arg.pipe);
        if (!v.ok() || arg.chain.empty()) return v;
        return FieldChain(dot, *v, arg, nullptr, nullptr);
      }
      case Arg::Kind::kFunction:
        return Function(dot, arg, nullptr, nullptr);
    }
    return Value();
  }

  // The command's arguments after its first word, then the pipeline's value.
  absl::StatusOr<std::vector<Value>> Arguments(const Value& dot, const std::vector<Arg>* args,
                                               const Value* final) {
    std::vector<Value> values;
    if (args != nullptr) {
      for (size_t i = 1; i < args->size(); ++i) {
        auto v = EvalArg(dot, (*args)[i]);
        if (!v.ok()) return v.status();
        values.push_back(*std::move(v));
      }
    }
    if (final != nullptr) values.push_back(*final);
    return values;
  }

  absl::StatusOr<Value> FieldChain(const Value& dot, Value receiver, const Arg& node,
                                   const std::vector<Arg>* args, const Value* final) {
    for (size_t i = 0; i + 1 < node.chain.size(); ++i) {
      auto v = Field(dot, node.chain[i], node, nullptr, nullptr, receiver);
      if (!v.ok()) return v;
      receiver = *std::move(v);
    }
    return Field(dot, node.chain.back(), node, args, final, receiver);
  }

  absl::StatusOr<Value> Field(const Value& dot, const std::string& name, const Arg& node,
                              const std::vector<Arg>* args, const Value* final,
                              const Value& receiver) {
    if (receiver.is_missing()) return Value();
    if (receiver.kind() == Value::Kind::kNil) {
      return ErrorAt(node.pos, node.text,
                     absl::StrCat("nil pointer evaluating interface {}.", name));
    }
    if (const Method* method = receiver.FindMethod(name)) {
      auto values = Arguments(dot, args, final);
      if (!values.ok()) return values.status();
      auto v = (*method)(*values);
      if (!v.ok()) {
        return ErrorAt(node.pos, node.text,
                       absl::StrCat("error calling ", name, ": ", v.status().message()));
      }
      return v;
    }
    bool has_args = (args != nullptr && args->size() > 1) || final != nullptr;
    if (receiver.kind() == Value::Kind::kStruct) {
      if (const Value* v = receiver.Find(name)) {
        if (has_args) {
          return ErrorAt(node.pos, node.text,
                         absl::StrCat(name, " has arguments but cannot be invoked as function"));
        }
        return *v;
      }
    } else if (receiver.kind() == Value::Kind::kMap) {
      if (has_args) {
        return ErrorAt(node.pos, node.text,
                       absl::StrCat(name, " is not a method but has arguments"));
      }
      const Value* v = receiver.Find(name);
      return v != nullptr ? *v : Value();
    }
    return ErrorAt(node.pos, node.text,
                   absl::StrCat("can't evaluate field ", name, " in type ", receiver.TypeName()));
  }

  absl::StatusOr<Value> Function(const Value& dot, const Arg& fn, const std::vector<Arg>* args,
                                 const Value* final) {
    if (fn.name == "and" || fn.name == "or") return AndOr(dot, fn, args, final);
    auto values = Arguments(dot, args, final);
    if (!values.ok()) return values.status();
    auto v = CallFunction(fn.name, *values, options_.header);
    if (!v.ok()) {
      return ErrorAt(fn.pos, fn.text,
                     absl::StrCat("error calling ", fn.name, ": ", v.status().message()));
    }
    return v;
  }

  // and, or: arguments are evaluated until one decides.
  absl::StatusOr<Value> AndOr(const Value& dot, const Arg& fn, const std::vector<Arg>* args,
                              const Value* final) {
    size_t n = (args != nullptr ? args->size() - 1 : 0) + (final != nullptr ? 1 : 0);
    if (n == 0) {
      return ErrorAt(fn.pos, fn.text,
                     absl::StrCat("wrong number of args for ", fn.name, ": want at least 1 got 0"));
    }
    bool is_or = fn.name == "or";
    Value v;
    if (args != nullptr) {
      for (size_t i = 1; i < args->size(); ++i) {
        auto a = EvalArg(dot, (*args)[i]);
        if (!a.ok()) return a;
        v = *std::move(a);
        if (v.Truth() == is_or) return v;
      }
    }
    if (final != nullptr) v = *final;
    return v;
  }

  const ExecOptions& options_;
  std::string* out_;
  std::vector<std::pair<std::string, Value>> vars_;
  Flow flow_ = Flow::kNormal;
  int64_t steps_ = 0;
};

}  // namespace

absl::Status Template::Execute(const Value& data, std::string* out,
                               const ExecOptions& options) const {
  return Executor(options, out).Run(data, *root_);
}

}  // namespace mydocker::cli::tmpl
