#include "bench_util.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/time/clock.h"
#include "mydocker/fs_util.h"

namespace mydocker::bench {
namespace {

struct TempDirs {
  std::vector<std::string> dirs;
  ~TempDirs() {
    for (const std::string& d : dirs) RemoveAll(d).IgnoreError();
  }
};
TempDirs& Dirs() {
  static TempDirs dirs;
  return dirs;
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

}  // namespace

std::string FastDir() {
  return EnvOr("MYDOCKER_BENCH_DIR", ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
}

std::string DiskDir() { return EnvOr("MYDOCKER_BENCH_DISK_DIR", "/var/tmp"); }

std::string TempDir(const std::string& parent, const std::string& prefix) {
  std::string tmpl = parent + "/mydocker-bench-" + prefix + ".XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    std::perror(tmpl.c_str());
    std::exit(1);
  }
  Dirs().dirs.push_back(buf.data());
  return buf.data();
}

ContainerState SampleState(const std::string& id, const std::string& name) {
  ContainerState s;
  s.id = id;
  s.name = name;
  s.image = "busybox";
  s.image_id = "sha256:" + std::string(64, 'a');
  s.command = {"sleep", "3600"};
  s.status = ContainerStatus::kRunning;
  s.created = s.started = absl::Now();
  s.init = {123456, 987654321};
  s.monitor = {123455, 987654320};
  s.log_path = "/var/lib/mydocker/containers/" + id + "/container.log";
  s.cgroup_path = "mydocker/" + id;
  return s;
}

ContainerConfig SampleConfig() {
  ContainerConfig c = DefaultContainerConfig();
  c.process.args = {"sleep", "3600"};
  c.process.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "HOSTNAME=0123456789ab", "HOME=/root"};
  c.process.cwd = "/";
  c.hostname = "0123456789ab";
  return c;
}

void Check(const absl::Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, std::string(s.message()).c_str());
  std::exit(1);  // not abort: the temporary directories are removed at exit
}

}  // namespace mydocker::bench
