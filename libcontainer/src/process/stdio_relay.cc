#include "process/stdio_relay.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace mydocker::process {

InputPump::InputPump(int from, int to, std::string detach_keys)
    : from_(from), to_(to), open_(from >= 0 && to >= 0), scanner_(std::move(detach_keys)) {
  if (open_) ::fcntl(to_, F_SETFL, ::fcntl(to_, F_GETFL) | O_NONBLOCK);
}

struct pollfd InputPump::PollFd() const {
  return pending_.empty() ? pollfd{from_, POLLIN, 0} : pollfd{to_, POLLOUT, 0};
}

bool InputPump::Pump() {
  if (!open_) return false;
  if (pending_.empty()) {
    char buf[16384];
    ssize_t n = ::read(from_, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      Close();
      return false;
    }
    pending_ = scanner_.Feed(absl::string_view(buf, static_cast<size_t>(n)), &detached_);
    if (detached_) {
      // What preceded the keys still reaches the command, as far as it reads it now.
      WriteAll(to_, pending_);
      Close();
      return false;
    }
  }
  while (!pending_.empty()) {
    ssize_t w = ::write(to_, pending_.data(), pending_.size());
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) return true;  // poll for POLLOUT next
    if (w <= 0) {                               // the command closed its input
      Close();
      return false;
    }
    pending_.erase(0, static_cast<size_t>(w));
  }
  return true;
}

void InputPump::Close() {
  open_ = false;
  pending_.clear();
}

bool RelayOutput(int from, const std::function<void(absl::string_view)>& sink) {
  char buf[65536];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  sink(absl::string_view(buf, static_cast<size_t>(n)));
  return true;
}

bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace mydocker::process
