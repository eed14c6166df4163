// Helpers for the cgroup tests: temporary fake cgroup trees, a paused child process, and guards
// that remove what a test created even when an assertion fails.
#ifndef MYDOCKER_CGROUPS_CGROUP_TEST_UTIL_H_
#define MYDOCKER_CGROUPS_CGROUP_TEST_UTIL_H_

#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mydocker/cgroup_manager.h"
#include "mydocker/fs_util.h"

namespace mydocker::cgroups::testing {

// A directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string templ = absl::StrCat(base ? base : "/tmp", "/mydocker-cgroup-test-XXXXXX");
    path_ = mkdtemp(templ.data()) ? templ : "";
  }
  ~TempDir() {
    if (!path_.empty()) RemoveAll(path_).IgnoreError();
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void PutFile(const std::string& path, const std::string& content) {
  MakeDirs(path.substr(0, path.rfind('/'))).IgnoreError();
  std::ofstream(path, std::ios::trunc) << content;
}

inline std::string GetFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Creates `dir` with the given control files, as the kernel would on mkdir.
inline void MakeFakeCgroup(const std::string& dir,
                           const std::vector<std::pair<std::string, std::string>>& files) {
  MakeDirs(dir).IgnoreError();
  PutFile(dir + "/cgroup.procs", "");
  for (const auto& [name, content] : files) PutFile(absl::StrCat(dir, "/", name), content);
}

inline std::string RandomName() {
  std::random_device rd;
  return absl::StrCat("t", getpid(), "-", rd() % 1000000);
}

// A forked child that sleeps in pause() until killed. The child only calls async-signal-safe
// functions, so forking from the (possibly threaded) test binary is safe.
class PausedChild {
 public:
  PausedChild() {
    pid_ = fork();
    if (pid_ == 0) {
      for (;;) pause();
    }
  }
  ~PausedChild() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  PausedChild(const PausedChild&) = delete;
  PausedChild& operator=(const PausedChild&) = delete;
  pid_t pid() const { return pid_; }
  // Waits for the child; returns its wait status.
  int Reap() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Destroys a real cgroup and removes the test's parent directories (when empty) at scope exit.
class CgroupGuard {
 public:
  CgroupGuard(CgroupManager* manager, std::string path, std::vector<std::string> parent_dirs)
      : manager_(manager), path_(std::move(path)), parent_dirs_(std::move(parent_dirs)) {}
  ~CgroupGuard() {
    manager_->Destroy(path_).IgnoreError();
    for (const std::string& dir : parent_dirs_) rmdir(dir.c_str());  // busy if shared: fine
  }
  CgroupGuard(const CgroupGuard&) = delete;
  CgroupGuard& operator=(const CgroupGuard&) = delete;

 private:
  CgroupManager* manager_;
  std::string path_;
  std::vector<std::string> parent_dirs_;
};

}  // namespace mydocker::cgroups::testing

#endif  // MYDOCKER_CGROUPS_CGROUP_TEST_UTIL_H_
