#include "host/proc_stat.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mydocker/fs_util.h"

namespace mydocker {

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view data, absl::string_view path) {
  size_t open = data.find('(');
  size_t close = data.rfind(')');
  if (open == absl::string_view::npos || close == absl::string_view::npos || close < open) {
    return absl::DataLossError(absl::StrCat("malformed ", path, ": no command name"));
  }
  std::vector<absl::string_view> fields =
      absl::StrSplit(data.substr(close + 1), absl::ByAnyChar(" \n"), absl::SkipEmpty());
  // fields[0] is field 3 (state), so field N is fields[N - 3].
  auto field = [&](size_t n) { return fields[n - 3]; };
  constexpr size_t kStartTime = 22;
  ProcStat stat;
  if (fields.size() <= kStartTime - 3 || field(3).size() != 1 ||
      !absl::SimpleAtoi(field(4), &stat.ppid) || !absl::SimpleAtoi(field(14), &stat.utime) ||
      !absl::SimpleAtoi(field(15), &stat.stime) ||
      !absl::SimpleAtoi(field(kStartTime), &stat.start_time)) {
    return absl::DataLossError(absl::StrCat("malformed ", path));
  }
  stat.comm = std::string(data.substr(open + 1, close - open - 1));
  stat.state = field(3)[0];
  return stat;
}

absl::StatusOr<ProcStat> ReadProcStat(int pid) {
  if (pid <= 0) return absl::InvalidArgumentError(absl::StrCat("invalid pid ", pid));
  std::string path = absl::StrCat("/proc/", pid, "/stat");
  absl::StatusOr<std::string> data = ReadFile(path);
  if (!data.ok()) {
    // ENOENT, or ESRCH when the process exits between open and read: both map to NotFound.
    if (absl::IsNotFound(data.status())) {
      return absl::NotFoundError(absl::StrCat("no such process: ", pid));
    }
    return data.status();
  }
  return ParseProcStat(*data, path);
}

}  // namespace mydocker
