// Output formatting shared by the commands: Docker's human-readable durations and sizes, and
// aligned tables.
#ifndef MYDOCKER_TOOLS_FORMAT_H_
#define MYDOCKER_TOOLS_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace mydocker::cli {

// "Less than a second", "3 seconds", "About a minute", "5 minutes", "2 hours", "3 days" ...
std::string HumanDuration(absl::Duration d);
// 1000-based like Docker: "0B", "1.23kB", "4.5MB", "1.2GB".
std::string HumanSize(int64_t bytes);

// Prints rows in columns separated by at least three spaces, like Docker's tables.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_FORMAT_H_
