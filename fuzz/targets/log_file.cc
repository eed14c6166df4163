// A container's log file as `logs` reads it back (container/logs.cc): records of the `local`
// driver or JSON lines of `json-file`, told apart by the first byte, with --tail (which walks
// records backwards through their trailers), --since and --until. The log lies in the state
// root, which the container cannot reach, but a crash can leave any torn tail and a damaged disk
// anything. The first byte of the input picks the options, the rest is the file.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/time/clock.h"
#include "container/container_internal.h"
#include "fuzz.h"
#include "mydocker/logs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t pick = data[0];
  mydocker::LogOptions options;
  if (pick & 0x08) options.tail = pick & 0x07;  // --tail 0..7
  // A window around the records' times (the seeds are from 2023-11-14): --since, --until.
  if (pick & 0x10) options.since = absl::FromUnixSeconds(1700000000);
  if (pick & 0x20) options.until = absl::FromUnixSeconds(1700000100);
  int fd = ::memfd_create("container.log", MFD_CLOEXEC);
  if (fd < 0 || ::write(fd, data + 1, size - 1) != static_cast<ssize_t>(size - 1) ||
      ::lseek(fd, 0, SEEK_SET) != 0) {
    std::abort();
  }
  mydocker::UniqueFd owned(fd);
  size_t entries = 0;
  mydocker::ReadLogFile(
      fd, options,
      [&](const mydocker::LogEntry& e) {
        // Every entry is a line of one stream with its time, cut from the file's bytes.
        if (e.text.size() > size || (e.stream != "stdout" && e.stream != "stderr")) std::abort();
        ++entries;
        return true;
      },
      "container.log")
      .IgnoreError();
  if (options.tail && entries > 2 * *options.tail) std::abort();  // at most N per stream
  return 0;
}
