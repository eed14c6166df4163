#include "capture.h"

#include <sys/mman.h>
#include <unistd.h>

#include "mydocker/status_macros.h"

namespace mydocker::python {

absl::StatusOr<Capture> Capture::Create() {
  UniqueFd fd(::memfd_create("pymydocker-output", MFD_CLOEXEC));
  if (!fd) return LastErrnoError("memfd_create for captured output");
  return Capture(std::move(fd));
}

absl::StatusOr<std::string> Capture::Read() const {
  std::string out;
  char buf[65536];
  off_t offset = 0;
  for (;;) {
    ssize_t n = ::pread(fd_.get(), buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError("read captured output");
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    offset += n;
  }
}

}  // namespace mydocker::python
