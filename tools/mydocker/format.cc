#include "format.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mydocker::cli {

namespace {
// Display width: UTF-8 continuation bytes take no column.
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}
}  // namespace

std::string Table::Render() const {
  // Each cell's width once; then every line is laid out straight into the output.
  std::vector<size_t> widths;
  std::vector<size_t> cell_widths;
  size_t cells = 0;
  for (const auto& row : rows_) cells += row.size();
  cell_widths.reserve(cells);
  size_t bytes = 0;
  for (const auto& row : rows_) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      cell_widths.push_back(Width(row[i]));
      widths[i] = std::max(widths[i], cell_widths.back());
      bytes += row[i].size();
    }
  }
  size_t line_width = rows_.size();
  for (size_t w : widths) line_width += w + 3;
  std::string out;
  out.reserve(bytes + line_width * rows_.size());
  const size_t* width = cell_widths.data();
  for (const auto& row : rows_) {
    size_t line_start = out.size();
    for (size_t i = 0; i < row.size(); ++i, ++width) {
      out += row[i];
      if (i + 1 < row.size()) out.append(widths[i] - *width + 3, ' ');
    }
    size_t end = out.size();
    while (end > line_start && out[end - 1] == ' ') --end;
    out.resize(end);
    out += '\n';
  }
  return out;
}

}  // namespace mydocker::cli
