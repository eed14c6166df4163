// Output formatting shared by the commands: Docker's human-readable durations and sizes, and
// aligned tables.
#ifndef MYDOCKER_TOOLS_FORMAT_H_
#define MYDOCKER_TOOLS_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mydocker/utf8.h"
#include "mydocker/views.h"

namespace mydocker::cli {

// Docker's human-readable durations and sizes, shared with the views of the library.
using views::HumanDuration;
using views::HumanSize;

// Prints rows in columns separated by at least three spaces, like Docker's tables.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  // Cells may hold a container's or an image's text (process names, commands, history): control
  // characters are replaced (Printable) so that none reaches the terminal.
  void Add(std::vector<std::string> row) {
    for (std::string& cell : row) MakePrintable(&cell);
    rows_.push_back(std::move(row));
  }
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_FORMAT_H_
