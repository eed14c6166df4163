// Where mydocker-runc reports errors: stderr, and the --log file as runc writes it (JSON lines
// {"level":"error","msg":...,"time":...} with --log-format json, logfmt otherwise).
#ifndef MYDOCKER_RUNC_LOG_H_
#define MYDOCKER_RUNC_LOG_H_

#include <string>

#include "absl/strings/string_view.h"

namespace mydocker::runc {

class Log {
 public:
  // An empty path logs to stderr only. A log that cannot be opened is reported once on stderr.
  void Open(const std::string& path, const std::string& format);
  void Error(absl::string_view message) const;
  void Debug(absl::string_view message) const;

 private:
  void Write(absl::string_view level, absl::string_view message) const;
  int fd_ = -1;
  bool json_ = false;
  bool debug_ = false;

 public:
  void set_debug(bool debug) { debug_ = debug; }
};

}  // namespace mydocker::runc

#endif  // MYDOCKER_RUNC_LOG_H_
