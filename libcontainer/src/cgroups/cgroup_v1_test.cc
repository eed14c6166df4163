#include "cgroups/cgroup_v1.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cgroups/cgroup_test_util.h"
#include "cgroups/cgroup_util.h"
#include "cgroups/device_policy.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mydocker/devices.h"
#include "mydocker/fs_util.h"

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

constexpr char kUnlimited[] = "9223372036854771712";

// A v1 layout under a temp dir: one directory per controller, with the control files the
// kernel would create for the container "mydocker/c1" already in place (mkdir on a plain file
// system makes no files).
class FakeV1Test : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* c : {"cpuset", "cpu", "cpuacct", "memory", "pids", "freezer"}) {
      roots_[c] = absl::StrCat(tmp_.path(), "/", c);
    }
    MakeFakeCgroup(roots_["cpuset"], {{"cpuset.cpus", "0-3\n"}, {"cpuset.mems", "0\n"}});
    MakeFakeCgroup(Root("cpuset") + "/mydocker", {{"cpuset.cpus", ""}, {"cpuset.mems", ""}});
    MakeFakeCgroup(Leaf("cpuset"), {{"cpuset.cpus", ""}, {"cpuset.mems", ""}});
    MakeFakeCgroup(
        Leaf("cpu"),
        {{"cpu.shares", "1024"}, {"cpu.cfs_quota_us", "-1"}, {"cpu.cfs_period_us", "100000"}});
    MakeFakeCgroup(Leaf("cpuacct"), {{"cpuacct.usage", "123456789\n"}});
    MakeFakeCgroup(Leaf("memory"), {{"memory.limit_in_bytes", kUnlimited},
                                    {"memory.memsw.limit_in_bytes", kUnlimited},
                                    {"memory.usage_in_bytes", "104857600\n"},
                                    {"memory.stat", "cache 5\ntotal_inactive_file 10485760\n"},
                                    {"memory.oom_control",
                                     "oom_kill_disable 0\nunder_oom 0\n"
                                     "oom_kill 3\n"}});
    MakeFakeCgroup(Leaf("pids"), {{"pids.max", "max\n"}, {"pids.current", "4\n"}});
    MakeFakeCgroup(Leaf("freezer"), {{"freezer.state", "THAWED\n"}});
  }
  std::string Root(const std::string& c) { return roots_[c]; }
  std::string Leaf(const std::string& c) { return roots_[c] + "/mydocker/c1"; }
  std::string Read(const std::string& c, const std::string& file) {
    return GetFile(absl::StrCat(Leaf(c), "/", file));
  }

  TempDir tmp_;
  std::map<std::string, std::string> roots_;
};

TEST_F(FakeV1Test, CreateWritesEveryLimit) {
  CgroupV1 v1(roots_);
  LinuxResources r;
  r.memory.limit = 32 << 20;
  r.memory.swap = 64 << 20;
  r.cpu.shares = 512;
  r.cpu.quota = 50000;
  r.cpu.period = 100000;
  r.cpu.cpus = "1-2";
  r.pids.limit = 20;
  ASSERT_TRUE(v1.Create("mydocker/c1", r).ok());
  EXPECT_EQ(Read("memory", "memory.limit_in_bytes"), "33554432");
  EXPECT_EQ(Read("memory", "memory.memsw.limit_in_bytes"), "67108864");
  EXPECT_EQ(Read("cpu", "cpu.shares"), "512");
  EXPECT_EQ(Read("cpu", "cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(Read("cpu", "cpu.cfs_period_us"), "100000");
  EXPECT_EQ(Read("pids", "pids.max"), "20");
  EXPECT_EQ(Read("cpuset", "cpuset.cpus"), "1-2");
  EXPECT_EQ(Read("cpuset", "cpuset.mems"), "0");  // copied from the parent
  // The shared parent was populated so that the leaf can take tasks.
  EXPECT_EQ(GetFile(Root("cpuset") + "/mydocker/cpuset.cpus"), "0-3");
  EXPECT_EQ(GetFile(Root("cpuset") + "/mydocker/cpuset.mems"), "0");
}

TEST_F(FakeV1Test, UnlimitedPidsAndSwap) {
  CgroupV1 v1(roots_);
  LinuxResources r;
  r.memory.limit = 32 << 20;
  r.memory.swap = -1;
  r.pids.limit = -1;
  ASSERT_TRUE(v1.Create("mydocker/c1", r).ok());
  EXPECT_EQ(Read("memory", "memory.memsw.limit_in_bytes"), "-1");
  EXPECT_EQ(Read("pids", "pids.max"), "max");
}

TEST_F(FakeV1Test, RaisingLimitAboveMemswNeedsSwap) {
  CgroupV1 v1(roots_);
  PutFile(Leaf("memory") + "/memory.memsw.limit_in_bytes", "67108864\n");
  LinuxResources r;
  r.memory.limit = 128 << 20;
  auto s = v1.Update("mydocker/c1", r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("above the current memory+swap limit 67108864"));
}

TEST_F(FakeV1Test, MissingControllerIsSkippedUntilNeeded) {
  roots_.erase("pids");
  CgroupV1 v1(roots_);
  ASSERT_TRUE(v1.Create("mydocker/c1", {}).ok());
  PutFile(Leaf("memory") + "/cgroup.procs", "5\n6\n7\n");
  EXPECT_EQ(v1.Stats("mydocker/c1")->pids_current, 3u);  // counted from cgroup.procs
  LinuxResources r;
  r.pids.limit = 10;
  auto s = v1.Update("mydocker/c1", r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("pids controller not mounted"));
}

TEST_F(FakeV1Test, FailedCreateRemovesOnlyWhatItMade) {
  // No cpuset here: on a plain file system a new cpuset directory has no files to copy into.
  roots_.erase("cpuset");
  roots_.erase("pids");
  CgroupV1 v1(roots_);
  LinuxResources r;
  r.pids.limit = 10;  // its controller is not mounted: fails once the directories are made
  absl::Status s = v1.Create("mydocker/c2", r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  for (const char* c : {"cpu", "cpuacct", "memory", "freezer"}) {
    EXPECT_FALSE(PathExists(Root(c) + "/mydocker/c2")) << c;
  }
  // An existing cgroup (someone's processes may be in it) is left as it was.
  s = v1.Create("mydocker/c1", r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  for (const char* c : {"cpu", "cpuacct", "memory", "freezer"}) {
    EXPECT_TRUE(PathExists(Leaf(c))) << c;
  }
}

TEST_F(FakeV1Test, HugepageLimitsClassIdAndPriorities) {
  if (!PathExists("/sys/kernel/mm/hugepages/hugepages-2048kB")) {
    GTEST_SKIP() << "this host has no 2 MB huge pages";
  }
  roots_["hugetlb"] = absl::StrCat(tmp_.path(), "/hugetlb");
  roots_["net_cls"] = roots_["net_prio"] = absl::StrCat(tmp_.path(), "/net_cls,net_prio");
  MakeFakeCgroup(Leaf("hugetlb"), {{"hugetlb.2MB.limit_in_bytes", kUnlimited},
                                   {"hugetlb.2MB.rsvd.limit_in_bytes", kUnlimited}});
  MakeFakeCgroup(Leaf("net_cls"), {{"net_cls.classid", "0"}, {"net_prio.ifpriomap", ""}});
  CgroupV1 v1(roots_);
  LinuxResources r;
  r.hugepage_limits = {{"2MB", 1 << 30}};
  r.network.class_id = 0x100001;
  r.network.priorities = {{"lo", 7}};
  ASSERT_TRUE(v1.Create("mydocker/c1", r).ok());
  EXPECT_EQ(Read("hugetlb", "hugetlb.2MB.limit_in_bytes"), "1073741824");
  EXPECT_EQ(Read("hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes"), "1073741824");
  EXPECT_EQ(Read("net_cls", "net_cls.classid"), "1048577");
  EXPECT_EQ(Read("net_prio", "net_prio.ifpriomap"), "lo 7");
  // Joined like the others, once per hierarchy.
  auto files = v1.JoinFiles("mydocker/c1");
  ASSERT_TRUE(files.ok());
  EXPECT_THAT(*files, Contains(Leaf("hugetlb") + "/tasks"));
  EXPECT_EQ(std::count(files->begin(), files->end(), Leaf("net_cls") + "/tasks"), 1);

  // A size the host does not have, or a controller it does not mount: refused before anything.
  r.hugepage_limits = {{"32MB", 1}};
  EXPECT_THAT(v1.Validate(r).message(), HasSubstr("hugepage size 32MB is not supported"));
  roots_.erase("hugetlb");
  roots_.erase("net_prio");
  CgroupV1 bare(roots_);
  r.hugepage_limits = {{"2MB", 1}};
  EXPECT_THAT(bare.Validate(r).message(), HasSubstr("hugetlb controller not mounted"));
  r.hugepage_limits.clear();
  EXPECT_THAT(bare.Validate(r).message(), HasSubstr("net_prio controller not mounted"));
}

TEST_F(FakeV1Test, DevicePolicyIsWrittenToANewCgroupAndChangedInPlaceLater) {
  roots_["devices"] = tmp_.path() + "/devices";
  MakeFakeCgroup(Leaf("devices"),
                 {{"devices.allow", ""}, {"devices.deny", ""}, {"devices.list", "a *:* rwm\n"}});
  CgroupV1 v1(roots_);
  LinuxResources r;
  r.devices = {{false, 'a', std::nullopt, std::nullopt, "rwm"}, {true, 'c', 1, 3, "rwm"}};
  // As a new cgroup under an unrestricted parent reads (devices.list "a *:* rwm"): the policy is
  // written whole. The fake's files keep the last write: deny-all, then the exception.
  ASSERT_TRUE(v1.Create("mydocker/c1", r).ok());
  EXPECT_EQ(Read("devices", "devices.deny"), "a *:* rwm");
  EXPECT_EQ(Read("devices", "devices.allow"), "c 1:3 rwm");

  // A running container's allow list changes by the difference only: no deny-all moment.
  PutFile(Leaf("devices") + "/devices.list", "c 1:3 rwm\nc 1:5 rwm\n");
  r.devices.push_back({true, 'b', 7, 0, "r"});
  ASSERT_TRUE(v1.Update("mydocker/c1", r).ok());
  EXPECT_EQ(Read("devices", "devices.allow"), "b 7:0 r");
  EXPECT_EQ(Read("devices", "devices.deny"), "c 1:5 rwm");

  // An existing cgroup (Create reuses it) with that policy already: nothing is written.
  PutFile(Leaf("devices") + "/devices.allow", "");
  PutFile(Leaf("devices") + "/devices.deny", "");
  PutFile(Leaf("devices") + "/devices.list", "c 1:3 rwm\nb 7:0 r\n");
  ASSERT_TRUE(v1.Create("mydocker/c1", r).ok());
  EXPECT_EQ(Read("devices", "devices.allow"), "");
  EXPECT_EQ(Read("devices", "devices.deny"), "");
}

TEST_F(FakeV1Test, DevicePolicyWithoutDevicesControllerIsRefused) {
  CgroupV1 v1(roots_);
  LinuxResources r;
  r.devices = DefaultDeviceRules();
  auto s = v1.Create("mydocker/c1", r);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("devices controller not mounted"));
}

TEST_F(FakeV1Test, ValidateUsesRootCpuset) {
  CgroupV1 v1(roots_);
  LinuxResources r;
  r.cpu.cpus = "2-5";
  EXPECT_THAT(v1.Validate(r).message(), HasSubstr("4 is not available (allowed: 0-3)"));
  auto s = v1.Create("mydocker/c2", r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(v1.Exists("mydocker/c2"));  // nothing created before the check
}

TEST_F(FakeV1Test, Stats) {
  CgroupV1 v1(roots_);
  auto stats = v1.Stats("mydocker/c1");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->cpu_usage_ns, 123456789u);
  EXPECT_EQ(stats->memory_usage, 90u << 20);
  EXPECT_FALSE(stats->memory_limit.has_value());
  EXPECT_EQ(stats->oom_kills, 3u);
  EXPECT_EQ(stats->pids_current, 4u);
  EXPECT_FALSE(stats->pids_limit.has_value());
  PutFile(Leaf("memory") + "/memory.limit_in_bytes", "33554432\n");
  PutFile(Leaf("pids") + "/pids.max", "20\n");
  stats = v1.Stats("mydocker/c1");
  EXPECT_EQ(stats->memory_limit, 32u << 20);
  EXPECT_EQ(stats->pids_limit, 20u);
}

TEST_F(FakeV1Test, FreezeAndPids) {
  CgroupV1 v1(roots_);
  ASSERT_TRUE(v1.Freeze("mydocker/c1", true).ok());
  EXPECT_EQ(Read("freezer", "freezer.state"), "FROZEN");
  EXPECT_TRUE(*v1.IsFrozen("mydocker/c1"));
  ASSERT_TRUE(v1.Freeze("mydocker/c1", false).ok());
  EXPECT_FALSE(*v1.IsFrozen("mydocker/c1"));
  PutFile(Leaf("memory") + "/cgroup.procs", "12\n34\n");
  EXPECT_EQ(*v1.Pids("mydocker/c1"), (std::vector<pid_t>{12, 34}));
}

TEST_F(FakeV1Test, AddProcessWritesEveryController) {
  CgroupV1 v1(roots_);
  ASSERT_TRUE(v1.AddProcess("mydocker/c1", 4242).ok());
  for (const auto& [c, root] : roots_) EXPECT_EQ(Read(c, "cgroup.procs"), "4242") << c;
  EXPECT_EQ(v1.AddProcess("mydocker/c1", 0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(v1.AddProcess("../x", 1).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(FakeV1Test, DestroyMissingIsOk) {
  CgroupV1 v1(roots_);
  EXPECT_TRUE(v1.Destroy("mydocker/none").ok());
}

// --- Against the real kernel (root on a host with v1 controllers mounted) ---

std::map<std::string, std::string> RealV1Roots() {
  auto mountinfo = ReadFile("/proc/self/mountinfo");
  if (!mountinfo.ok()) return {};
  auto mounts = ParseCgroupMounts(*mountinfo);
  return mounts.ok() ? mounts->v1 : std::map<std::string, std::string>{};
}

class RealCgroupV1Test : public ::testing::Test {
 protected:
  void SetUp() override {
    roots_ = RealV1Roots();
    if (roots_.count("memory") == 0 || access(roots_["memory"].c_str(), W_OK) != 0) {
      GTEST_SKIP() << "no writable cgroup v1 memory hierarchy";
    }
    manager_ = std::make_unique<CgroupV1>(roots_);
    path_ = absl::StrCat("mydocker-test/", testing::RandomName());
    std::vector<std::string> parents;
    for (const auto& [c, root] : roots_) parents.push_back(root + "/mydocker-test");
    guard_ = std::make_unique<CgroupGuard>(manager_.get(), path_, parents);
  }
  std::string Dir(const std::string& c) { return absl::StrCat(roots_[c], "/", path_); }

  std::map<std::string, std::string> roots_;
  std::unique_ptr<CgroupV1> manager_;
  std::string path_;
  std::unique_ptr<CgroupGuard> guard_;  // declared last: runs first, while manager_ lives
};

char ProcState(pid_t pid) {
  std::string stat = GetFile(absl::StrCat("/proc/", pid, "/stat"));
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? '?' : stat[paren + 2];
}

// The state settles shortly after a freeze or thaw: a thawed task runs before it sleeps again.
char WaitForState(pid_t pid, const std::string& wanted) {
  char state = '?';
  for (int i = 0; i < 200; ++i) {
    state = ProcState(pid);
    if (wanted.find(state) != std::string::npos) break;
    usleep(5000);
  }
  return state;
}

TEST_F(RealCgroupV1Test, DockerDevicePolicyReadsBackFromTheKernel) {
  if (roots_.count("devices") == 0) GTEST_SKIP() << "no devices controller";
  LinuxResources r;
  r.devices = DefaultDeviceRules();
  ASSERT_TRUE(manager_->Create(path_, r).ok());
  auto list = ReadFile(Dir("devices") + "/devices.list");
  ASSERT_TRUE(list.ok());
  auto read_back = ParseDevicesList(*list);
  ASSERT_TRUE(read_back.ok()) << read_back.status() << *list;
  auto wanted = ReduceDeviceRules(r.devices);
  ASSERT_TRUE(wanted.ok());
  EXPECT_FALSE(read_back->default_allow);
  for (char type : {'b', 'c'}) {
    for (uint32_t major : {1u, 5u, 7u, 8u, 10u, 136u}) {
      for (uint32_t minor : {0u, 1u, 3u, 200u}) {
        for (uint8_t access = 1; access <= 7; ++access) {
          EXPECT_EQ(read_back->Allows(type, major, minor, access),
                    wanted->Allows(type, major, minor, access))
              << type << major << ":" << minor << " " << int(access);
        }
      }
    }
  }
  // Widened in place for a running container.
  r.devices.push_back({true, 'b', 7, 0, "r"});
  ASSERT_TRUE(manager_->Update(path_, r).ok());
  EXPECT_THAT(*ReadFile(Dir("devices") + "/devices.list"), HasSubstr("b 7:0 r"));
}

TEST_F(RealCgroupV1Test, LifecycleWithLimitsFreezeAndDrain) {
  LinuxResources r;
  r.memory.limit = 32 << 20;
  r.pids.limit = 20;
  r.cpu.quota = 50000;
  ASSERT_TRUE(manager_->Create(path_, r).ok());
  EXPECT_EQ(GetFile(Dir("memory") + "/memory.limit_in_bytes"), "33554432\n");
  EXPECT_EQ(GetFile(Dir("pids") + "/pids.max"), "20\n");
  EXPECT_EQ(GetFile(Dir("cpu") + "/cpu.cfs_quota_us"), "50000\n");

  PausedChild child;
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(manager_->AddProcess(path_, child.pid()).ok());
  std::string cgroups = GetFile(absl::StrCat("/proc/", child.pid(), "/cgroup"));
  for (const char* c : {"memory", "pids", "cpu", "cpuacct", "cpuset", "freezer"}) {
    if (roots_.count(c) == 0) continue;
    EXPECT_THAT(cgroups, HasSubstr(absl::StrCat(c, ":/", path_, "\n"))) << cgroups;
  }
  EXPECT_THAT(*manager_->Pids(path_), Contains(child.pid()));

  auto stats = manager_->Stats(path_);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->memory_limit, 32u << 20);
  EXPECT_EQ(stats->pids_limit, 20u);
  EXPECT_EQ(stats->pids_current, 1u);
  EXPECT_EQ(stats->oom_kills, 0u);

  if (roots_.count("freezer") != 0) {
    ASSERT_TRUE(manager_->Freeze(path_, true).ok());
    EXPECT_TRUE(*manager_->IsFrozen(path_));
    EXPECT_EQ(GetFile(Dir("freezer") + "/freezer.state"), "FROZEN\n");
    EXPECT_THAT(std::string("DS"), HasSubstr(std::string(1, WaitForState(child.pid(), "DS"))));
    ASSERT_TRUE(manager_->Freeze(path_, false).ok());
    EXPECT_FALSE(*manager_->IsFrozen(path_));
    EXPECT_EQ(WaitForState(child.pid(), "S"), 'S');
    // Destroy must thaw, or the SIGKILL it sends would never be acted on.
    ASSERT_TRUE(manager_->Freeze(path_, true).ok());
  }

  auto destroyed = manager_->Destroy(path_);
  ASSERT_TRUE(destroyed.ok()) << destroyed;
  int status = child.Reap();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(manager_->Exists(path_));
  for (const auto& [c, root] : roots_) EXPECT_FALSE(PathExists(Dir(c))) << c;
  EXPECT_TRUE(manager_->Destroy(path_).ok());  // idempotent
}

// What init and exec's stub do: a single-threaded process writes "0" to every join file and
// is then in the cgroup in every hierarchy (v1's `tasks` moves only the writing thread, which
// is the whole process here).
TEST_F(RealCgroupV1Test, JoinFilesMoveTheWritingProcess) {
  ASSERT_TRUE(manager_->Create(path_, LinuxResources{}).ok());
  absl::StatusOr<std::vector<std::string>> files = manager_->JoinFiles(path_);
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_FALSE(files->empty());
  for (const std::string& f : *files) EXPECT_THAT(f, ::testing::EndsWith("/tasks"));
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    char ok = 1;
    for (const std::string& f : *files) {
      int fd = open(f.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write(fd, "0", 1) != 1) ok = 0;
      close(fd);
    }
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char ok = 0;
  EXPECT_EQ(read(ready[0], &ok, 1), 1);
  close(ready[0]);
  EXPECT_EQ(ok, 1);
  std::string cgroups = GetFile(absl::StrCat("/proc/", pid, "/cgroup"));
  size_t joined = 0;  // one /proc/PID/cgroup line per hierarchy, "ID:CONTROLLERS:/PATH"
  for (absl::string_view line : absl::StrSplit(cgroups, '\n')) {
    if (absl::EndsWith(line, absl::StrCat(":/", path_))) ++joined;
  }
  EXPECT_EQ(joined, files->size()) << cgroups;
  EXPECT_THAT(*manager_->Pids(path_), Contains(pid));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_THAT(manager_->JoinFiles("../escape").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RealCgroupV1Test, ForkLoopIsContainedAndDrained) {
  if (roots_.count("pids") == 0) GTEST_SKIP() << "no pids hierarchy";
  LinuxResources r;
  r.pids.limit = 20;
  r.cpu.quota = 20000;  // the loop spins on failing forks: keep it to a fifth of a CPU
  ASSERT_TRUE(manager_->Create(path_, r).ok());
  ASSERT_EQ(GetFile(Dir("pids") + "/pids.max"), "20\n");
  int go[2];
  ASSERT_EQ(pipe2(go, O_CLOEXEC), 0);
  pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls: wait until placed in the limited cgroup, then fork forever.
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1) _exit(1);
    for (;;) fork();
  }
  close(go[0]);
  absl::Status placed = manager_->AddProcess(path_, pid);
  if (placed.ok() && write(go[1], "x", 1) != 1) placed = absl::InternalError("write to child");
  close(go[1]);
  if (!placed.ok()) kill(pid, SIGKILL);
  ASSERT_TRUE(placed.ok()) << placed;
  for (int i = 0; i < 200 && manager_->Stats(path_)->pids_current < 20; ++i) usleep(5000);
  EXPECT_EQ(manager_->Stats(path_)->pids_current, 20u);
  auto destroyed = manager_->Destroy(path_);
  ASSERT_TRUE(destroyed.ok()) << destroyed;
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  for (const auto& [c, root] : roots_) EXPECT_FALSE(PathExists(Dir(c))) << c;
}

TEST_F(RealCgroupV1Test, CpusetIsInheritedThroughNewParents) {
  if (roots_.count("cpuset") == 0) GTEST_SKIP() << "no cpuset hierarchy";
  LinuxResources r;
  r.cpu.cpus = "0";
  ASSERT_TRUE(manager_->Create(path_, r).ok());
  EXPECT_EQ(GetFile(Dir("cpuset") + "/cpuset.cpus"), "0\n");
  EXPECT_EQ(GetFile(roots_["cpuset"] + "/mydocker-test/cpuset.cpus"),
            GetFile(roots_["cpuset"] + "/cpuset.cpus"));
  PausedChild child;
  ASSERT_TRUE(manager_->AddProcess(path_, child.pid()).ok());  // refused with empty cpus/mems
  ASSERT_TRUE(manager_->Destroy(path_).ok());
}

TEST_F(RealCgroupV1Test, MemoryAndSwapInEitherDirection) {
  if (!PathExists(roots_["memory"] + "/memory.memsw.limit_in_bytes")) {
    GTEST_SKIP() << "no swap accounting";
  }
  LinuxResources r;
  r.memory.limit = 32 << 20;
  r.memory.swap = 64 << 20;
  ASSERT_TRUE(manager_->Create(path_, r).ok());
  r.memory.limit = 256 << 20;  // above the current memsw: memsw must be written first
  r.memory.swap = 512 << 20;
  auto s = manager_->Update(path_, r);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(GetFile(Dir("memory") + "/memory.memsw.limit_in_bytes"), "536870912\n");
  r.memory.limit = 16 << 20;  // memsw below the current limit: limit must be written first
  r.memory.swap = 16 << 20;
  s = manager_->Update(path_, r);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(GetFile(Dir("memory") + "/memory.limit_in_bytes"), "16777216\n");
  EXPECT_EQ(GetFile(Dir("memory") + "/memory.memsw.limit_in_bytes"), "16777216\n");
}

TEST_F(RealCgroupV1Test, ValidateRejectsTooManyCpus) {
  LinuxResources r;
  r.cpu.quota = 100000 * 1000;
  auto s = manager_->Create(path_, r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("range of CPUs is from 0.01"));
  EXPECT_FALSE(manager_->Exists(path_));
}

}  // namespace
}  // namespace mydocker::cgroups
