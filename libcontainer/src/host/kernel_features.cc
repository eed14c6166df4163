#include "host/kernel_features.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace mydocker {
namespace {

// The system call exists: anything but ENOSYS (an invalid argument is the expected answer).
bool Exists(long rc) { return rc >= 0 || errno != ENOSYS; }

}  // namespace

KernelVersion ParseKernelRelease(absl::string_view release) {
  std::vector<absl::string_view> parts = absl::StrSplit(release, absl::MaxSplits('.', 2));
  KernelVersion v;
  if (parts.size() < 2) return v;
  absl::string_view minor = parts[1];
  size_t digits = minor.find_first_not_of("0123456789");
  if (digits != absl::string_view::npos) minor = minor.substr(0, digits);
  if (!absl::SimpleAtoi(parts[0], &v.major) || !absl::SimpleAtoi(minor, &v.minor)) return {};
  return v;
}

absl::Status CheckKernel(const KernelFeatures& features) {
  const KernelVersion& v = features.version;
  bool old = v.major < kMinimumKernel.major ||
             (v.major == kMinimumKernel.major && v.minor < kMinimumKernel.minor);
  if (features.missing.empty() || !old) return absl::OkStatus();
  return absl::UnimplementedError(absl::StrCat("mydocker needs Linux ", kMinimumKernel.major, ".",
                                               kMinimumKernel.minor, " or later (this kernel is ",
                                               features.release, ": no ",
                                               absl::StrJoin(features.missing, ", "), ")"));
}

KernelFeatures ProbeRunningKernel() {
  KernelFeatures f;
  struct utsname u;
  if (::uname(&u) == 0) f.release = u.release;
  f.version = ParseKernelRelease(f.release);
  auto need = [&f](bool present, const char* name) {
    if (!present) f.missing.push_back(name);
  };
  need(Exists(::syscall(SYS_open_tree, -1, "", 0)), "open_tree");
  need(Exists(::syscall(SYS_move_mount, -1, "", -1, "", 0)), "move_mount");
  // An empty range above any descriptor: closes nothing.
  need(Exists(::syscall(SYS_close_range, ~0U, ~0U, 0U)), "close_range");
  f.close_range_cloexec = ::syscall(SYS_close_range, ~0U, ~0U, CLOSE_RANGE_CLOEXEC) == 0;
  f.mount_setattr = Exists(::syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0));
  return f;
}

}  // namespace mydocker
