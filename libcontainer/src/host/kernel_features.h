// What mydocker needs of the Linux kernel, and what it can do without. Probed once, when a
// Runtime opens, through the host seam (Host::ProbeKernel), so tests can make a probe fail.
//
//   needed (no way around them)                    since
//   open_tree, move_mount                          5.2   volumes attached inside the container
//   close_range                                    5.9   no descriptor leaks into a container
//
//   with a fallback                                since  fallback
//   fsopen/fsmount (cp and export's overlay view)  5.2    mount(2) on a scratch directory
//   pidfd_open, pidfd_send_signal                  5.3    /proc/PID handles (host/pidfd.h)
//   openat2 (RESOLVE_IN_ROOT)                      5.6    a walk in user space (in_root.h)
//   clone3 with CLONE_INTO_CGROUP                  5.7    clone, then init joins its cgroup
//   close_range(CLOSE_RANGE_CLOEXEC)               5.11   FD_CLOEXEC set on each descriptor
//   mount_setattr (recursive read-only, private)   5.12   mount(2) remounts, mount by mount
//   memfd_create(MFD_EXEC)                         6.3    memfd_create without it
//
// kMinimumKernel is the first release with everything needed, rounded up to the long-term
// release distributions ship (5.10; Debian 11). A kernel is refused when a needed call is
// missing and its version is below the minimum: a distribution kernel with the calls
// backported runs, and so does a process that is told ENOSYS on a recent kernel (valgrind, a
// seccomp sandbox), whose helpers, started natively, have the calls.
#ifndef MYDOCKER_HOST_KERNEL_FEATURES_H_
#define MYDOCKER_HOST_KERNEL_FEATURES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mydocker {

struct KernelVersion {
  int major = 0;
  int minor = 0;
};

inline constexpr KernelVersion kMinimumKernel = {5, 10};

struct KernelFeatures {
  std::string release;               // uname -r: "6.1.0-18-amd64"
  KernelVersion version;             // parsed from it ({0, 0} if it cannot be)
  std::vector<std::string> missing;  // needed system calls the kernel lacks: "close_range"
  bool mount_setattr = true;         // 5.12: else the mount(2) fallback (docs/security.md)
  bool close_range_cloexec = true;   // 5.11: else FD_CLOEXEC one descriptor at a time
};

// "5.10.0-28-amd64" -> {5, 10}; {0, 0} when it does not start with two numbers.
KernelVersion ParseKernelRelease(absl::string_view release);

// OK when nothing needed is missing, or the release is at least kMinimumKernel; else
// Unimplemented, one line: "mydocker needs Linux 5.10 or later (this kernel is
// 5.4.0-150-generic: no close_range)".
absl::Status CheckKernel(const KernelFeatures& features);

// The real kernel's answer: each system call tried in a way that does nothing (an invalid
// descriptor or an empty range), ENOSYS (or EINVAL for an unknown flag) meaning "absent".
KernelFeatures ProbeRunningKernel();

}  // namespace mydocker

#endif  // MYDOCKER_HOST_KERNEL_FEATURES_H_
