#include "process/protocol.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"
#include "nsenter/nsenter.h"

namespace mydocker::process {

ControlMessage MakeControl(ControlType type, int32_t value, int32_t value2,
                           absl::string_view text) {
  ControlMessage msg;
  msg.type = type;
  msg.value = value;
  msg.value2 = value2;
  size_t n = std::min(text.size(), sizeof msg.text - 1);
  if (n > 0) std::memcpy(msg.text, text.data(), n);  // an empty view's data() may be null
  return msg;
}

absl::Status SendControl(int fd, const ControlMessage& msg) {
  for (;;) {
    ssize_t n = ::send(fd, &msg, sizeof msg, MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(sizeof msg)) return absl::OkStatus();
    if (n < 0 && errno == EINTR) continue;
    return LastErrnoError("send to monitor socket");
  }
}

absl::StatusOr<ControlMessage> ReceiveControl(int fd) {
  ControlMessage msg;
  for (;;) {
    ssize_t n = ::recv(fd, &msg, sizeof msg, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError("receive from monitor socket");
    if (n == 0) return absl::NotFoundError("monitor socket closed");
    if (n != static_cast<ssize_t>(sizeof msg) || msg.magic != kControlMagic ||
        msg.version != kControlVersion) {
      return absl::InternalError(
          "malformed message on monitor socket (helper binary from a "
          "different mydocker version?)");
    }
    msg.text[sizeof msg.text - 1] = '\0';
    return msg;
  }
}

std::string EncodeFrame(FrameType type, int32_t value, absl::string_view data, int32_t value2) {
  FrameHeader header;
  header.type = type;
  header.value = value;
  header.value2 = value2;
  std::string frame(reinterpret_cast<const char*>(&header), sizeof header);
  frame.append(data.data(), std::min(data.size(), kMaxFramePayload));
  return frame;
}

absl::StatusOr<Frame> ReceiveFrame(int fd) {
  char buf[sizeof(FrameHeader) + kMaxFramePayload];
  ssize_t n;
  do {
    n = ::recv(fd, buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return LastErrnoError("receive from attach socket");
  if (n == 0) return absl::NotFoundError("attach socket closed");
  Frame frame;
  if (static_cast<size_t>(n) < sizeof frame.header) {
    return absl::InternalError("malformed message on attach socket");
  }
  std::memcpy(&frame.header, buf, sizeof frame.header);
  if (frame.header.magic != kControlMagic || frame.header.version != kControlVersion) {
    return absl::InternalError("malformed message on attach socket");
  }
  frame.data.assign(buf + sizeof frame.header, static_cast<size_t>(n) - sizeof frame.header);
  return frame;
}

absl::StatusOr<size_t> ReceiveWithFd(int sock, void* buf, size_t size, UniqueFd* fd) {
  struct iovec iov = {buf, size};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return LastErrnoError("receive from helper socket");
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg != nullptr && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
    int received;
    std::memcpy(&received, CMSG_DATA(cmsg), sizeof received);
    fd->reset(received);
  }
  return static_cast<size_t>(n);
}

absl::StatusOr<ExecReport> ReceiveExecReport(int fd) {
  ExecReport report;
  char buf[sizeof(InitError)];
  MYDOCKER_ASSIGN_OR_RETURN(size_t n, ReceiveWithFd(fd, buf, sizeof buf, &report.terminal));
  if (report.terminal) {
    report.kind = ExecReport::kTerminal;
  } else if (n == 0) {
    report.kind = ExecReport::kClosed;
  } else if (n == 1 && buf[0] == MYDOCKER_EXEC_TAIL_READY) {
    report.kind = ExecReport::kReady;
  } else if (n == 1 && buf[0] == MYDOCKER_EXEC_TAIL_CREATED) {
    report.kind = ExecReport::kCreated;
  } else if (n == 1 + sizeof(int32_t) && buf[0] == MYDOCKER_NSENTER_PID_REPLY) {
    report.kind = ExecReport::kPid;
    std::memcpy(&report.pid, buf + 1, sizeof(int32_t));
  } else if (n == sizeof(InitError)) {
    report.kind = ExecReport::kError;
    std::memcpy(&report.error, buf, sizeof(InitError));
    report.error.what[sizeof report.error.what - 1] = '\0';
  } else {
    return absl::InternalError("malformed report before execve (a helper of another version?)");
  }
  return report;
}

int ExitCodeFromWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 125;
}

std::string DescribeInitError(const InitError& e) {
  std::string what(e.what, strnlen(e.what, sizeof e.what));
  if (e.err == 0) return what;
  return absl::StrCat(what, ": ", std::strerror(e.err));
}

absl::Status StartFailure(int exit_code, absl::string_view message) {
  absl::Status status =
      exit_code == 125 ? absl::InternalError(message) : absl::FailedPreconditionError(message);
  return WithExitCode(std::move(status), exit_code);
}

}  // namespace mydocker::process
