// A runtime on the cgroup v2 driver, against the host's cgroup2 mount. On the hybrid hosts CI
// runs on, that hierarchy holds no controllers, so no limits, but placement works: init is
// created in its cgroup with clone3(CLONE_INTO_CGROUP), so is exec's command, and removal
// deletes the cgroup. The runtime's cgroup root (an override) must
// reach the monitor, which creates and removes the cgroup. Needs root.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "library_test_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/runtime.h"

namespace mydocker {
namespace {

// The mount point of the cgroup2 file system, or "".
std::string Cgroup2Mount() {
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPER"
    std::vector<std::string> halves = absl::StrSplit(line, " - ");
    if (halves.size() != 2 || !absl::StartsWith(halves[1], "cgroup2 ")) continue;
    std::vector<std::string> fields = absl::StrSplit(halves[0], ' ');
    if (fields.size() >= 5) return fields[4];
  }
  return "";
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

class CgroupV2RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    std::string mount = Cgroup2Mount();
    if (mount.empty() || ::access(mount.c_str(), W_OK) != 0) {
      GTEST_SKIP() << "no writable cgroup2 mount";
    }
    char tmpl[] = "/tmp/mydocker-libtest-v2-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    // A private subtree of the hierarchy, so nothing here touches a cgroup someone else uses.
    cgroup_base_ = absl::StrCat(mount, "/", root_.substr(root_.rfind('/') + 1));
    ASSERT_EQ(::mkdir(cgroup_base_.c_str(), 0755), 0) << cgroup_base_;
    CgroupOptions cgroup;
    cgroup.v2_root_override = cgroup_base_;
    auto rt = testing::OpenTestRuntime(root_, cgroup);
    ASSERT_TRUE(rt.ok()) << rt.status();
    runtime_ = std::move(rt).value();
    ASSERT_EQ(runtime_->cgroups().version(), CgroupVersion::kV2);
  }

  void TearDown() override {
    if (runtime_ != nullptr) testing::RemoveEveryContainer(*runtime_);
    if (!cgroup_base_.empty()) {
      ::rmdir(absl::StrCat(cgroup_base_, "/mydocker").c_str());
      EXPECT_EQ(::rmdir(cgroup_base_.c_str()), 0) << "cgroup left behind under " << cgroup_base_;
    }
    if (!root_.empty()) {
      EXPECT_TRUE(RemoveAll(root_).ok());
    }
  }

  // The cgroup path of a process in this runtime's cgroup `rel` as /proc/PID/cgroup shows it.
  std::string Expected(const std::string& rel) const {
    return absl::StrCat("0::/", cgroup_base_.substr(Cgroup2Mount().size() + 1), "/", rel, "\n");
  }

  std::string root_;
  std::string cgroup_base_;
  std::unique_ptr<Runtime> runtime_;
};

TEST_F(CgroupV2RuntimeTest, InitAndExecRunInTheContainersCgroupWhichRemovalDeletes) {
  CreateOptions options;
  options.image = "busybox";
  options.command = {"sh", "-c", "grep ^0:: /proc/self/cgroup; exec sleep 30"};
  auto container = runtime_->Create(options);
  ASSERT_TRUE(container.ok()) << container.status();
  int out[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  StartOptions start;
  start.attach = true;
  start.stdio.out = out[1];
  auto attachment = (*container)->Start(start);
  ::close(out[1]);
  ASSERT_TRUE(attachment.ok()) << attachment.status();
  auto state = (*container)->State();
  ASSERT_TRUE(state.ok());
  const std::string cgroup_dir = absl::StrCat(cgroup_base_, "/", state->cgroup_path);
  struct stat st;
  EXPECT_EQ(::stat(cgroup_dir.c_str(), &st), 0) << cgroup_dir;

  // The first line the container printed, read without waiting for its end.
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  EXPECT_EQ(line + "\n", Expected(state->cgroup_path));

  int exec_out[2];
  ASSERT_EQ(::pipe2(exec_out, O_CLOEXEC), 0);
  ExecOptions exec;
  exec.args = {"grep", "^0::", "/proc/self/cgroup"};
  exec.stdio.out = exec_out[1];
  auto code = (*container)->Exec(exec);
  ::close(exec_out[1]);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(ReadAll(exec_out[0]), Expected(state->cgroup_path));
  ::close(exec_out[0]);

  auto pids = runtime_->cgroups().Pids(state->cgroup_path);
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_FALSE(pids->empty());

  attachment->reset();  // detach; the container goes on under its monitor
  ASSERT_TRUE((*container)->Remove(true).ok());
  ::close(out[0]);
  EXPECT_NE(::stat(cgroup_dir.c_str(), &st), 0) << cgroup_dir << " left behind";
}

}  // namespace
}  // namespace mydocker
