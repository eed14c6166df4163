// Every public operation of Container (and Runtime's reconciliation) through the host seam's
// fake and a fake cgroup driver: what is signalled, waited for, released and recorded, on the
// normal path and on error paths. Real state store under a temporary directory; no root.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "cgroups/testing/fake_cgroup_manager.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "host/testing/fake_host.h"
#include "mydocker/fs_util.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "process/protocol.h"

namespace mydocker {
namespace {

using process::ControlType;
using ::testing::Contains;
using ::testing::ElementsAre;
using testing::FakeCgroupManager;
using testing::FakeHost;
using ::testing::HasSubstr;
using ::testing::Not;

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mydocker-lifecycle-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    RuntimeOptions options;
    options.root = root_;
    options.helper_path = "/fake/mydocker-helper";
    options.host = &host_;
    options.cgroup_manager = &cgroups_;
    auto rt = Runtime::Open(options);
    ASSERT_TRUE(rt.ok()) << rt.status();
    runtime_ = std::move(rt).value();
  }
  void TearDown() override { RemoveAll(root_).IgnoreError(); }

  // A container record as a monitor leaves it: `status`, with a live init and monitor (the
  // monitor ends when its init does, as the real one does) for an active one.
  std::unique_ptr<Container> Make(ContainerStatus status, bool auto_remove = false) {
    ContainerState state;
    state.id = NewContainerId();
    state.name = "c" + state.id.substr(0, 6);
    state.status = status;
    state.auto_remove = auto_remove;
    state.cgroup_path = "mydocker/" + state.id;
    state.log_path = runtime_->state().ContainerDir(state.id) + "/container.log";
    if (state.IsActive()) {
      state.init = host_.AddProcess();
      state.monitor = host_.AddProcess();
      host_.process(state.init.pid).exit_with = {state.monitor.pid};
      cgroups_.Add(state.cgroup_path, {state.init.pid});
      if (status == ContainerStatus::kPaused) {
        EXPECT_TRUE(cgroups_.Freeze(state.cgroup_path, true).ok());
      }
    } else if (status == ContainerStatus::kStopped) {
      state.exit_code = 3;
    }
    ContainerConfig config = DefaultContainerConfig();
    config.process.args = {"sh"};
    config.linux_spec.resources.memory.limit = 64 << 20;
    config.linux_spec.resources.memory.swap = 128 << 20;
    EXPECT_TRUE(runtime_->state().Create(state, config).ok());
    return std::make_unique<Container>(runtime_.get(), state.id);
  }

  ContainerState StateOf(const Container& c) { return *runtime_->state().LoadState(c.id()); }
  std::string Signal(const ProcessRef& p, int sig) {
    return absl::StrCat("signal ", p.pid, " ", sig);
  }

  // The monitor the fake spawns: answers the start with `reply` on the control socket.
  void MonitorAnswers(process::ControlMessage reply) {
    host_.on_spawn = [reply](const SpawnRequest& request) -> absl::StatusOr<int> {
      EXPECT_EQ(request.argv[0], "/fake/mydocker-helper");
      EXPECT_TRUE(process::SendControl(request.fds[0].first, reply).ok());
      return 0;
    };
  }

  std::string root_;
  FakeHost host_;
  FakeCgroupManager cgroups_;
  std::unique_ptr<Runtime> runtime_;
};

// --- Kill -----------------------------------------------------------------------------------

TEST_F(LifecycleTest, KillSignalsTheRecordedInit) {
  auto c = Make(ContainerStatus::kRunning);
  ProcessRef init = StateOf(*c).init;
  host_.process(init.pid).fatal_signals.clear();
  ASSERT_TRUE(c->Kill(SIGUSR1).ok());
  EXPECT_TRUE(host_.Called(Signal(init, SIGUSR1)));
}

TEST_F(LifecycleTest, KillOfAStoppedOrVanishedContainerIsRefused) {
  auto stopped = Make(ContainerStatus::kStopped);
  EXPECT_EQ(stopped->Kill(SIGTERM).code(), absl::StatusCode::kFailedPrecondition);
  auto running = Make(ContainerStatus::kRunning);
  // The pid now names another process (recycled): never signalled.
  host_.next_open_error = absl::NotFoundError("process 100 is gone");
  auto s = running->Kill(SIGTERM);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("is not running"));
  for (const std::string& call : host_.calls()) EXPECT_THAT(call, Not(HasSubstr("signal")));
}

TEST_F(LifecycleTest, KillReportsAPermissionError) {
  auto c = Make(ContainerStatus::kRunning);
  host_.next_signal_error =
      absl::PermissionDeniedError("pidfd_send_signal: Operation not permitted");
  auto s = c->Kill(SIGTERM);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("kill container"));
}

// --- Stop -----------------------------------------------------------------------------------

TEST_F(LifecycleTest, StopSendsTheSignalAndWaitsForTheMonitor) {
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  ASSERT_TRUE(c->Stop(absl::Seconds(10)).ok());
  EXPECT_TRUE(host_.Called(Signal(st.init, SIGTERM)));
  EXPECT_FALSE(host_.Called(Signal(st.init, SIGKILL)));
  EXPECT_TRUE(host_.Called(absl::StrCat("wait ", st.monitor.pid, " -> ended")));
  // The monitor releases the resources, not the client.
  EXPECT_THAT(cgroups_.calls(), Not(Contains("destroy " + st.cgroup_path)));
}

TEST_F(LifecycleTest, StopKillsAfterTheTimeout) {
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  host_.process(st.init.pid).fatal_signals = {};  // ignores SIGTERM
  absl::Time before = host_.now();
  ASSERT_TRUE(c->Stop(absl::Seconds(7)).ok());
  EXPECT_GE(host_.now() - before, absl::Seconds(7));
  std::vector<std::string> calls = host_.calls();
  auto term = std::find(calls.begin(), calls.end(), Signal(st.init, SIGTERM));
  auto kill = std::find(calls.begin(), calls.end(), Signal(st.init, SIGKILL));
  ASSERT_NE(term, calls.end());
  ASSERT_NE(kill, calls.end());
  EXPECT_LT(term, kill);
}

TEST_F(LifecycleTest, StopThawsAPausedContainerFirst) {
  auto c = Make(ContainerStatus::kPaused);
  ContainerState st = StateOf(*c);
  ASSERT_TRUE(c->Stop(absl::Seconds(1)).ok());
  EXPECT_THAT(cgroups_.calls(), Contains("freeze " + st.cgroup_path + " 0"));
  EXPECT_FALSE(cgroups_.Get(st.cgroup_path)->frozen);
}

TEST_F(LifecycleTest, StopReleasesWhatADeadMonitorCannot) {
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  host_.End(st.monitor.pid);  // killed: nobody will release the cgroup
  ASSERT_TRUE(c->Stop(absl::Seconds(1)).ok());
  EXPECT_THAT(cgroups_.calls(), Contains("destroy " + st.cgroup_path));
  EXPECT_TRUE(host_.Called("unmount " + runtime_->state().ContainerDir(st.id) + "/rootfs"));
}

TEST_F(LifecycleTest, StopGivesUpOnAMonitorThatNeverFinishes) {
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  host_.process(st.init.pid).exit_with.clear();  // the monitor hangs after its init ended
  auto s = c->Stop(absl::Seconds(1));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr("did not finish stopping"));
}

TEST_F(LifecycleTest, StopOfAStoppedContainerDoesNothing) {
  auto c = Make(ContainerStatus::kStopped);
  ASSERT_TRUE(c->Stop(absl::Seconds(1)).ok());
  EXPECT_TRUE(host_.calls().empty());
}

// --- Remove ---------------------------------------------------------------------------------

TEST_F(LifecycleTest, RemoveOfARunningContainerNeedsForce) {
  auto c = Make(ContainerStatus::kRunning);
  auto s = c->Remove(/*force=*/false);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("stop the container before removing or force remove"));
  EXPECT_TRUE(PathExists(runtime_->state().ContainerDir(c->id())));
  for (const std::string& call : host_.calls()) EXPECT_THAT(call, Not(HasSubstr("signal")));
}

TEST_F(LifecycleTest, ForcedRemoveOfAPausedContainerKillsThawsReleasesAndDeletes) {
  auto c = Make(ContainerStatus::kPaused);
  ContainerState st = StateOf(*c);
  ASSERT_TRUE(c->Remove(/*force=*/true).ok());
  EXPECT_TRUE(host_.Called(Signal(st.init, SIGKILL)));
  EXPECT_THAT(cgroups_.calls(), Contains("freeze " + st.cgroup_path + " 0"));
  EXPECT_THAT(cgroups_.calls(), Contains("destroy " + st.cgroup_path));
  EXPECT_FALSE(PathExists(runtime_->state().ContainerDir(st.id)));
  EXPECT_EQ(runtime_->state().LoadState(st.id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LifecycleTest, ForcedRemoveKillsAMonitorThatDoesNotFinish) {
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  host_.process(st.init.pid).exit_with.clear();
  host_.process(st.monitor.pid).fatal_signals = {};  // only SIGKILL ends it
  absl::Time before = host_.now();
  ASSERT_TRUE(c->Remove(/*force=*/true).ok());
  EXPECT_GE(host_.now() - before, absl::Seconds(10));
  EXPECT_TRUE(host_.Called(Signal(st.monitor, SIGKILL)));
  EXPECT_FALSE(PathExists(runtime_->state().ContainerDir(st.id)));
}

TEST_F(LifecycleTest, RemoveKeepsTheRecordWhenTheCgroupCannotBeRemoved) {
  auto c = Make(ContainerStatus::kStopped);
  cgroups_.Add("mydocker/" + c->id());
  cgroups_.next_destroy_error = absl::ResourceExhaustedError("rmdir: Device or resource busy");
  auto s = c->Remove(/*force=*/false);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("remove cgroup"));
  EXPECT_TRUE(runtime_->state().LoadState(c->id()).ok());  // still listed, can be retried
  EXPECT_TRUE(c->Remove(false).ok());
}

TEST_F(LifecycleTest, RemoveAfterTheMonitorOfARmContainerWasFirstIsFine) {
  auto c = Make(ContainerStatus::kRunning, /*auto_remove=*/true);
  ContainerState st = StateOf(*c);
  // Its monitor releases and deletes the container as its init ends.
  const std::string dir = runtime_->state().ContainerDir(st.id);
  host_.process(st.monitor.pid).on_end = [dir] { RemoveAll(dir).IgnoreError(); };
  ASSERT_TRUE(c->Remove(/*force=*/true).ok());
  EXPECT_FALSE(PathExists(dir));
  EXPECT_THAT(cgroups_.calls(), Not(Contains("destroy " + st.cgroup_path)));
}

// --- Wait and reconciliation ----------------------------------------------------------------

TEST_F(LifecycleTest, WaitReturnsTheRecordedExitCode) {
  auto c = Make(ContainerStatus::kStopped);
  auto code = c->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, std::optional<int>(3));
}

TEST_F(LifecycleTest, WaitTimesOutOnARunningContainer) {
  auto c = Make(ContainerStatus::kRunning);
  auto code = c->Wait(absl::Seconds(2));
  EXPECT_EQ(code.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(LifecycleTest, WaitRereadsTheRecordOnceTheMonitorEnded) {
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  // The monitor records the end, then exits.
  host_.process(st.monitor.pid).exits_when_waited = true;
  {
    auto lock = runtime_->state().Lock(st.id);
    ASSERT_TRUE(lock.ok());
    st.status = ContainerStatus::kStopped;
    st.exit_code = 137;
    ASSERT_TRUE(runtime_->state().SaveState(st).ok());
  }
  auto code = c->Wait();
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, std::optional<int>(137));
}

TEST_F(LifecycleTest, ARecordWhoseProcessesAreGoneReadsStoppedWithUnknownExitCode) {
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  host_.End(st.init.pid);  // and with it the monitor: both killed, nothing recorded
  auto state = c->State();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->status, ContainerStatus::kStopped);
  EXPECT_FALSE(state->exit_code.has_value());
  EXPECT_THAT(state->error, HasSubstr("exit code unknown"));
  auto listed = runtime_->List(/*all=*/false);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
  // A live init alone keeps it running (its monitor may have crashed).
  auto other = Make(ContainerStatus::kRunning);
  host_.process(StateOf(*other).init.pid).exit_with.clear();
  host_.End(StateOf(*other).monitor.pid);
  EXPECT_EQ(other->State()->status, ContainerStatus::kRunning);
}

TEST_F(LifecycleTest, AnEndRecordedWhileStateLooksIsNotReportedUnknown) {
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  host_.process(st.init.pid).exit_with.clear();
  host_.End(st.init.pid);  // the command ended; its monitor is finishing
  // Between State()'s read of the record and its look at the processes, the monitor records
  // the end and exits.
  host_.before_next_alive = [&] {
    ContainerState done = st;
    done.status = ContainerStatus::kStopped;
    done.exit_code = 3;
    auto lock = runtime_->state().Lock(st.id);
    ASSERT_TRUE(runtime_->state().SaveState(done).ok());
    host_.End(st.monitor.pid);
  };
  auto state = c->State();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->status, ContainerStatus::kStopped);
  EXPECT_EQ(state->exit_code, std::optional<int>(3));
  EXPECT_EQ(state->error, "");
}

// --- Start and Restart ----------------------------------------------------------------------

TEST_F(LifecycleTest, StartReturnsTheMonitorsAnswer) {
  auto c = Make(ContainerStatus::kCreated);
  MonitorAnswers(process::MakeControl(ControlType::kStarted, 4242));
  auto attachment = c->Start(StartOptions{});
  ASSERT_TRUE(attachment.ok()) << attachment.status();
  EXPECT_EQ((*attachment)->pid(), 4242);
  std::vector<std::string> calls = host_.calls();
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls[0], "spawn /fake/mydocker-helper (protected)");
  EXPECT_THAT(calls[1], HasSubstr("reap "));  // the intermediate process is reaped
}

TEST_F(LifecycleTest, StartFailuresCarryTheExitCode) {
  auto c = Make(ContainerStatus::kCreated);
  MonitorAnswers(process::MakeControl(ControlType::kStartFailed, 127, 0,
                                      "exec: \"nope\": executable file not found in $PATH"));
  auto attachment = c->Start(StartOptions{});
  EXPECT_EQ(attachment.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ExitCodeOf(attachment.status()), 127);
  EXPECT_THAT(attachment.status().message(), HasSubstr("executable file not found"));
  MonitorAnswers(process::MakeControl(ControlType::kStartFailed, 125, 0, "mount overlay: EINVAL"));
  attachment = c->Start(StartOptions{});
  EXPECT_EQ(attachment.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ExitCodeOf(attachment.status()), 125);
}

TEST_F(LifecycleTest, StartWhenTheMonitorDiesOrCannotBeSpawned) {
  auto c = Make(ContainerStatus::kCreated);
  host_.on_spawn = [](const SpawnRequest&) -> absl::StatusOr<int> { return 9; };  // says nothing
  auto attachment = c->Start(StartOptions{});
  EXPECT_EQ(attachment.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(attachment.status().message(), HasSubstr("ended before starting it"));
  host_.on_spawn = nullptr;  // EAGAIN
  attachment = c->Start(StartOptions{});
  EXPECT_EQ(attachment.status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(LifecycleTest, StartOfARunningContainerIsRefused) {
  auto c = Make(ContainerStatus::kRunning);
  auto attachment = c->Start(StartOptions{});
  EXPECT_EQ(attachment.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(host_.calls(), Not(Contains("spawn /fake/mydocker-helper (protected)")));
}

TEST_F(LifecycleTest, RestartOfARmContainerMarksTheRunItStops) {
  auto c = Make(ContainerStatus::kRunning, /*auto_remove=*/true);
  ContainerState st = StateOf(*c);
  MonitorAnswers(process::MakeControl(ControlType::kStarted, 777));
  ASSERT_TRUE(c->Restart(absl::Seconds(5)).ok());
  EXPECT_EQ(StateOf(*c).restarting, st.init);
  EXPECT_TRUE(host_.Called(Signal(st.init, SIGTERM)));
  EXPECT_TRUE(host_.Called("spawn /fake/mydocker-helper (protected)"));
}

TEST_F(LifecycleTest, AFailedRestartKeepsTheContainerAndClearsTheMark) {
  auto c = Make(ContainerStatus::kRunning, /*auto_remove=*/true);
  MonitorAnswers(process::MakeControl(ControlType::kStartFailed, 126, 0, "permission denied"));
  auto s = c->Restart(absl::Seconds(5));
  EXPECT_EQ(ExitCodeOf(s), 126);
  EXPECT_TRUE(StateOf(*c).restarting.empty());
}

// --- Pause, Unpause, Update, Stats, Top, Rename ---------------------------------------------

TEST_F(LifecycleTest, PauseAndUnpauseFreezeAndRecord) {
  auto c = Make(ContainerStatus::kRunning);
  const std::string cg = StateOf(*c).cgroup_path;
  ASSERT_TRUE(c->Pause().ok());
  EXPECT_EQ(StateOf(*c).status, ContainerStatus::kPaused);
  EXPECT_TRUE(cgroups_.Get(cg)->frozen);
  EXPECT_EQ(c->Pause().code(), absl::StatusCode::kFailedPrecondition);  // already paused
  ASSERT_TRUE(c->Unpause().ok());
  EXPECT_EQ(StateOf(*c).status, ContainerStatus::kRunning);
  EXPECT_EQ(c->Unpause().code(), absl::StatusCode::kFailedPrecondition);  // not paused
}

TEST_F(LifecycleTest, AFailedFreezeLeavesTheRecordAlone) {
  auto c = Make(ContainerStatus::kRunning);
  cgroups_.next_freeze_error = absl::DeadlineExceededError("freezer.state to read FROZEN");
  EXPECT_EQ(c->Pause().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(StateOf(*c).status, ContainerStatus::kRunning);
}

TEST_F(LifecycleTest, PauseDecidesUnderTheLock) {
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  auto lock = runtime_->state().Lock(st.id);
  ASSERT_TRUE(lock.ok());
  // Another holder stops the container while Pause waits for the lock.
  std::thread pause([&] { EXPECT_EQ(c->Pause().code(), absl::StatusCode::kFailedPrecondition); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  st.status = ContainerStatus::kStopped;
  st.exit_code = 0;
  ASSERT_TRUE(runtime_->state().SaveState(st).ok());
  lock = absl::InternalError("released");
  pause.join();
  EXPECT_THAT(cgroups_.calls(), Not(Contains("freeze " + st.cgroup_path + " 1")));
}

// --- A commit that died ----------------------------------------------------------------------

// A commit marks the record with its process; killed mid-way, it leaves the container frozen
// and a temporary layer, which the next reader (State, List, or an operation under the lock)
// undoes once that process is gone, and only then.
TEST_F(LifecycleTest, ACommitThatDiedIsUndoneByTheNextReader) {
  for (int reader = 0; reader < 3; ++reader) {
    auto c = Make(ContainerStatus::kPaused);
    ContainerState st = StateOf(*c);
    st.committing = host_.AddProcess();
    st.commit_froze = true;
    ASSERT_TRUE(runtime_->state().SaveState(st).ok());
    ASSERT_TRUE(MakeDirs(root_ + "/layers/tmp-dead/diff").ok());
    EXPECT_EQ(c->State()->status, ContainerStatus::kPaused);  // still committing
    EXPECT_TRUE(cgroups_.Get(st.cgroup_path)->frozen);
    host_.End(st.committing.pid);
    if (reader == 0) {
      EXPECT_EQ(c->State()->status, ContainerStatus::kRunning);
    } else if (reader == 1) {
      auto all = runtime_->List(true);
      ASSERT_TRUE(all.ok());
      EXPECT_EQ(all->front().status, ContainerStatus::kRunning);
    } else {
      ASSERT_TRUE(c->Pause().ok());  // under the lock: it was running again, so it pauses
    }
    EXPECT_EQ(StateOf(*c).status,
              reader == 2 ? ContainerStatus::kPaused : ContainerStatus::kRunning);
    EXPECT_EQ(cgroups_.Get(st.cgroup_path)->frozen, reader == 2);
    EXPECT_TRUE(StateOf(*c).committing.empty());
    EXPECT_FALSE(PathExists(root_ + "/layers/tmp-dead"));
  }
}

TEST_F(LifecycleTest, ADeadCommitOfAPausedContainerLeavesItPaused) {
  auto c = Make(ContainerStatus::kPaused);
  ContainerState st = StateOf(*c);
  st.committing = host_.AddProcess();
  ASSERT_TRUE(runtime_->state().SaveState(st).ok());
  host_.End(st.committing.pid);
  EXPECT_EQ(c->State()->status, ContainerStatus::kPaused);
  EXPECT_TRUE(cgroups_.Get(st.cgroup_path)->frozen);
  EXPECT_TRUE(StateOf(*c).committing.empty());
}

TEST_F(LifecycleTest, UpdateOfARunningContainerWritesTheCgroupAndTheConfig) {
  auto c = Make(ContainerStatus::kRunning);
  const std::string cg = StateOf(*c).cgroup_path;
  LinuxResources r;
  r.memory.limit = 100 << 20;
  r.memory.swap = 200 << 20;
  r.pids.limit = 50;
  ASSERT_TRUE(c->Update(r).ok());
  EXPECT_EQ(cgroups_.Get(cg)->resources.pids.limit, 50);
  EXPECT_EQ(c->Config()->linux_spec.resources.memory.limit, 100 << 20);
  // Memory alone is written with the memory+swap limit it must keep (v2 stores swap alone).
  LinuxResources m;
  m.memory.limit = 150 << 20;
  ASSERT_TRUE(c->Update(m).ok());
  EXPECT_EQ(cgroups_.Get(cg)->resources.memory.swap, 200 << 20);
}

TEST_F(LifecycleTest, UpdateRefusesAMemoryLimitAboveMemoryPlusSwap) {
  auto c = Make(ContainerStatus::kRunning);
  LinuxResources r;
  r.memory.limit = 256 << 20;  // above the 128m memory+swap limit
  auto s = c->Update(r);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--memory-swap"));
  EXPECT_THAT(cgroups_.calls(), Not(Contains("update " + StateOf(*c).cgroup_path)));
}

TEST_F(LifecycleTest, AFailedLiveUpdateKeepsTheOldConfig) {
  auto c = Make(ContainerStatus::kRunning);
  cgroups_.next_update_error =
      absl::ResourceExhaustedError("write cpuset.cpus: No space left on device");
  LinuxResources r;
  r.cpu.cpus = "1";
  EXPECT_EQ(c->Update(r).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(c->Config()->linux_spec.resources.cpu.cpus, "");
}

TEST_F(LifecycleTest, UpdateOfAStoppedContainerOnlyKeepsTheLimits) {
  auto c = Make(ContainerStatus::kStopped);
  LinuxResources r;
  r.pids.limit = 9;
  ASSERT_TRUE(c->Update(r).ok());
  EXPECT_EQ(c->Config()->linux_spec.resources.pids.limit, 9);
  EXPECT_THAT(cgroups_.calls(), Not(Contains(HasSubstr("update "))));
}

TEST_F(LifecycleTest, StatsAndTopNeedARunningContainer) {
  auto stopped = Make(ContainerStatus::kStopped);
  EXPECT_EQ(stopped->Stats().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(stopped->Top().status().code(), absl::StatusCode::kFailedPrecondition);
  auto c = Make(ContainerStatus::kRunning);
  ContainerState st = StateOf(*c);
  ProcessRef child = host_.AddProcess();
  ProcessRef gone = host_.AddProcess();
  host_.End(gone.pid);  // ended between the cgroup listing and /proc
  cgroups_.Add(st.cgroup_path, {child.pid, gone.pid, st.init.pid});
  auto top = c->Top();
  ASSERT_TRUE(top.ok()) << top.status();
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ((*top)[0].pid, st.init.pid);  // sorted
  EXPECT_EQ((*top)[1].pid, child.pid);
  cgroups_.stats.pids_current = 2;
  EXPECT_EQ(c->Stats()->pids_current, 2u);
}

TEST_F(LifecycleTest, RenameChecksTheName) {
  auto a = Make(ContainerStatus::kCreated);
  auto b = Make(ContainerStatus::kCreated);
  ASSERT_TRUE(a->Rename("web").ok());
  EXPECT_EQ(StateOf(*a).name, "web");
  EXPECT_EQ(b->Rename("web").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(runtime_->Get("web").value()->id(), a->id());
}

TEST_F(LifecycleTest, AnUnusableHelperIsFoundWhenTheRuntimeOpens) {
  std::string root = root_ + "/other";
  RuntimeOptions options;
  options.root = root;
  options.helper_path = "/nonexistent/mydocker-helper";
  options.host = &host_;
  options.cgroup_manager = &cgroups_;
  host_.next_executable_error = absl::NotFoundError("/nonexistent/mydocker-helper: not found");
  auto rt = Runtime::Open(options);
  EXPECT_EQ(rt.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(rt.status().message(), HasSubstr("the mydocker helper cannot be used"));
  EXPECT_THAT(rt.status().message(), HasSubstr("/nonexistent/mydocker-helper"));
  EXPECT_FALSE(PathExists(root));  // refused before the state root is made
}

}  // namespace
}  // namespace mydocker
