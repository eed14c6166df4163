// Detach keys (Docker's Ctrl-P Ctrl-Q, `--detach-keys`): a sequence typed on an attached
// client's input that detaches the client and leaves the container running. Used by the monitor
// for the client that started the container and by Container::Attach for later clients.
#ifndef MYDOCKER_PROCESS_DETACH_KEYS_H_
#define MYDOCKER_PROCESS_DETACH_KEYS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::process {

// Docker's default sequence.
inline constexpr absl::string_view kDefaultDetachKeys = "ctrl-p,ctrl-q";

// Docker's format: comma-separated keys, each a single character or "ctrl-" and one of a-z, @,
// [, \, ], ^, _. Empty means the default. InvalidArgument, with Docker's message, otherwise.
absl::StatusOr<std::string> ParseDetachKeys(absl::string_view spec);

// Watches input for the sequence. Bytes that may begin it are held back until the sequence is
// complete (then they are dropped) or broken (then they pass on, in order).
class DetachScanner {
 public:
  DetachScanner() = default;
  explicit DetachScanner(std::string keys) : keys_(std::move(keys)) {}

  // Returns what passes on of `in`; sets `*detached` when the sequence was completed (what
  // follows it in `in` is dropped).
  std::string Feed(absl::string_view in, bool* detached);

 private:
  std::string keys_;
  size_t matched_ = 0;
};

}  // namespace mydocker::process

#endif  // MYDOCKER_PROCESS_DETACH_KEYS_H_
