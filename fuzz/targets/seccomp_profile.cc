// `--security-opt seccomp=FILE`: Docker's and OCI's profile formats (security/seccomp.h), and
// the program a profile compiles to: rebuilt by CompactSeccomp, it must answer every input as
// libseccomp's program does.
#include <cstdlib>

#include "fuzz.h"
#include "security/seccomp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kCapabilities = {"CAP_CHOWN", "CAP_SYS_ADMIN"};
  auto profile = mydocker::SeccompProfileFromJson(mydocker::fuzz::Text(data, size), kCapabilities);
  if (!profile.ok() || profile->syscalls.size() > 64) return 0;
  auto before = mydocker::CompileSeccomp(*profile, /*compact=*/false);
  if (!before.ok()) return 0;
  std::optional<std::vector<sock_filter>> after = mydocker::RebuildSeccomp(*before);
  if (after.has_value() && mydocker::SeccompAnswersDiffer(*before, *after).has_value()) {
    std::abort();  // the rebuilt program answers some input differently
  }
  return 0;
}
