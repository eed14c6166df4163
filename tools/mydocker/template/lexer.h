// The tokens of a template, as Go's text/template lexes them: text between actions (already
// trimmed by `{{-` and `-}}`, comments dropped) and the items inside each action, spaces
// included (they separate arguments).
#ifndef MYDOCKER_TOOLS_TEMPLATE_LEXER_H_
#define MYDOCKER_TOOLS_TEMPLATE_LEXER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::cli::tmpl {

enum class Tok {
  kText,
  kLeftDelim,
  kRightDelim,
  kSpace,
  kIdentifier,
  kKeyword,  // if else end range with break continue define template block
  kField,    // ".Name"
  kDot,
  kVariable,  // "$x" or "$"
  kString,    // the quoted text as written
  kRawString,
  kChar,
  kNumber,
  kBool,
  kNil,
  kLeftParen,
  kRightParen,
  kPipe,
  kDeclare,
  kAssign,
  kComma,
  kEOF,
};

struct Token {
  Tok type;
  std::string val;
  size_t pos;  // byte offset in the template
};

// Every token of `text`, ending with kEOF; InvalidArgument "template: :LINE: ..." for a lexical
// error (an unclosed action, comment or string, a character that cannot start an item).
absl::StatusOr<std::vector<Token>> Lex(absl::string_view text);

// The line (from 1) and the column (a byte offset from 0) of offset `pos` in `text`.
void LineAndColumn(absl::string_view text, size_t pos, int* line, int* col);

// Go's strconv.Unquote for "..." and `...` strings and '.' characters: the text with its
// escapes resolved; InvalidArgument for a malformed one.
absl::StatusOr<std::string> Unquote(absl::string_view quoted);

}  // namespace mydocker::cli::tmpl

#endif  // MYDOCKER_TOOLS_TEMPLATE_LEXER_H_
