// The host terminal while attached to a container's pseudo-terminal.
#ifndef MYDOCKER_TOOLS_TERMINAL_H_
#define MYDOCKER_TOOLS_TERMINAL_H_

#include <termios.h>

#include <optional>

#include "mydocker/container_config.h"

namespace mydocker::cli {

// Puts the terminal on `fd` in raw mode for the object's lifetime and restores the saved mode
// when destroyed, on every return path.
class RawTerminal {
 public:
  explicit RawTerminal(int fd);
  ~RawTerminal();
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;

 private:
  int fd_;
  bool active_ = false;
  struct termios saved_;
};

// The window size of the terminal on `fd`, if it is one.
std::optional<ConsoleSize> TerminalSize(int fd);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_TERMINAL_H_
