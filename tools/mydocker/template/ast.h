// The parsed form of a template (template.h), shared by the parser and the executor.
#ifndef MYDOCKER_TOOLS_TEMPLATE_AST_H_
#define MYDOCKER_TOOLS_TEMPLATE_AST_H_

#include <memory>
#include <string>
#include <vector>

#include "template/value.h"

namespace mydocker::cli::tmpl {

// Where a node starts: line from 1, column a byte offset from 0, as Go's messages give them.
struct Pos {
  int line = 1;
  int col = 0;
};

struct Pipe;

// An operand: `.`, `.A.B`, `$x.A`, `(pipeline).A`, a function name, or a constant.
struct Arg {
  enum class Kind { kDot, kField, kVariable, kPipe, kFunction, kConstant, kNil };
  Kind kind = Kind::kDot;
  std::string name;                // "$x" or the function's name
  std::vector<std::string> chain;  // fields after the term: {"A", "B"} for .A.B
  std::shared_ptr<const Pipe> pipe;
  Value constant;
  Pos pos;
  std::string text;  // as written, for messages
};

struct Command {
  std::vector<Arg> args;
  Pos pos;
};

struct Pipe {
  std::vector<std::string> decl;  // "$x", or "$i", "$e" in a range
  bool assign = false;            // `$x = ...` rather than `$x := ...`
  std::vector<Command> cmds;
  Pos pos;
};

struct Node {
  enum class Type { kList, kText, kAction, kIf, kRange, kWith, kBreak, kContinue };
  Type type = Type::kList;
  std::string text;  // kText
  std::shared_ptr<const Pipe> pipe;
  std::vector<Node> list;       // the body
  std::vector<Node> else_list;  // after {{else}}
  Pos pos;
};

}  // namespace mydocker::cli::tmpl

#endif  // MYDOCKER_TOOLS_TEMPLATE_AST_H_
