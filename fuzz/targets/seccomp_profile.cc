// `--security-opt seccomp=FILE`: Docker's and OCI's profile formats (security/seccomp.h).
#include "fuzz.h"
#include "security/seccomp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kCapabilities = {"CAP_CHOWN", "CAP_SYS_ADMIN"};
  mydocker::SeccompProfileFromJson(mydocker::fuzz::Text(data, size), kCapabilities).IgnoreError();
  return 0;
}
