// Shared by the library tests: a runtime on a temporary state root with the build's helper and
// busybox image, and the removal of every container a test left.
#ifndef MYDOCKER_TESTS_LIBRARY_LIBRARY_TEST_UTIL_H_
#define MYDOCKER_TESTS_LIBRARY_LIBRARY_TEST_UTIL_H_

#include <unistd.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker::testing {

// A runtime on `root` with the build's helper and "busybox" imported from its tarball.
inline absl::StatusOr<std::unique_ptr<Runtime>> OpenTestRuntime(const std::string& root,
                                                                CgroupOptions cgroup = {}) {
  RuntimeOptions options;
  options.root = root;
  options.helper_path = MYDOCKER_TEST_HELPER;
  options.cgroup = std::move(cgroup);
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Runtime> runtime, Runtime::Open(options));
  MYDOCKER_RETURN_IF_ERROR(runtime->images().Import(MYDOCKER_TEST_BUSYBOX_TAR, "busybox").status());
  return runtime;
}

// Everything readable from `fd` until end of file.
inline std::string ReadAll(int fd) {
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// Removes (forcibly) every container of `runtime`; each removal, and that its cgroup is gone,
// is a test expectation.
inline void RemoveEveryContainer(Runtime& runtime) {
  auto all = runtime.List(true);
  if (!all.ok()) return;
  for (const ContainerState& s : *all) {
    auto c = runtime.Get(s.id);
    if (c.ok()) {
      EXPECT_TRUE((*c)->Remove(true).ok());
    }
    EXPECT_FALSE(runtime.cgroups().Exists(s.cgroup_path)) << s.cgroup_path;
  }
}

}  // namespace mydocker::testing

#endif  // MYDOCKER_TESTS_LIBRARY_LIBRARY_TEST_UTIL_H_
