#include <iostream>

#include "commands.h"

namespace mydocker::cli {

Runtime* Context::OpenRuntime() {
  if (runtime_ != nullptr) return runtime_.get();
  // The CLI is its own helper: the monitor mode lives in this very binary.
  RuntimeOptions options;
  options.root = root;
  options.helper_path = "/proc/self/exe";
  auto rt = Runtime::Open(options);
  if (!rt.ok()) {
    Fail(rt.status(), 125);
    return nullptr;
  }
  runtime_ = std::move(rt).value();
  return runtime_.get();
}

void Context::Fail(const absl::Status& status, int code) {
  std::cerr << "mydocker: " << status.message() << "\n";
  if (exit_code == 0) exit_code = code;
}

}  // namespace mydocker::cli
