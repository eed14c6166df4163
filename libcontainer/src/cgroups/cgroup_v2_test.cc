#include "cgroups/cgroup_v2.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "absl/strings/str_cat.h"
#include "cgroups/cgroup_test_util.h"
#include "cgroups/cgroup_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mydocker/devices.h"

namespace mydocker::cgroups {
namespace {

using testing::CgroupGuard;
using ::testing::Contains;
using testing::GetFile;
using ::testing::HasSubstr;
using testing::MakeFakeCgroup;
using testing::PausedChild;
using testing::PutFile;
using testing::TempDir;

constexpr char kAll[] = "cpuset cpu io memory pids\n";

// A unified tree under a temp dir. The kernel creates interface files on mkdir and fills
// cgroup.controllers from the parent's subtree_control; here the leaf "mydocker/c1" is laid out
// in advance as it would look once its parent enabled `leaf_controllers`.
class FakeV2Test : public ::testing::Test {
 protected:
  void Layout(const std::string& root_controllers, const std::string& leaf_controllers) {
    MakeFakeCgroup(root(), {{"cgroup.controllers", root_controllers},
                            {"cgroup.subtree_control", ""},
                            {"cpuset.cpus.effective", "0-1\n"},
                            {"cpuset.mems.effective", "0\n"}});
    MakeFakeCgroup(root() + "/mydocker",
                   {{"cgroup.controllers", leaf_controllers}, {"cgroup.subtree_control", ""}});
    MakeFakeCgroup(leaf(), {{"cgroup.controllers", leaf_controllers},
                            {"cgroup.events", "populated 0\nfrozen 0\n"},
                            {"cgroup.freeze", "0\n"},
                            {"cpu.stat", "usage_usec 1500\nuser_usec 1000\n"}});
  }
  void AddControllerFiles() {
    for (const char* f : {"memory.max", "memory.swap.max", "cpu.weight", "cpuset.cpus",
                          "cpuset.mems", "pids.max"}) {
      PutFile(absl::StrCat(leaf(), "/", f), "");
    }
    PutFile(leaf() + "/cpu.max", "max 100000\n");
  }
  std::string root() const { return tmp_.path() + "/unified"; }
  std::string leaf() const { return root() + "/mydocker/c1"; }
  std::string Read(const std::string& file) const { return GetFile(leaf() + "/" + file); }

  TempDir tmp_;
};

TEST_F(FakeV2Test, CreateEnablesControllersAndWritesLimits) {
  Layout(kAll, "cpuset cpu memory pids\n");
  AddControllerFiles();
  CgroupV2 v2(root());
  LinuxResources r;
  r.memory.limit = 32 << 20;
  r.memory.swap = 96 << 20;
  r.cpu.shares = 1024;
  r.cpu.quota = 150000;
  r.cpu.period = 100000;
  r.cpu.cpus = "1";
  r.cpu.mems = "0";
  r.pids.limit = 20;
  auto s = v2.Create("mydocker/c1", r);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(GetFile(root() + "/cgroup.subtree_control"), "+cpuset +cpu +memory +pids");
  EXPECT_EQ(GetFile(root() + "/mydocker/cgroup.subtree_control"), "+cpuset +cpu +memory +pids");
  EXPECT_EQ(Read("memory.max"), "33554432");
  EXPECT_EQ(Read("memory.swap.max"), "67108864");  // OCI swap is memory+swap
  EXPECT_EQ(Read("cpu.weight"), "39");
  EXPECT_EQ(Read("cpu.max"), "150000 100000");
  EXPECT_EQ(Read("cpuset.cpus"), "1");
  EXPECT_EQ(Read("cpuset.mems"), "0");
  EXPECT_EQ(Read("pids.max"), "20");
}

TEST_F(FakeV2Test, HugepageLimitsEnableHugetlbOnlyWhenAskedAndNetworkIsRefused) {
  if (!PathExists("/sys/kernel/mm/hugepages/hugepages-2048kB")) {
    GTEST_SKIP() << "this host has no 2 MB huge pages";
  }
  Layout("cpuset cpu memory pids hugetlb\n", "cpuset cpu memory pids hugetlb\n");
  PutFile(leaf() + "/hugetlb.2MB.max", "max\n");
  PutFile(leaf() + "/hugetlb.2MB.rsvd.max", "max\n");
  CgroupV2 v2(root());
  ASSERT_TRUE(v2.Create("mydocker/c1", {}).ok());
  EXPECT_EQ(GetFile(root() + "/cgroup.subtree_control"), "+cpuset +cpu +memory +pids");
  LinuxResources r;
  r.hugepage_limits = {{"2MB", 4 << 20}};
  auto s = v2.Create("mydocker/c1", r);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_THAT(GetFile(root() + "/cgroup.subtree_control"), HasSubstr("+hugetlb"));
  EXPECT_EQ(Read("hugetlb.2MB.max"), "4194304");
  EXPECT_EQ(Read("hugetlb.2MB.rsvd.max"), "4194304");
  r.hugepage_limits = {{"32MB", 1}};
  EXPECT_THAT(v2.Validate(r).message(), HasSubstr("hugepage size 32MB is not supported"));
  r.hugepage_limits.clear();
  r.network.class_id = 7;
  s = v2.Validate(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("not supported with cgroup v2"));
}

TEST_F(FakeV2Test, UnlimitedValues) {
  Layout(kAll, "cpuset cpu memory pids\n");
  AddControllerFiles();
  CgroupV2 v2(root());
  LinuxResources r;
  r.memory.limit = 32 << 20;
  r.memory.swap = -1;
  r.cpu.quota = -1;
  r.pids.limit = -1;
  ASSERT_TRUE(v2.Create("mydocker/c1", r).ok());
  EXPECT_EQ(Read("memory.swap.max"), "max");
  EXPECT_EQ(Read("cpu.max"), "max");
  EXPECT_EQ(Read("pids.max"), "max");
}

TEST_F(FakeV2Test, UpdatePeriodKeepsQuota) {
  Layout(kAll, "cpuset cpu memory pids\n");
  AddControllerFiles();
  PutFile(leaf() + "/cpu.max", "50000 100000\n");
  CgroupV2 v2(root());
  LinuxResources r;
  r.cpu.period = 200000;
  ASSERT_TRUE(v2.Update("mydocker/c1", r).ok());
  EXPECT_EQ(Read("cpu.max"), "50000 200000");
}

// Like the unified hierarchy of a hybrid host: no controller is available.
TEST_F(FakeV2Test, NoControllersCreateWorksLimitsFail) {
  Layout("", "");
  CgroupV2 v2(root());
  ASSERT_TRUE(v2.Create("mydocker/c1", {}).ok());
  EXPECT_EQ(GetFile(root() + "/cgroup.subtree_control"), "");  // nothing to enable
  LinuxResources r;
  r.memory.limit = 32 << 20;
  auto s = v2.Create("mydocker/c2", r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("memory controller not available in cgroup v2 hierarchy"));
  EXPECT_FALSE(v2.Exists("mydocker/c2"));  // refused before anything was made
  s = v2.Update("mydocker/c1", r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  r = {};
  r.pids.limit = 5;
  EXPECT_THAT(v2.Validate(r).message(), HasSubstr("pids controller not available"));
}

TEST_F(FakeV2Test, LeafWithoutControllerIsRefused) {
  Layout(kAll, "cpu\n");  // e.g. enabling memory in the parent failed
  CgroupV2 v2(root());
  LinuxResources r;
  r.memory.limit = 32 << 20;
  auto s = v2.Update("mydocker/c1", r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr(leaf()));
}

TEST_F(FakeV2Test, ValidateUsesEffectiveCpus) {
  Layout(kAll, kAll);
  CgroupV2 v2(root());
  LinuxResources r;
  r.cpu.cpus = "0-3";
  EXPECT_THAT(v2.Validate(r).message(), HasSubstr("2 is not available (allowed: 0-1)"));
}

TEST_F(FakeV2Test, Stats) {
  Layout(kAll, kAll);
  PutFile(leaf() + "/memory.current", "104857600\n");
  PutFile(leaf() + "/memory.stat", "anon 1\ninactive_file 10485760\n");
  PutFile(leaf() + "/memory.max", "max\n");
  PutFile(leaf() + "/memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n");
  PutFile(leaf() + "/pids.current", "3\n");
  PutFile(leaf() + "/pids.max", "20\n");
  CgroupV2 v2(root());
  auto stats = v2.Stats("mydocker/c1");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->cpu_usage_ns, 1500000u);
  EXPECT_EQ(stats->memory_usage, 90u << 20);
  EXPECT_FALSE(stats->memory_limit.has_value());
  EXPECT_EQ(stats->oom_kills, 2u);
  EXPECT_EQ(stats->pids_current, 3u);
  EXPECT_EQ(stats->pids_limit, 20u);
}

TEST_F(FakeV2Test, StatsWithoutControllers) {
  Layout("", "");
  PutFile(leaf() + "/cgroup.procs", "7\n8\n");
  CgroupV2 v2(root());
  auto stats = v2.Stats("mydocker/c1");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->pids_current, 2u);
  EXPECT_FALSE(stats->memory_limit.has_value());
}

TEST_F(FakeV2Test, FreezeWaitsForEvents) {
  Layout(kAll, kAll);
  PutFile(leaf() + "/cgroup.events", "populated 1\nfrozen 1\n");
  CgroupV2 v2(root());
  ASSERT_TRUE(v2.Freeze("mydocker/c1", true).ok());
  EXPECT_EQ(Read("cgroup.freeze"), "1");
  EXPECT_TRUE(*v2.IsFrozen("mydocker/c1"));
}

TEST_F(FakeV2Test, DestroyEmptyAndMissing) {
  MakeDirs(root() + "/mydocker/empty").IgnoreError();
  CgroupV2 v2(root());
  EXPECT_TRUE(v2.Destroy("mydocker/empty").ok());
  EXPECT_FALSE(v2.Exists("mydocker/empty"));
  EXPECT_TRUE(PathExists(root() + "/mydocker"));  // the shared parent stays
  EXPECT_TRUE(v2.Destroy("mydocker/none").ok());
}

// What the driver handed to the device filter, instead of loading eBPF programs.
std::vector<std::pair<std::string, DevicePolicy>>* recorded_filters = nullptr;
absl::Status RecordFilter(const std::string& dir, const DevicePolicy& policy) {
  recorded_filters->emplace_back(dir, policy);
  return absl::OkStatus();
}
absl::Status RefuseFilter(const std::string&, const DevicePolicy&) {
  return absl::PermissionDeniedError("load device cgroup eBPF program: Operation not permitted");
}

TEST_F(FakeV2Test, DevicePolicyGoesToTheFilterAtCreateAndUpdate) {
  Layout(kAll, "cpuset cpu memory pids\n");
  std::vector<std::pair<std::string, DevicePolicy>> filters;
  recorded_filters = &filters;
  CgroupV2 v2(root(), &RecordFilter);
  ASSERT_TRUE(v2.Create("mydocker/c1", {}).ok());
  EXPECT_TRUE(filters.empty());  // no rules: the parent's policy
  LinuxResources r;
  r.devices = DefaultDeviceRules();
  ASSERT_TRUE(v2.Create("mydocker/c1", r).ok());
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_EQ(filters[0].first, leaf());
  EXPECT_FALSE(filters[0].second.default_allow);
  EXPECT_FALSE(filters[0].second.Allows('b', 7, 0, kDeviceRead));

  LinuxResources update;  // limits only: the device policy stays
  update.pids.limit = 10;
  PutFile(leaf() + "/pids.max", "");
  ASSERT_TRUE(v2.Update("mydocker/c1", update).ok());
  EXPECT_EQ(filters.size(), 1u);
  update.devices = r.devices;
  update.devices.push_back({true, 'b', 7, 0, "r"});
  ASSERT_TRUE(v2.Update("mydocker/c1", update).ok());
  ASSERT_EQ(filters.size(), 2u);
  EXPECT_TRUE(filters[1].second.Allows('b', 7, 0, kDeviceRead));
  recorded_filters = nullptr;
}

TEST_F(FakeV2Test, FailedDeviceFilterRemovesTheNewCgroup) {
  Layout(kAll, "cpuset cpu memory pids\n");
  CgroupV2 v2(root(), &RefuseFilter);
  LinuxResources r;
  r.devices = DefaultDeviceRules();
  auto s = v2.Create("mydocker/c2", r);
  EXPECT_THAT(s.message(), HasSubstr("eBPF"));
  EXPECT_FALSE(v2.Exists("mydocker/c2"));
  r.devices.push_back({true, 'q', 1, 1, "r"});
  EXPECT_EQ(v2.Validate(r).code(), absl::StatusCode::kInvalidArgument);
}

// --- Against the real unified hierarchy: what it offers without controllers ---

std::string RealUnifiedRoot() {
  auto mountinfo = ReadFile("/proc/self/mountinfo");
  if (!mountinfo.ok()) return "";
  auto mounts = ParseCgroupMounts(*mountinfo);
  return mounts.ok() ? mounts->unified : "";
}

class RealCgroupV2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = RealUnifiedRoot();
    if (root_.empty() || access(root_.c_str(), W_OK) != 0) {
      GTEST_SKIP() << "no writable cgroup2 hierarchy";
    }
    manager_ = std::make_unique<CgroupV2>(root_);
    path_ = absl::StrCat("mydocker-test/", testing::RandomName());
    guard_ = std::make_unique<CgroupGuard>(manager_.get(), path_,
                                           std::vector<std::string>{root_ + "/mydocker-test"});
  }
  std::string root_;
  std::unique_ptr<CgroupV2> manager_;
  std::string path_;
  std::unique_ptr<CgroupGuard> guard_;
};

TEST_F(RealCgroupV2Test, CreatePlaceFreezeAndDrain) {
  auto s = manager_->Create(path_, {});
  ASSERT_TRUE(s.ok()) << s;
  PausedChild child;
  ASSERT_TRUE(manager_->AddProcess(path_, child.pid()).ok());
  EXPECT_THAT(GetFile(absl::StrCat("/proc/", child.pid(), "/cgroup")),
              HasSubstr(absl::StrCat("0::/", path_, "\n")));
  EXPECT_THAT(*manager_->Pids(path_), Contains(child.pid()));
  auto stats = manager_->Stats(path_);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->pids_current, 1u);

  // The v2 freezer is part of the core, so it works without any controller.
  ASSERT_TRUE(manager_->Freeze(path_, true).ok());
  EXPECT_TRUE(*manager_->IsFrozen(path_));
  ASSERT_TRUE(manager_->Freeze(path_, false).ok());
  EXPECT_FALSE(*manager_->IsFrozen(path_));
  ASSERT_TRUE(manager_->Freeze(path_, true).ok());

  s = manager_->Destroy(path_);  // frozen and populated: must still drain
  ASSERT_TRUE(s.ok()) << s;
  int status = child.Reap();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(manager_->Exists(path_));
}

TEST_F(RealCgroupV2Test, LimitWithoutControllerIsClearError) {
  auto controllers = ReadFile(root_ + "/cgroup.controllers");
  if (!controllers.ok() || controllers->find("memory") != std::string::npos) {
    GTEST_SKIP() << "memory controller is available in the unified hierarchy here";
  }
  LinuxResources r;
  r.memory.limit = 32 << 20;
  auto s = manager_->Create(path_, r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("memory controller not available in cgroup v2 hierarchy"));
  EXPECT_FALSE(manager_->Exists(path_));
}

// A child placed in the cgroup `path` tries `op` on a device node and exits with the errno
// (0 for success), so the kernel's verdict, and only it, is what the test reads.
int InCgroup(CgroupManager& manager, const std::string& path, const std::function<int()>& op) {
  int go[2];
  if (::pipe(go) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    char c;
    ::close(go[1]);
    if (::read(go[0], &c, 1) != 1) ::_exit(255);
    ::_exit(op());
  }
  ::close(go[0]);
  absl::Status placed = manager.AddProcess(path, pid);
  EXPECT_TRUE(placed.ok()) << placed;
  if (placed.ok()) EXPECT_EQ(::write(go[1], "x", 1), 1);
  ::close(go[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int OpenErrno(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

TEST_F(RealCgroupV2Test, DevicePolicyIsEnforcedByTheKernelAndReplacedOnUpdate) {
  TempDir nodes;  // on a file system that allows device nodes, unlike the container's /dev
  const std::string null_node = nodes.path() + "/null", disk = nodes.path() + "/loop0";
  ASSERT_EQ(::mknod(null_node.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(::mknod(disk.c_str(), S_IFBLK | 0600, makedev(7, 0)), 0);
  LinuxResources r;
  r.devices = DefaultDeviceRules();
  auto s = manager_->Create(path_, r);
  ASSERT_TRUE(s.ok()) << s;
  const std::string dir = absl::StrCat(root_, "/", path_);
  auto attached = AttachedDeviceFilters(dir);
  ASSERT_TRUE(attached.ok()) << attached.status();
  EXPECT_EQ(attached->size(), 1u);

  EXPECT_EQ(InCgroup(*manager_, path_, [&] { return OpenErrno(null_node, O_RDWR); }), 0);
  EXPECT_EQ(InCgroup(*manager_, path_, [&] { return OpenErrno(disk, O_RDONLY); }), EPERM);
  const std::string made = nodes.path() + "/made";
  EXPECT_EQ(InCgroup(*manager_, path_,
                     [&] {
                       return ::mknod(made.c_str(), S_IFBLK | 0600, makedev(8, 0)) == 0 ? 0 : errno;
                     }),
            0);  // Docker's policy lets nodes be made, not opened
  EXPECT_EQ(InCgroup(*manager_, path_, [&] { return OpenErrno(made, O_RDONLY); }), EPERM);

  // Read access to one disk: the program is replaced, not added to.
  LinuxResources update;
  update.devices = r.devices;
  update.devices.push_back({true, 'b', 7, 0, "r"});
  s = manager_->Update(path_, update);
  ASSERT_TRUE(s.ok()) << s;
  attached = AttachedDeviceFilters(dir);
  ASSERT_TRUE(attached.ok());
  EXPECT_EQ(attached->size(), 1u);
  EXPECT_NE(InCgroup(*manager_, path_, [&] { return OpenErrno(disk, O_RDONLY); }), EPERM);
  EXPECT_EQ(InCgroup(*manager_, path_, [&] { return OpenErrno(disk, O_WRONLY); }), EPERM);

  // Without "m" nothing can be made.
  update.devices = {{false, 'a', std::nullopt, std::nullopt, "rwm"}};
  ASSERT_TRUE(manager_->Update(path_, update).ok());
  EXPECT_EQ(InCgroup(*manager_, path_,
                     [&] {
                       return ::mknod((made + "2").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0
                                  ? 0
                                  : errno;
                     }),
            EPERM);
  EXPECT_EQ(InCgroup(*manager_, path_, [&] { return OpenErrno(null_node, O_RDWR); }), EPERM);
}

TEST_F(RealCgroupV2Test, ARefusedProgramFailsWithTheVerifiersLog) {
  ASSERT_TRUE(manager_->Create(path_, {}).ok());
  // r0 is never set before the exit: the verifier refuses to return an uninitialised register.
  struct bpf_insn exit_only;
  std::memset(&exit_only, 0, sizeof exit_only);
  exit_only.code = BPF_JMP | BPF_EXIT;
  auto s = AttachDeviceFilter(absl::StrCat(root_, "/", path_), {exit_only});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("load device cgroup eBPF program (verifier: "));
  EXPECT_THAT(s.message(), HasSubstr("R0"));
  auto attached = AttachedDeviceFilters(absl::StrCat(root_, "/", path_));
  ASSERT_TRUE(attached.ok());
  EXPECT_TRUE(attached->empty());
}

}  // namespace
}  // namespace mydocker::cgroups
