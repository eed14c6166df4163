// The one reader of /proc/PID/stat: process state, parent, CPU times and start time.
#ifndef MYDOCKER_HOST_PROC_STAT_H_
#define MYDOCKER_HOST_PROC_STAT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker {

struct ProcStat {
  std::string comm;               // field 2, without its parentheses
  char state = '?';               // field 3: R, S, D, T, Z, X, ...
  int ppid = 0;                   // field 4
  uint64_t utime = 0, stime = 0;  // fields 14 and 15, in clock ticks
  uint64_t start_time = 0;        // field 22, clock ticks since boot
};

// Parses the contents of a /proc/PID/stat file; `path` names it in errors (DataLoss). Field 2
// (comm) is in parentheses and may itself contain spaces and ')' (a process can name itself
// anything with prctl), so the fields after it are found from the last ')'.
absl::StatusOr<ProcStat> ParseProcStat(absl::string_view data, absl::string_view path);

// Reads /proc/PID/stat: NotFound ("no such process: PID") when the process is gone (ENOENT, or
// ESRCH when it exits between open and read), InvalidArgument for pid <= 0.
absl::StatusOr<ProcStat> ReadProcStat(int pid);

}  // namespace mydocker

#endif  // MYDOCKER_HOST_PROC_STAT_H_
