// Attachment: the client's end of a started container's monitor connection.
#include "absl/status/statusor.h"
#include "mydocker/container.h"
#include "process/protocol.h"

namespace mydocker {

using process::ControlType;

absl::Status Attachment::Signal(int signal) {
  return process::SendControl(control_.get(), process::MakeControl(ControlType::kSignal, signal));
}

absl::Status Attachment::Resize(const ConsoleSize& size) {
  return process::SendControl(control_.get(),
                              process::MakeControl(ControlType::kResize, size.height, size.width));
}

absl::StatusOr<int> Attachment::Wait() {
  for (;;) {
    auto msg = process::ReceiveControl(control_.get());
    if (!msg.ok()) {
      if (absl::IsNotFound(msg.status())) {
        return absl::UnavailableError(
            "the container's monitor ended without reporting an exit code");
      }
      return msg.status();
    }
    if (msg->type == ControlType::kExited) return msg->value;
    if (msg->type == ControlType::kDetached) {
      return absl::CancelledError("detached from the container");
    }
  }
}

}  // namespace mydocker
