// Container::Attach: a later client of a running container, through its monitor's attach
// socket (process/attach_server.h).
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "process/detach_keys.h"
#include "process/protocol.h"
#include "process/stdio_relay.h"

namespace mydocker {
namespace {

using process::FrameType;

absl::Status SendFrame(int sock, FrameType type, int32_t value, absl::string_view data = {},
                       int32_t value2 = 0) {
  std::string frame = process::EncodeFrame(type, value, data, value2);
  for (;;) {
    ssize_t n = ::send(sock, frame.data(), frame.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError("send to the container's monitor");
    return absl::OkStatus();
  }
}

absl::StatusOr<UniqueFd> ConnectAttachSocket(const std::string& dir, const std::string& id) {
  UniqueFd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) return LastErrnoError("open " + dir);
  UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!sock) return LastErrnoError("socket");
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::string path = absl::StrCat("/proc/self/fd/", dir_fd.get(), "/", process::kAttachSocketName);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(sock.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) {
      return absl::FailedPreconditionError(
          absl::StrCat("container ", ShortId(id), " is not running"));
    }
    return LastErrnoError("connect to the container's monitor");
  }
  return sock;
}

absl::Status SendWindowSize(int sock, int out) {
  struct winsize ws;
  if (out < 0 || ::ioctl(out, TIOCGWINSZ, &ws) != 0) return absl::OkStatus();
  return SendFrame(sock, FrameType::kResize, ws.ws_row, {}, ws.ws_col);
}

// The client's side once connected: relays until the container ends or the keys are typed.
class AttachRelay {
 public:
  AttachRelay(int sock, const AttachOptions& options, bool tty, std::string keys)
      : sock_(sock), options_(options), tty_(tty), scanner_(std::move(keys)) {}

  absl::StatusOr<int> Run() {
    bool input = options_.stdio.in >= 0;
    for (;;) {
      struct pollfd fds[3] = {{sock_, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
      if (input) fds[1].fd = options_.stdio.in;
      if (options_.signal_fd >= 0) fds[2].fd = options_.signal_fd;
      if (::poll(fds, 3, -1) < 0) {
        if (errno == EINTR) continue;
        return LastErrnoError("poll");
      }
      if (fds[2].revents) ForwardSignal();
      if (fds[1].revents) {
        MYDOCKER_ASSIGN_OR_RETURN(input, RelayInput());
        if (detached_) return absl::CancelledError("detached from the container");
      }
      if (fds[0].revents) {
        MYDOCKER_ASSIGN_OR_RETURN(process::Frame frame, ReceiveOrExplain());
        if (frame.header.type == FrameType::kExited) return frame.header.value;
        if (frame.header.type == FrameType::kOutput && !Deliver(frame)) {
          return absl::CancelledError("detached from the container");
        }
      }
    }
  }

 private:
  absl::StatusOr<process::Frame> ReceiveOrExplain() {
    auto frame = process::ReceiveFrame(sock_);
    if (!frame.ok() && absl::IsNotFound(frame.status())) {
      return absl::UnavailableError(
          "the container's monitor ended without reporting an exit code (a client too slow to "
          "read is dropped)");
    }
    return frame;
  }

  // Hands output to the caller's sink or descriptor; false when the sink asked to detach.
  bool Deliver(const process::Frame& frame) {
    int stream = frame.header.value == 2 ? 2 : 1;
    if (options_.output) return options_.output(stream, frame.data);
    int to = stream == 2 ? options_.stdio.err : options_.stdio.out;
    if (to >= 0) process::WriteAll(to, frame.data);
    return true;
  }

  // Returns whether input goes on.
  absl::StatusOr<bool> RelayInput() {
    char buf[process::kMaxFramePayload];
    ssize_t n = ::read(options_.stdio.in, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;  // end of input: output is still relayed
    std::string data = scanner_.Feed(absl::string_view(buf, static_cast<size_t>(n)), &detached_);
    if (!data.empty()) MYDOCKER_RETURN_IF_ERROR(SendFrame(sock_, FrameType::kInput, 0, data));
    return true;
  }

  void ForwardSignal() {
    struct signalfd_siginfo si;
    if (::read(options_.signal_fd, &si, sizeof si) != sizeof si) return;
    if (si.ssi_signo == SIGWINCH) {
      if (tty_) SendWindowSize(sock_, options_.stdio.out).IgnoreError();
      return;
    }
    SendFrame(sock_, FrameType::kSignal, static_cast<int32_t>(si.ssi_signo)).IgnoreError();
  }

  int sock_;
  const AttachOptions& options_;
  bool tty_;
  process::DetachScanner scanner_;
  bool detached_ = false;
};

}  // namespace

absl::StatusOr<int> Container::Attach(const AttachOptions& options) {
  std::string keys;
  if (!options.detach_keys.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(keys, process::ParseDetachKeys(options.detach_keys));
  }
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, State());
  if (!state.IsActive()) {
    return absl::FailedPreconditionError(
        "You cannot attach to a stopped container, start it first");
  }
  if (state.status == ContainerStatus::kRestarting) {
    return absl::FailedPreconditionError(
        "You cannot attach to a restarting container, wait until it is running");
  }
  if (state.status == ContainerStatus::kPaused) {
    return absl::FailedPreconditionError(
        "You cannot attach to a paused container, unpause it first");
  }
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, Config());
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd sock,
                            ConnectAttachSocket(runtime_->state().ContainerDir(id_), id_));
  AttachOptions effective = options;
  if (!config.process.open_stdin) effective.stdio.in = -1;  // Docker: no -i, no input
  MYDOCKER_RETURN_IF_ERROR(SendFrame(sock.get(), FrameType::kHello,
                                     effective.stdio.in >= 0 ? process::kAttachStdin : 0));
  if (config.process.terminal)
    MYDOCKER_RETURN_IF_ERROR(SendWindowSize(sock.get(), options.stdio.out));
  // Detach keys only with a terminal, as Docker: a pipe's input passes as it is.
  if (!config.process.terminal) keys.clear();
  return AttachRelay(sock.get(), effective, config.process.terminal, std::move(keys)).Run();
}

absl::Status CheckDetachKeys(absl::string_view spec) {
  return process::ParseDetachKeys(spec).status();
}

}  // namespace mydocker
