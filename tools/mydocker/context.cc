#include "context.h"

#include <limits.h>
#include <unistd.h>

#include <iostream>

#include "mydocker/utf8.h"

namespace mydocker::cli {
namespace {

// The small static helper installed beside this binary (build/bin, or the install's bindir)
// when it is there: a monitor started from it costs far less time and memory than one started
// from the CLI (docs/performance.md). Otherwise the CLI is its own helper, its monitor mode and
// nsenter stub being linked in as well.
std::string HelperPath() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string path(self, static_cast<size_t>(n));
    std::string helper = path.substr(0, path.rfind('/') + 1) + "mydocker-helper";
    if (helper[0] == '/' && ::access(helper.c_str(), X_OK) == 0) return helper;
  }
  return "/proc/self/exe";
}

}  // namespace

Runtime* Context::OpenRuntime() {
  if (runtime_ != nullptr) return runtime_.get();
  RuntimeOptions options;
  options.root = root;
  options.helper_path = HelperPath();
  options.storage_driver = storage_driver;
  auto rt = Runtime::Open(options);
  if (!rt.ok()) {
    Fail(rt.status(), 125);
    return nullptr;
  }
  runtime_ = std::move(rt).value();
  if (!runtime_->storage_notice().empty()) {
    std::cerr << "mydocker: " << Printable(runtime_->storage_notice()) << "\n";
  }
  return runtime_.get();
}

void Context::Fail(const absl::Status& status, int code) {
  // A message may quote a container's or an image's text (a path, a command).
  std::cerr << "mydocker: " << Printable(status.message()) << "\n";
  if (exit_code == 0) exit_code = code;
}

}  // namespace mydocker::cli
