// Go's text/template, as Docker's `--format` uses it: a careful hand-written subset (there is no
// Debian library for it). Supported: text and actions with `{{- -}}` trimming and comments;
// fields and chains (`.A.B`, `$x.A`, `(pipeline).A`), methods with arguments (`.Label "k"`),
// pipelines, variables (`$x := ...`, `$x = ...`, `$`), `if`/`else if`/`else`, `range` (lists,
// maps in key order, integers; `$i, $e :=`; `else`; `break`, `continue`), `with`/`else with`,
// and the functions and, or, not, len, index, slice, print, printf, println, eq, ne, lt, le,
// gt, ge, plus Docker's json, split, join, title, lower, upper, pad and truncate. Not
// supported (a parse error names them): define, template, block, call, html, js, urlquery.
//
// Templates come from users but run over data that containers and images control, so parsing
// and execution are bounded: nesting depth, and the size of the output (an error past it).
// Error messages follow Go's: "template: :1: unexpected "}" in operand", "template: :1:2:
// executing "" at <.Foo>: can't evaluate field Foo in type container".
#ifndef MYDOCKER_TOOLS_TEMPLATE_TEMPLATE_H_
#define MYDOCKER_TOOLS_TEMPLATE_TEMPLATE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "template/value.h"

namespace mydocker::cli::tmpl {

struct Node;

struct ExecOptions {
  // Docker's header functions: json, split, join, title, lower, upper and truncate return their
  // first argument unchanged, so that a table's header shows the column names as they are.
  bool header = false;
  // What each action prints has its control characters (but tab and newline) and bytes that are
  // not UTF-8 replaced by '?': a container's or an image's text cannot reach the terminal raw.
  // The template's own text is written as it is.
  bool printable = true;
  // The most output one execution may write; InvalidArgument past it.
  size_t max_output = size_t{16} << 20;
};

class Template {
 public:
  // InvalidArgument for a template that does not parse, or nests deeper than 100 levels.
  static absl::StatusOr<Template> Parse(absl::string_view text);

  // Runs the template over `data`, appending to `*out`; on an error `*out` holds what was
  // written before it.
  absl::Status Execute(const Value& data, std::string* out, const ExecOptions& options = {}) const;

 private:
  explicit Template(std::shared_ptr<const Node> root) : root_(std::move(root)) {}
  std::shared_ptr<const Node> root_;
};

}  // namespace mydocker::cli::tmpl

#endif  // MYDOCKER_TOOLS_TEMPLATE_TEMPLATE_H_
