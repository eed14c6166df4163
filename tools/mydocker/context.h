// What every command's callback shares: the chosen state root, the runtime opened on it, and the
// exit status of the process.
#ifndef MYDOCKER_TOOLS_CONTEXT_H_
#define MYDOCKER_TOOLS_CONTEXT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "mydocker/runtime.h"

namespace mydocker::cli {

struct Context {
  std::string root;            // --root / MYDOCKER_ROOT
  std::string storage_driver;  // --storage-driver / MYDOCKER_STORAGE_DRIVER
  std::string version;         // "mydocker 1.2.0", as --version prints it
  int exit_code = 0;

  // Opens the runtime for the chosen root; on error prints it and sets exit_code. A storage
  // driver chosen as a fallback is said on stderr, one line.
  Runtime* OpenRuntime();
  // Prints "mydocker: <message>" to stderr and records the exit status.
  void Fail(const absl::Status& status, int exit_code);

 private:
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_CONTEXT_H_
