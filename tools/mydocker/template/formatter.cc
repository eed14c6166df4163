#include "template/formatter.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mydocker::cli::tmpl {

namespace {

struct Cell {
  absl::string_view text;
  size_t width;
};

// Display width: UTF-8 continuation bytes take no column.
size_t Width(absl::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class TabWriter {
 public:
  TabWriter(absl::string_view text, size_t min_width, size_t padding)
      : min_width_(min_width), padding_(padding) {
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      std::vector<Cell> cells;
      for (absl::string_view cell : absl::StrSplit(line, '\t'))
        cells.push_back({cell, Width(cell)});
      lines_.push_back(std::move(cells));
    }
  }

  std::string Run() {
    Format(0, lines_.size());
    return std::move(out_);
  }

 private:
  // Go's tabwriter.format: each block of adjacent lines with a cell in the next column gets
  // that column's width, then the columns to its right are laid out within the block.
  void Format(size_t line0, size_t line1) {
    size_t column = widths_.size();
    for (size_t line = line0; line < line1; ++line) {
      if (column + 1 >= lines_[line].size()) continue;
      WriteLines(line0, line);
      line0 = line;
      size_t width = min_width_;
      for (; line < line1 && column + 1 < lines_[line].size(); ++line) {
        width = std::max(width, lines_[line][column].width + padding_);
      }
      widths_.push_back(width);
      Format(line0, line);
      widths_.pop_back();
      line0 = line;
    }
    WriteLines(line0, line1);
  }

  void WriteLines(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; ++i) {
      const std::vector<Cell>& cells = lines_[i];
      for (size_t j = 0; j < cells.size(); ++j) {
        out_.append(cells[j].text.data(), cells[j].text.size());
        if (j < widths_.size() && widths_[j] > cells[j].width) {
          out_.append(widths_[j] - cells[j].width, ' ');
        }
      }
      // The last line is what followed the last newline.
      if (i + 1 < lines_.size()) out_.push_back('\n');
    }
  }

  size_t min_width_;
  size_t padding_;
  std::vector<std::vector<Cell>> lines_;
  std::vector<size_t> widths_;
  std::string out_;
};

}  // namespace

absl::Status TemplateParsingError(const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat("template parsing error: ", status.message()));
}

absl::StatusOr<ListFormatter> ListFormatter::Create(absl::string_view format) {
  if (format.empty() || format == "table") return ListFormatter(Kind::kDefault, std::nullopt);
  std::string text;
  Kind kind = Kind::kLines;
  if (format == "json") {
    text = "{{json .}}";
  } else {
    absl::string_view rest = format;
    if (absl::ConsumePrefix(&rest, "table")) kind = Kind::kTable;
    // Spaces only: a template may start or end with a tab or a newline on purpose.
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
    text = absl::StrReplaceAll(rest, {{"\\t", "\t"}, {"\\n", "\n"}});
  }
  auto t = Template::Parse(text);
  if (!t.ok()) return TemplateParsingError(t.status());
  return ListFormatter(kind, *std::move(t));
}

absl::Status ListFormatter::Add(const Value& row) {
  size_t before = rows_.size();
  absl::Status s = template_->Execute(row, &rows_);
  if (!s.ok()) {
    rows_.resize(before);
    return TemplateParsingError(s);
  }
  rows_.push_back('\n');
  return absl::OkStatus();
}

std::string ListFormatter::Finish(const Value& header) const {
  if (kind_ != Kind::kTable) return rows_;
  // As Docker, a header that fails (a field only rows have) shows what it made before that.
  std::string text;
  ExecOptions options;
  options.header = true;
  template_->Execute(header, &text, options).IgnoreError();
  text.push_back('\n');
  text += rows_;
  return TabAlign(text);
}

std::string TabAlign(absl::string_view text, size_t min_width, size_t padding) {
  return TabWriter(text, min_width, padding).Run();
}

Value HeaderMap(std::initializer_list<std::pair<const char*, const char*>> columns) {
  Value::Fields fields;
  for (const auto& [field, title] : columns) fields.emplace_back(field, Value::String(title));
  Methods methods;
  methods["Label"] = [](const std::vector<Value>& args) -> absl::StatusOr<Value> {
    if (args.empty() || args[0].kind() != Value::Kind::kString) return Value::String("LABEL");
    return Value::String(LabelHeader(args[0].string_value()));
  };
  return Value::Map(std::move(fields), std::move(methods));
}

void AddLabels(const std::map<std::string, std::string>& labels, Value::Fields* fields,
               Methods* methods) {
  std::string joined;
  for (const auto& [k, v] : labels) absl::StrAppend(&joined, joined.empty() ? "" : ",", k, "=", v);
  fields->emplace_back("Labels", Value::String(std::move(joined)));
  (*methods)["Label"] = [labels](const std::vector<Value>& args) -> absl::StatusOr<Value> {
    if (args.size() != 1 || args[0].kind() != Value::Kind::kString) {
      return absl::InvalidArgumentError("Label takes one string, the label's name");
    }
    auto it = labels.find(args[0].string_value());
    return Value::String(it == labels.end() ? "" : it->second);
  };
}

std::string GoTimeString(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %z %Z", t, absl::LocalTimeZone());
}

std::string GoRfc3339(absl::Time t) {
  std::string s = absl::FormatTime(absl::RFC3339_sec, t, absl::LocalTimeZone());
  if (absl::EndsWith(s, "+00:00")) s.replace(s.size() - 6, 6, "Z");
  return s;
}

std::string LabelHeader(absl::string_view label) {
  size_t dot = label.rfind('.');
  std::string last(dot == absl::string_view::npos ? label : label.substr(dot + 1));
  std::replace(last.begin(), last.end(), '-', ' ');
  std::replace(last.begin(), last.end(), '_', ' ');
  return absl::AsciiStrToUpper(last);
}

}  // namespace mydocker::cli::tmpl
