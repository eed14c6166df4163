// The fallbacks for kernels older than the one CI runs, taken on this kernel: the feature probe
// answers through the host seam (a Host that forwards everything to the real one except the
// probe), so a real container starts on the path an older kernel takes. Needs root.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "host/host.h"
#include "library_test_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

// The real host, with a kernel that lacks what `features` says.
class OlderKernelHost final : public Host {
 public:
  explicit OlderKernelHost(KernelFeatures features) : features_(std::move(features)) {}
  absl::StatusOr<UniqueFd> OpenProcess(const ProcessRef& ref) override {
    return real_.OpenProcess(ref);
  }
  bool WaitProcess(int handle, absl::Time deadline) override {
    return real_.WaitProcess(handle, deadline);
  }
  absl::Status SignalProcess(int handle, int signal) override {
    return real_.SignalProcess(handle, signal);
  }
  bool Alive(const ProcessRef& ref) override { return real_.Alive(ref); }
  absl::StatusOr<ProcessInfo> ReadProcess(int pid) override { return real_.ReadProcess(pid); }
  absl::StatusOr<ChildProcess> Spawn(const SpawnRequest& request) override {
    return real_.Spawn(request);
  }
  absl::StatusOr<int> Reap(pid_t pid) override { return real_.Reap(pid); }
  absl::Status CheckExecutable(const std::string& path) override {
    return real_.CheckExecutable(path);
  }
  absl::Status UnmountIfMounted(const std::string& path) override {
    return real_.UnmountIfMounted(path);
  }
  KernelFeatures ProbeKernel() override {
    ++probes;
    return features_;
  }
  uint64_t EffectiveCapabilities() override { return real_.EffectiveCapabilities(); }
  absl::Time Now() override { return real_.Now(); }
  ProcessRef Self() override { return real_.Self(); }

  int probes = 0;

 private:
  Host& real_ = RealHost();
  KernelFeatures features_;
};

class KernelFallbackTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    char tmpl[] = "/tmp/mydocker-libtest-kernel-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // A volume source with a mount below it: a recursive read-only bind must cover both.
    source_ = dir_ + "/src";
    ASSERT_EQ(::mkdir(source_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((source_ + "/sub").c_str(), 0755), 0);
    ASSERT_EQ(::mount("tmpfs", (source_ + "/sub").c_str(), "tmpfs", 0, "size=1m"), 0);
    mounted_ = true;
    KernelFeatures features = ProbeRunningKernel();
    features.mount_setattr = GetParam();
    host_ = std::make_unique<OlderKernelHost>(features);
    RuntimeOptions options;
    options.root = dir_ + "/root";
    options.helper_path = MYDOCKER_TEST_HELPER;
    options.host = host_.get();
    auto rt = Runtime::Open(options);
    ASSERT_TRUE(rt.ok()) << rt.status();
    runtime_ = std::move(rt).value();
    ASSERT_TRUE(runtime_->images().Import(MYDOCKER_TEST_BUSYBOX_TAR, "busybox").ok());
  }

  void TearDown() override {
    if (runtime_ != nullptr) testing::RemoveEveryContainer(*runtime_);
    runtime_.reset();
    if (mounted_) {
      EXPECT_EQ(::umount2((source_ + "/sub").c_str(), 0), 0);
    }
    if (!dir_.empty()) {
      EXPECT_TRUE(RemoveAll(dir_).ok());
    }
  }

  // Runs `script` in a busybox container with `volume`; its output.
  std::string Run(const std::string& volume, const std::string& script) {
    CreateOptions options;
    options.image = "busybox";
    options.volumes = {volume};
    options.command = {"sh", "-c", script};
    auto container = runtime_->Create(options);
    EXPECT_TRUE(container.ok()) << container.status();
    if (!container.ok()) return "";
    int pipefd[2];
    EXPECT_EQ(::pipe2(pipefd, O_CLOEXEC), 0);
    StartOptions start;
    start.attach = true;
    start.stdio.out = pipefd[1];
    start.stdio.err = pipefd[1];
    auto attachment = (*container)->Start(start);
    ::close(pipefd[1]);
    EXPECT_TRUE(attachment.ok()) << attachment.status();
    std::string out = testing::ReadAll(pipefd[0]);
    ::close(pipefd[0]);
    if (attachment.ok()) {
      EXPECT_TRUE((*attachment)->Wait().ok());
    }
    return out;
  }

  std::string dir_, source_;
  bool mounted_ = false;
  std::unique_ptr<OlderKernelHost> host_;
  std::unique_ptr<Runtime> runtime_;
};

constexpr char kProbe[] =
    "touch /data/top 2>/dev/null && echo top writable || echo top read-only; "
    "touch /data/sub/below 2>/dev/null && echo sub writable || echo sub read-only; "
    "grep -c ' /data' /proc/self/mountinfo";

TEST_P(KernelFallbackTest, ReadOnlyVolumeCoversItsSubmounts) {
  EXPECT_EQ(host_->probes, 1);  // once, at Open
  EXPECT_EQ(Run(source_ + ":/data:ro", kProbe), "top read-only\nsub read-only\n2\n");
  struct stat st;
  EXPECT_NE(::stat((source_ + "/top").c_str(), &st), 0);
}

TEST_P(KernelFallbackTest, WritableVolumeStaysWritable) {
  EXPECT_EQ(Run(source_ + ":/data", kProbe), "top writable\nsub writable\n2\n");
  struct stat st;
  EXPECT_EQ(::stat((source_ + "/top").c_str(), &st), 0);
  EXPECT_EQ(::stat((source_ + "/sub/below").c_str(), &st), 0);
}

// The probe's answer reaches the container's monitor, which plans init's mounts.
TEST_P(KernelFallbackTest, TheMonitorIsToldWhichWayToMount) {
  CreateOptions options;
  options.image = "busybox";
  options.command = {"sleep", "30"};
  auto container = runtime_->Create(options);
  ASSERT_TRUE(container.ok()) << container.status();
  auto attachment = (*container)->Start(StartOptions{});
  ASSERT_TRUE(attachment.ok()) << attachment.status();
  auto state = (*container)->State();
  ASSERT_TRUE(state.ok()) << state.status();
  auto cmdline = ReadFile(absl::StrCat("/proc/", state->monitor.pid, "/cmdline"));
  ASSERT_TRUE(cmdline.ok()) << cmdline.status();
  EXPECT_EQ(cmdline->find("--no-mount-setattr") != std::string::npos, !GetParam()) << *cmdline;
  EXPECT_TRUE((*container)->Remove(true).ok());
}

INSTANTIATE_TEST_SUITE_P(MountSetattr, KernelFallbackTest, ::testing::Values(true, false),
                         [](const auto& info) {
                           return std::string(info.param ? "Kernel5_12" : "Before5_12");
                         });

}  // namespace
}  // namespace mydocker
