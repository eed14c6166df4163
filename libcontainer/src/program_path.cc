#include "program_path.h"

#include <unistd.h>

#include <cstdlib>

namespace mydocker {

std::string ProgramPath(const char* env, const char* name, const char* installed) {
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return value;
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir(self, static_cast<size_t>(n));
    dir.resize(dir.rfind('/') + 1);
    std::string beside = dir + name;
    if (::access(beside.c_str(), X_OK) == 0) return beside;
  }
  return installed;
}

}  // namespace mydocker
