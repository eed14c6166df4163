// Signal names as users type them: "KILL", "SIGKILL", "kill" or "9".
#ifndef MYDOCKER_SIGNALS_H_
#define MYDOCKER_SIGNALS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker {

absl::StatusOr<int> ParseSignal(absl::string_view text);
std::string SignalName(int signal);  // "SIGTERM"

}  // namespace mydocker

#endif  // MYDOCKER_SIGNALS_H_
