// Docker's --format for commands that print rows (ps, images, volume ls, network ls, stats,
// history, events): "" or "table" is the command's own table, "json" one JSON object a line,
// "table TEMPLATE" a header and aligned columns, any other TEMPLATE one line a row. As Docker
// does, spaces around the template are trimmed and a typed `\t` or `\n` means a tab or a
// newline.
#ifndef MYDOCKER_TOOLS_TEMPLATE_FORMATTER_H_
#define MYDOCKER_TOOLS_TEMPLATE_FORMATTER_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "template/template.h"
#include "template/value.h"

namespace mydocker::cli::tmpl {

// A template's error as Docker reports it: "template parsing error: template: :1: ...".
absl::Status TemplateParsingError(const absl::Status& status);

class ListFormatter {
 public:
  // InvalidArgument "template parsing error: template: :1: ..." for a template that does not
  // parse (Docker's exit status for it is 1).
  static absl::StatusOr<ListFormatter> Create(absl::string_view format);

  // "" or "table": the command prints its default table itself.
  bool is_default() const { return kind_ == Kind::kDefault; }

  // Formats one row; "template parsing error: ..." when the template fails on it.
  absl::Status Add(const Value& row);

  // Everything added: for a table the header (the template run over `header`, a map from each
  // field to its column title, with Docker's header functions) and the rows, aligned as Go's
  // tabwriter with Docker's settings (columns at least 10 wide, 3 spaces apart).
  std::string Finish(const Value& header) const;

 private:
  enum class Kind { kDefault, kTable, kLines };
  ListFormatter(Kind kind, std::optional<Template> tmpl)
      : kind_(kind), template_(std::move(tmpl)) {}

  Kind kind_;
  std::optional<Template> template_;
  std::string rows_;
};

// Go's text/tabwriter as Docker sets it up for tables (minimum cell width `min_width`,
// `padding` spaces, padded with spaces): cells end at tabs, the text after a line's last tab is
// not part of a column, and a column is as wide as its widest cell in each block of adjacent
// lines that have it.
std::string TabAlign(absl::string_view text, size_t min_width = 10, size_t padding = 3);

// The map a table's header runs over: field name -> column title.
Value HeaderMap(std::initializer_list<std::pair<const char*, const char*>> columns);

// Docker's `.Labels` field of a row ("a=1,b=2", sorted by key) added to `fields`, and its
// `.Label "k"` method ("" for a label it does not have) to `methods`.
void AddLabels(const std::map<std::string, std::string>& labels, Value::Fields* fields,
               Methods* methods);

// Go's time.Time.String() in local time, as Docker's CreatedAt columns show a time:
// "2024-05-01 12:00:00 +0000 UTC".
std::string GoTimeString(absl::Time t);
// Go's time.RFC3339 in local time ("Z" for UTC), as `history` shows CreatedAt.
std::string GoRfc3339(absl::Time t);

// A column title for `.Label "k"` in a header, as Docker's: the label's last dot-separated part,
// '-' and '_' as spaces, upper case ("com.example.vendor-name" -> "VENDOR NAME").
std::string LabelHeader(absl::string_view label);

}  // namespace mydocker::cli::tmpl

#endif  // MYDOCKER_TOOLS_TEMPLATE_FORMATTER_H_
