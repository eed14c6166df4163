// A container's OCI-shaped configuration record (container_config.h): parsed, and what parses
// is written and parsed again to the same text.
#include "mydocker/container_config.h"

#include <cstdlib>

#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto config = mydocker::ConfigFromJson(mydocker::fuzz::Text(data, size));
  if (!config.ok()) return 0;
  std::string once = mydocker::ConfigToJson(*config);
  auto again = mydocker::ConfigFromJson(once);
  if (!again.ok() || mydocker::ConfigToJson(*again) != once) std::abort();
  return 0;
}
