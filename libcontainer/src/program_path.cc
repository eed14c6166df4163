#include "program_path.h"

#include <unistd.h>

#include <cstdlib>
#include <utility>

namespace mydocker {
namespace {

std::string& SelfPath() {
  static std::string* path = new std::string;
  return *path;
}

}  // namespace

void SetSelfPath(std::string path) { SelfPath() = std::move(path); }

std::string ProgramPath(const char* env, const char* name, const char* installed) {
  if (const char* value = std::getenv(env); value != nullptr && *value != '\0') return value;
  std::string self = SelfPath();
  if (self.empty()) {
    char link[4096];
    ssize_t n = ::readlink("/proc/self/exe", link, sizeof link - 1);
    if (n > 0) self.assign(link, static_cast<size_t>(n));
  }
  if (!self.empty()) {
    std::string beside = self.substr(0, self.rfind('/') + 1) + name;
    if (::access(beside.c_str(), X_OK) == 0) return beside;
  }
  return installed;
}

}  // namespace mydocker
