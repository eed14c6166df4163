// The relay between a caller's stdio and a command's, one piece for both of its users: the
// monitor (a client's terminal or pipes and the container's init, plus the log) and exec (the
// caller's descriptors and the exec'd command). Both run a single poll loop; nothing here may
// block it.
#ifndef MYDOCKER_PROCESS_STDIO_RELAY_H_
#define MYDOCKER_PROCESS_STDIO_RELAY_H_

#include <poll.h>

#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "process/detach_keys.h"

namespace mydocker::process {

// Input moved from `from` (what the caller types) to `to` (the command's stdin). While the
// command does not read, what was read waits here and no more is read from the caller.
class InputPump {
 public:
  InputPump() = default;
  // Makes `to` non-blocking. Neither descriptor is owned. Non-empty `detach_keys` (bytes, see
  // ParseDetachKeys) end the input when typed; they never reach `to`.
  InputPump(int from, int to, std::string detach_keys = {});

  bool open() const { return open_; }
  // What to poll for: `from` readable while nothing waits, else `to` writable.
  struct pollfd PollFd() const;
  // Call when PollFd() was reported ready. Returns false once input is over: end of `from`, or
  // the command closed its stdin (the caller then closes `to`, unless it is a terminal).
  bool Pump();
  // Stops relaying; what waits is dropped.
  void Close();
  // True once Pump() ended the input because the detach keys were typed.
  bool detached() const { return detached_; }

 private:
  int from_ = -1;
  int to_ = -1;
  bool open_ = false;
  bool detached_ = false;
  std::string pending_;
  DetachScanner scanner_;
};

// Reads what `from` holds now (one read) and hands it to `sink`. Returns false at end of
// stream, or EIO from a terminal whose last slave closed; true otherwise (also when there was
// nothing to read).
bool RelayOutput(int from, const std::function<void(absl::string_view)>& sink);

// Writes all of `data` to the blocking descriptor `fd`; false once its reader is gone.
bool WriteAll(int fd, absl::string_view data);

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_STDIO_RELAY_H_
