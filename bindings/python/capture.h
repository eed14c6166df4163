// Output captured into an anonymous memory file. A memfd, not a pipe: the core relays the
// command's output into it synchronously, and a pipe nobody drains would block at 64 KiB.
#ifndef MYDOCKER_BINDINGS_PYTHON_CAPTURE_H_
#define MYDOCKER_BINDINGS_PYTHON_CAPTURE_H_

#include <string>

#include "absl/status/statusor.h"
#include "mydocker/unique_fd.h"

namespace mydocker::python {

class Capture {
 public:
  // A new, empty capture file (close-on-exec).
  static absl::StatusOr<Capture> Create();

  // The descriptor to hand to the core as stdout and stderr (one file, so both streams keep
  // the order they were written in).
  int fd() const { return fd_.get(); }

  // Everything written so far.
  absl::StatusOr<std::string> Read() const;

 private:
  explicit Capture(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace mydocker::python

#endif  // MYDOCKER_BINDINGS_PYTHON_CAPTURE_H_
