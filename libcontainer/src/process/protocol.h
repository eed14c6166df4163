// Messages between a client and a container's monitor, and between the monitor and init.
// Both sockets are SOCK_SEQPACKET, so each message arrives whole. The helper binary may be a
// different build than the library that talks to it, so messages carry a magic and version.
#ifndef MYDOCKER_PROCESS_PROTOCOL_H_
#define MYDOCKER_PROCESS_PROTOCOL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/unique_fd.h"
#include "process/exec_tail.h"

namespace mydocker::process {

inline constexpr uint32_t kControlMagic = 0x4d59444b;  // "MYDK"
inline constexpr uint32_t kControlVersion = 1;

enum class ControlType : uint32_t {
  // monitor -> client
  kStarted = 1,      // value = container pid
  kStartFailed = 2,  // value = exit code (125/126/127), text = reason
  kExited = 3,       // value = exit code (128+N for signal N)
  kDetached = 4,     // the client typed the detach keys; the container goes on
  // client -> monitor
  kSignal = 10,  // value = signal number
  kResize = 11,  // value = rows, value2 = columns
  // The first message to a monitor started with --await-id (Runtime::Run): text = the id of
  // the container it runs, created meanwhile.
  kBegin = 12,
};

struct ControlMessage {
  uint32_t magic = kControlMagic;
  uint32_t version = kControlVersion;
  ControlType type = ControlType::kStarted;
  int32_t value = 0;
  int32_t value2 = 0;
  char text[492] = {};
};
static_assert(sizeof(ControlMessage) == 512);

ControlMessage MakeControl(ControlType type, int32_t value, int32_t value2 = 0,
                           absl::string_view text = {});
// Sends one message; EPIPE/ECONNRESET are reported as errors, never as SIGPIPE.
absl::Status SendControl(int fd, const ControlMessage& msg);
// Receives one message. NotFound at end of stream (peer closed).
absl::StatusOr<ControlMessage> ReceiveControl(int fd);

// Receives one message of at most `size` bytes into `buf` and, if it carried one, a descriptor
// (SCM_RIGHTS, received close-on-exec) into `*fd`. Returns the message's size; 0 at end of
// stream.
absl::StatusOr<size_t> ReceiveWithFd(int sock, void* buf, size_t size, UniqueFd* fd);

// What init (to its monitor) and the exec stub's command (to the exec client) report on their
// report socket before execve: one format, written by the exec tail (exec_tail.h).
using InitError = mydocker_exec_tail_error;

struct ExecReport {
  enum Kind {
    kClosed,    // end of stream: execve succeeded if kReady came first, else the process died
    kReady,     // every step before execve went well
    kTerminal,  // the pty master, in `terminal`
    kError,     // a step failed, `error` says which; the process exits with its exit code
    kCreated,   // OCI mode: every step before execve went well, waiting for `start`
    kPid,       // the exec stub's report of the command's pid (sendpid=1), in `pid`
  } kind = kClosed;
  UniqueFd terminal;
  int32_t pid = 0;
  InitError error = {};
};

// The attach socket (`attach.sock` in the container's directory, SOCK_SEQPACKET): clients that
// attach to a running container. Each message is a header and up to kMaxFramePayload bytes.
enum class FrameType : uint32_t {
  // client -> monitor
  kHello = 1,   // value = kAttachStdin if the client sends input
  kInput = 2,   // data for the container's stdin
  kSignal = 3,  // value = signal number
  kResize = 4,  // value = rows, value2 = columns
  // monitor -> client
  kOutput = 10,  // value = 1 (stdout) or 2 (stderr)
  kExited = 11,  // value = exit code
};
inline constexpr int32_t kAttachStdin = 1;
inline constexpr size_t kMaxFramePayload = 16384;
inline constexpr char kAttachSocketName[] = "attach.sock";

struct FrameHeader {
  uint32_t magic = kControlMagic;
  uint32_t version = kControlVersion;
  FrameType type = FrameType::kHello;
  int32_t value = 0;
  int32_t value2 = 0;
};

struct Frame {
  FrameHeader header;
  std::string data;
};

// One frame as sent: the header followed by `data` (at most kMaxFramePayload bytes).
std::string EncodeFrame(FrameType type, int32_t value, absl::string_view data = {},
                        int32_t value2 = 0);
// Receives one frame. NotFound at end of stream; Internal for a malformed one.
absl::StatusOr<Frame> ReceiveFrame(int fd);

// Receives one report. Internal for a message of no known kind.
absl::StatusOr<ExecReport> ReceiveExecReport(int fd);

// The exit status a process's wait status stands for, as a shell reports it: its code, 128+N
// when it was killed by signal N, 125 otherwise.
int ExitCodeFromWaitStatus(int status);

// Formats an InitError as "what: strerror(err)".
std::string DescribeInitError(const InitError& e);

// A command that could not be started (by run or exec), as its client sees it: Internal for the
// runtime's own failures (125), FailedPrecondition for a command that cannot be run (126, 127),
// with the exit code attached (WithExitCode).
absl::Status StartFailure(int exit_code, absl::string_view message);

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_PROTOCOL_H_
