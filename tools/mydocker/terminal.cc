#include "terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace mydocker::cli {

RawTerminal::RawTerminal(int fd) : fd_(fd) {
  if (::isatty(fd) != 1 || ::tcgetattr(fd, &saved_) != 0) return;
  struct termios raw = saved_;
  ::cfmakeraw(&raw);
  // Keep output post-processing off too: the container's terminal already did it.
  if (::tcsetattr(fd, TCSANOW, &raw) == 0) active_ = true;
}

RawTerminal::~RawTerminal() {
  if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
}

std::optional<ConsoleSize> TerminalSize(int fd) {
  struct winsize ws = {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return std::nullopt;
  return ConsoleSize{ws.ws_row, ws.ws_col};
}

}  // namespace mydocker::cli
