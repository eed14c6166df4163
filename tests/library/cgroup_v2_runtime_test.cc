// A runtime on the cgroup v2 driver, against the host's cgroup2 mount. On the hybrid hosts CI
// runs on, that hierarchy holds no controllers, so no limits, but placement works: init is
// created in its cgroup with clone3(CLONE_INTO_CGROUP), so is exec's command, and removal
// deletes the cgroup. The runtime's cgroup root (an override) must
// reach the monitor, which creates and removes the cgroup. Needs root.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cgroups/cgroup_util.h"
#include "gtest/gtest.h"
#include "library_test_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

// The mount point of the cgroup2 file system, or "".
std::string Cgroup2Mount() {
  absl::StatusOr<cgroups::CgroupMounts> mounts =
      cgroups::ParseCgroupMounts(ReadFile("/proc/self/mountinfo").value_or(""));
  return mounts.ok() ? mounts->unified : "";
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

// A busybox container running `command`, started attached with its stdout on a pipe whose
// read end goes to *out.
struct Started {
  std::unique_ptr<Container> container;
  std::unique_ptr<Attachment> attachment;
};
absl::StatusOr<Started> StartWithOutput(Runtime& runtime, CreateOptions options, int* out) {
  options.image = "busybox";
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Container> container, runtime.Create(options));
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) return absl::InternalError("pipe");
  StartOptions start;
  start.attach = true;
  start.stdio.out = pipefd[1];
  auto attachment = container->Start(start);
  ::close(pipefd[1]);
  *out = pipefd[0];
  if (!attachment.ok()) return attachment.status();
  return Started{std::move(container), *std::move(attachment)};
}

TEST_F(CgroupV2RuntimeTest, InitAndExecRunInTheContainersCgroupWhichRemovalDeletes) {
  CreateOptions options;
  options.command = {"sh", "-c", "grep ^0:: /proc/self/cgroup; exec sleep 30"};
  int out[1] = {-1};
  auto started = StartWithOutput(*runtime_, options, &out[0]);
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<Container>* container = &started->container;
  std::unique_ptr<Attachment>* attachment = &started->attachment;
  auto state = (*container)->State();
  ASSERT_TRUE(state.ok());
  const std::string cgroup_dir = absl::StrCat(cgroup_base_, "/", state->cgroup_path);
  struct stat st;
  EXPECT_EQ(::stat(cgroup_dir.c_str(), &st), 0) << cgroup_dir;

  // On v2 a container has a cgroup namespace of its own by default (Docker's rule), rooted at
  // its cgroup: inside, its cgroup is "/"; the host sees where it really is.
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  EXPECT_EQ(line, "0::/");
  std::string host_view;
  for (absl::string_view l : absl::StrSplit(
           ReadFile(absl::StrCat("/proc/", state->init.pid, "/cgroup")).value_or(""), '\n')) {
    if (absl::StartsWith(l, "0::")) host_view = absl::StrCat(l, "\n");
  }
  EXPECT_EQ(host_view, Expected(state->cgroup_path));

  int exec_out[2];
  ASSERT_EQ(::pipe2(exec_out, O_CLOEXEC), 0);
  ExecOptions exec;
  exec.args = {"grep", "^0::", "/proc/self/cgroup"};
  exec.stdio.out = exec_out[1];
  auto code = (*container)->Exec(exec);
  ::close(exec_out[1]);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(testing::ReadAll(exec_out[0]),
            "0::/\n");  // in the container's cgroup and its namespace
  ::close(exec_out[0]);

  auto pids = runtime_->cgroups().Pids(state->cgroup_path);
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_FALSE(pids->empty());

  attachment->reset();  // detach; the container goes on under its monitor
  ASSERT_TRUE((*container)->Remove(true).ok());
  ::close(out[0]);
  EXPECT_NE(::stat(cgroup_dir.c_str(), &st), 0) << cgroup_dir << " left behind";
}

TEST_F(CgroupV2RuntimeTest, HostCgroupNamespaceShowsTheFullPath) {
  CreateOptions options;
  options.command = {"grep", "^0::", "/proc/self/cgroup"};
  options.cgroupns = "host";
  int out[1] = {-1};
  auto started = StartWithOutput(*runtime_, options, &out[0]);
  ASSERT_TRUE(started.ok()) << started.status();
  auto code = started->attachment->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  auto state = started->container->State();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(testing::ReadAll(out[0]), Expected(state->cgroup_path));
  ::close(out[0]);
}

// The escape of issue 22: Docker's capability set includes CAP_MKNOD, so without a device policy
// a container's root makes a node for a host disk and reads it. cgroup v2 has no devices
// controller; the policy is the eBPF program the driver attaches before init exists.
std::string RunForOutput(Runtime& runtime, CreateOptions options) {
  int out = -1;
  auto started = StartWithOutput(runtime, std::move(options), &out);
  EXPECT_TRUE(started.ok()) << started.status();
  if (!started.ok()) return "";
  auto code = started->attachment->Wait();
  EXPECT_TRUE(code.ok()) << code.status();
  std::string text = testing::ReadAll(out);
  ::close(out);
  return text;
}

constexpr char kProbeDisk[] =
    "mknod /tmp/disk b 7 0 && echo made; head -c 1 /tmp/disk >/dev/null 2>/tmp/err; cat /tmp/err; "
    "echo x > /dev/null && echo null ok; head -c 3 /dev/zero | wc -c";

TEST_F(CgroupV2RuntimeTest, DefaultDevicePolicyKeepsHostDisksClosed) {
  CreateOptions options;
  options.command = {"sh", "-c", kProbeDisk};
  EXPECT_EQ(RunForOutput(*runtime_, options),
            "made\nhead: /tmp/disk: Operation not permitted\nnull ok\n3\n");
}

TEST_F(CgroupV2RuntimeTest, DeviceRulesAndDevicesOpenWhatTheyName) {
  CreateOptions options;
  options.command = {"sh", "-c", kProbeDisk};
  options.device_cgroup_rules = {"b 7:0 r"};
  EXPECT_EQ(RunForOutput(*runtime_, options), "made\nnull ok\n3\n");

  if (::access("/dev/loop0", F_OK) != 0) GTEST_SKIP() << "no /dev/loop0 on this host";
  CreateOptions device;
  device.devices = {"/dev/loop0:/dev/xvdc:r"};
  device.command = {"sh", "-c",
                    "ls -l /dev/xvdc | cut -c1; head -c 1 /dev/xvdc >/dev/null && echo read; "
                    "echo x 2>&1 > /dev/xvdc"};
  EXPECT_EQ(RunForOutput(*runtime_, device),
            "b\nread\nsh: can't create /dev/xvdc: Operation not permitted\n");
}

}  // namespace
}  // namespace mydocker
