// The C++ API (mydocker.hpp) against libmydocker.so with real containers: RAII, errors as
// exceptions with code, message and exit code, callbacks, exec handles. Needs root (skipped
// otherwise). MYDOCKER_HELPER and MYDOCKER_BUSYBOX_TAR come from the test's environment.
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "mydocker.hpp"

namespace {

using mydocker::api::Container;
using mydocker::api::CreateOptions;
using mydocker::api::Error;
using mydocker::api::ExecOptions;
using mydocker::api::Runtime;
using mydocker::api::StartOptions;
using mydocker::api::Status;
using namespace std::chrono_literals;

class CppApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    char tmpl[] = "/tmp/mydocker-cpptest-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    runtime_.emplace(Runtime::Open(root_, getenv("MYDOCKER_HELPER")));
    runtime_->ImportImage(getenv("MYDOCKER_BUSYBOX_TAR"), "busybox");
  }

  void TearDown() override {
    if (!runtime_) return;
    EXPECT_EQ(runtime_->ListContainers(/*all=*/true), "[]") << "a test left a container";
    runtime_.reset();
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::stringstream all;
    all << mountinfo.rdbuf();
    EXPECT_EQ(all.str().find(root_), std::string::npos) << "a mount was left under " << root_;
    std::string rm = "rm -rf '" + root_ + "'";
    EXPECT_EQ(system(rm.c_str()), 0);
  }

  static CreateOptions Busybox(std::vector<std::string> command) {
    CreateOptions o;
    o.image = "busybox";
    o.command = std::move(command);
    return o;
  }

  std::string root_;
  std::optional<Runtime> runtime_;
};

TEST_F(CppApiTest, ErrorsCarryCodeMessageAndExitCode) {
  try {
    runtime_->Get("nosuchcontainer");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_NOT_FOUND);
    EXPECT_STREQ(e.code_name(), "NOT_FOUND");
    EXPECT_NE(std::string(e.what()).find("nosuchcontainer"), std::string::npos) << e.what();
  }
  try {
    runtime_->Run(Busybox({"/no/such/command"}));
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 127);
    EXPECT_NE(std::string(e.what()).find("/no/such/command"), std::string::npos) << e.what();
  }
  // A failed run leaves nothing: TearDown checks the list is empty.
  EXPECT_THROW(runtime_->InspectImage("nosuchimage"), Error);
}

TEST_F(CppApiTest, AttachedRunWritesToTheDescriptorsAndWaitGivesTheCode) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  StartOptions start;
  start.attach = true;
  start.stdout_fd = fds[1];
  Container c = runtime_->Run(Busybox({"sh", "-c", "echo hello; exit 3"}), start);
  close(fds[1]);
  EXPECT_EQ(c.Wait(), 3);
  char buf[64] = {};
  EXPECT_EQ(read(fds[0], buf, sizeof buf), 6);
  EXPECT_STREQ(buf, "hello\n");
  close(fds[0]);
  EXPECT_EQ(c.status(), Status::kStopped);
  EXPECT_NE(c.Inspect().find("\"ExitCode\":3"), std::string::npos) << c.Inspect();
  c.Remove();
}

// 1.5: cp as tar streams, diff, commit, attach and update of the restart policy.
TEST_F(CppApiTest, FilesCommitAttachAndRestartPolicy) {
  Container c = runtime_->Run(Busybox({"sh", "-c", "echo cpp > /made"}));
  EXPECT_EQ(c.Wait(), 0);
  std::vector<mydocker::api::Change> changes = c.Diff();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].path, "/made");
  EXPECT_EQ(changes[0].kind, MYDOCKER_CHANGE_ADDED);
  FILE* tar = tmpfile();
  ASSERT_NE(tar, nullptr);
  c.CopyFrom("/made", fileno(tar));
  rewind(tar);
  c.CopyTo("/tmp", fileno(tar));
  EXPECT_EQ(c.Diff().size(), 3u);  // /made, /tmp, /tmp/made
  fclose(tar);
  EXPECT_THROW(c.CopyFrom("/missing", 1), Error);
  mydocker::api::CommitOptions commit;
  commit.ref = "cpp:commit";
  commit.changes = {"CMD [\"cat\", \"/tmp/made\"]"};
  std::string id = c.Commit(commit);
  EXPECT_EQ(id.rfind("sha256:", 0), 0u) << id;
  c.Remove();
  // The committed image runs its recorded command; attach sees its output and exit code.
  CreateOptions o;
  o.image = "cpp:commit";
  o.command = {"sh", "-c", "read line; cat /tmp/made; exit 7"};
  o.open_stdin = true;
  Container d = runtime_->Run(o);
  d.UpdateRestartPolicy("on-failure:1");
  EXPECT_NE(d.Inspect().find("\"MaximumRetryCount\":1"), std::string::npos) << d.Inspect();
  d.UpdateRestartPolicy("no");
  int in[2], out[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(write(in[1], "go\n", 3), 3);
  close(in[1]);
  mydocker::api::AttachOptions attach;
  attach.stdin_fd = in[0];
  attach.stdout_fd = out[1];
  EXPECT_EQ(d.Attach(attach), 7);
  close(in[0]);
  close(out[1]);
  char buf[64] = {};
  EXPECT_EQ(read(out[0], buf, sizeof buf), 4);
  EXPECT_STREQ(buf, "cpp\n");
  close(out[0]);
  d.Remove();
  runtime_->RemoveImage("cpp:commit");
}

TEST_F(CppApiTest, LogsReachAStdFunctionAndItsExceptionPropagates) {
  Container c = runtime_->Run(Busybox({"sh", "-c", "for i in 1 2 3; do echo line$i; done"}));
  std::vector<std::string> lines;
  c.Logs(
      [&](int stream, std::string_view text, int64_t) {
        EXPECT_EQ(stream, 1);
        lines.emplace_back(text);
        return true;
      },
      /*follow=*/true);
  EXPECT_EQ(lines, (std::vector<std::string>{"line1\n", "line2\n", "line3\n"}));
  EXPECT_THROW(c.Logs([](int, std::string_view, int64_t) -> bool { throw std::logic_error("x"); }),
               std::logic_error);
  EXPECT_EQ(c.Wait(), 0);
  c.Remove();
}

TEST_F(CppApiTest, ExecPauseStatsAndTimeouts) {
  CreateOptions o = Busybox({"sleep", "60"});
  o.name = "cpp-exec";
  Container c = runtime_->Run(o);
  int pid = 0;
  EXPECT_EQ(c.status(&pid), Status::kRunning);
  EXPECT_GT(pid, 0);
  EXPECT_EQ(c.Wait(50ms), std::nullopt);

  ExecOptions e;
  e.args = {"sh", "-c", "exit 7"};
  EXPECT_EQ(c.RunExec(e), 7);
  e.args = {"sleep", "30"};
  mydocker::api::Exec exec = c.StartExec(e);
  EXPECT_EQ(exec.Wait(50ms), std::nullopt);
  exec.Signal(SIGKILL);
  EXPECT_EQ(exec.Wait(), 128 + SIGKILL);

  EXPECT_GE(c.stats().pids_current, 1u);
  c.Pause();
  EXPECT_EQ(runtime_->Get("cpp-exec").status(), Status::kPaused);
  try {
    c.RunExec(e);
    FAIL() << "exec in a paused container";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), MYDOCKER_FAILED_PRECONDITION);
  }
  c.Unpause();
  std::string top = c.Top();
  EXPECT_NE(top.find("\"command\":\"sleep 60\""), std::string::npos) << top;
  c.Rename("cpp-renamed");
  EXPECT_EQ(c.name(), "cpp-renamed");
  EXPECT_THROW(runtime_->Get("cpp-exec"), Error);
  c.Restart(1);
  EXPECT_EQ(c.status(), Status::kRunning);
  c.Remove(/*force=*/true, /*volumes=*/true);
}

// Moves this process (its only thread: gtest runs tests on the main thread) into a network
// namespace of its own with lo up, once, so the bridges, veth pairs and nftables tables below
// never touch the host's. Returns an error text, empty on success.
std::string EnterPrivateNetwork() {
  static std::string error = [] {
    if (unshare(CLONE_NEWNET) != 0) return std::string("unshare(CLONE_NEWNET) failed");
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr {};
    std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    bool up = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 &&
              (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
    if (s >= 0) close(s);
    return up ? std::string() : std::string("cannot set lo up");
  }();
  return error;
}

// 1.6: images, volumes, log options and a log driver, cancellation; and the create options of
// 1.4 and 1.5 (capabilities, mounts, read-only root, stop timeout, health check).
TEST_F(CppApiTest, ImagesVolumesLogOptionsAndCreateFields) {
  runtime_->TagImage("busybox", "cpp:v1");
  EXPECT_NE(runtime_->ImageHistory("cpp:v1").find("\"cpp:v1\""), std::string::npos);
  std::string archive = root_ + "/images.tar";
  {
    int fd = ::open(archive.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    runtime_->SaveImages({"cpp:v1"}, fd);
    ::close(fd);
  }
  runtime_->RemoveImage("cpp:v1");
  EXPECT_NE(runtime_->LoadImages(archive).find("\"cpp:v1\""), std::string::npos);
  runtime_->RemoveImage("cpp:v1");
  try {
    runtime_->TagImage("no-such-image", "x:y");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_NOT_FOUND) << e.what();
  }

  EXPECT_NE(runtime_->CreateVolume("cppvol").find("\"Name\":\"cppvol\""), std::string::npos);
  EXPECT_NE(runtime_->ListVolumes().find("cppvol"), std::string::npos);
  EXPECT_NE(runtime_->InspectVolume("cppvol").find("/volumes/cppvol/_data"), std::string::npos);

  CreateOptions o = Busybox(
      {"sh", "-c", "touch /x 2>/dev/null || echo read-only; echo err >&2; ls /data /run/t"});
  o.cap_add = {"NET_ADMIN"};
  o.read_only = true;
  o.volumes = {"cppvol:/data"};
  o.tmpfs = {"/run/t"};
  o.stop_timeout = 3;
  mydocker::api::Healthcheck health;
  health.test = {"CMD-SHELL", "true"};
  health.interval = 1s;
  o.healthcheck = health;
  o.log_driver = "json-file";
  o.log_options = {"max-size=1m"};
  Container c = runtime_->Run(o);
  EXPECT_EQ(c.Wait(), 0);
  std::string inspect = c.Inspect();
  EXPECT_NE(inspect.find("\"StopTimeout\":3"), std::string::npos) << inspect;
  EXPECT_NE(inspect.find("\"Type\":\"json-file\""), std::string::npos) << inspect;
  EXPECT_NE(inspect.find("CMD-SHELL"), std::string::npos) << inspect;
  EXPECT_NE(inspect.find("NET_ADMIN"), std::string::npos) << inspect;
  std::string out, err;
  mydocker::api::LogsOptions only_stderr;
  only_stderr.stdout_lines = false;
  c.Logs(
      [&](int, std::string_view text, int64_t) {
        err += text;
        return true;
      },
      only_stderr);
  EXPECT_EQ(err, "err\n");
  c.Logs([&](int, std::string_view text, int64_t) {
    out += text;
    return true;
  });
  EXPECT_NE(out.find("read-only"), std::string::npos) << out;
  try {
    runtime_->RemoveVolume("cppvol");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_FAILED_PRECONDITION) << e.what();
  }
  c.Remove();
  EXPECT_EQ(runtime_->PruneVolumes(/*all=*/true), "[\"cppvol\"]");
  EXPECT_EQ(runtime_->ListVolumes(), "[]");
}

TEST_F(CppApiTest, PruneDiskUsageEventsAndVolumeLabels) {
  EXPECT_NE(runtime_->CreateVolume("cpplabelled", {"k=v"}).find("\"Labels\":{\"k\":\"v\"}"),
            std::string::npos);
  EXPECT_NE(runtime_->ListVolumes({"label=k=v"}).find("cpplabelled"), std::string::npos);
  EXPECT_EQ(runtime_->ListVolumes({"label=k=w"}), "[]");
  CreateOptions options = Busybox({"true"});
  options.labels = {"cpp.prune=1"};
  Container c = runtime_->Run(options);
  EXPECT_EQ(c.Wait(), 0);
  std::string id = c.id();
  EXPECT_NE(runtime_->DiskUsage(/*verbose=*/true).find(id), std::string::npos);
  mydocker::api::PruneOptions prune;
  prune.filters = {"label!=cpp.prune"};
  EXPECT_EQ(runtime_->PruneContainers(prune).find(id), std::string::npos);
  prune.filters = {"label=cpp.prune=1"};
  EXPECT_NE(runtime_->PruneContainers(prune).find(id), std::string::npos);
  try {
    prune.filters = {"nonsense"};
    runtime_->PruneSystem(prune);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_INVALID_ARGUMENT) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad format of filter"), std::string::npos) << e.what();
  }
  mydocker::api::EventsOptions events;
  events.filters = {"container=" + id};
  std::vector<std::string> actions;
  runtime_->Events(
      [&](std::string_view json) {
        size_t at = json.find("\"Action\":\"");
        actions.emplace_back(json.substr(at + 10, json.find('"', at + 10) - at - 10));
        return true;
      },
      events);
  EXPECT_EQ(actions, (std::vector<std::string>{"create", "start", "die", "destroy"}));
  runtime_->RemoveVolume("cpplabelled");
}

TEST_F(CppApiTest, CancelTokensEndWaitExecAndFollow) {
  Container c = runtime_->Run(Busybox({"sleep", "1000"}));
  mydocker::api::CancelToken token;
  auto cancel_soon = [&token] {
    return std::thread([&token] {
      std::this_thread::sleep_for(200ms);
      token.Cancel();
    });
  };
  std::thread t = cancel_soon();
  auto start = std::chrono::steady_clock::now();
  try {
    c.Wait(token);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_CANCELLED) << e.what();
  }
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(token.cancelled());

  mydocker::api::CancelToken exec_token;
  ExecOptions e;
  e.args = {"sleep", "1000"};
  e.cancel = &exec_token;
  std::thread t2([&exec_token] {
    std::this_thread::sleep_for(200ms);
    exec_token.Cancel();
  });
  try {
    c.RunExec(e);
    FAIL() << "no exception";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), MYDOCKER_CANCELLED) << err.what();
  }
  t2.join();

  mydocker::api::CancelToken follow_token;
  mydocker::api::LogsOptions follow;
  follow.follow = true;
  follow.cancel = &follow_token;
  std::thread t3([&follow_token] {
    std::this_thread::sleep_for(200ms);
    follow_token.Cancel();
  });
  try {
    c.Logs([](int, std::string_view, int64_t) { return true; }, follow);
    FAIL() << "no exception";
  } catch (const Error& err) {
    EXPECT_EQ(err.code(), MYDOCKER_CANCELLED) << err.what();
  }
  t3.join();
  c.Remove(/*force=*/true);
}

TEST_F(CppApiTest, NetworksConnectStatsAndRemoval) {
  ASSERT_EQ(EnterPrivateNetwork(), "");
  mydocker::api::NetworkCreateOptions net;
  net.subnet = "10.210.0.0/24";
  net.labels = {"team=api"};
  std::string id = runtime_->CreateNetwork("apinet", net);
  EXPECT_EQ(id.size(), 64u);
  std::string info = runtime_->InspectNetwork("apinet");
  EXPECT_NE(info.find("\"Subnet\":\"10.210.0.0/24\""), std::string::npos) << info;
  EXPECT_NE(info.find("\"team\":\"api\""), std::string::npos) << info;
  try {
    mydocker::api::NetworkCreateOptions bad;
    bad.subnet = "10.210.0.0/33";
    runtime_->CreateNetwork("bad", bad);
    FAIL() << "a /33 was taken";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_INVALID_ARGUMENT) << e.what();
  }

  CreateOptions o = Busybox({"sleep", "60"});
  o.name = "srv";
  o.network = mydocker::api::NetworkOptions{};
  o.network->mode = "apinet";
  o.network->ip = "10.210.0.10";
  Container srv = runtime_->Run(o);
  EXPECT_NE(srv.Inspect().find("\"IPAddress\":\"10.210.0.10\""), std::string::npos);
  uint64_t before = srv.stats().net_rx_bytes;
  CreateOptions p = Busybox({"ping", "-c", "3", "-s", "1000", "10.210.0.10"});
  p.network = o.network;
  p.network->ip = "";
  p.auto_remove = true;
  Container ping = runtime_->Run(p);
  EXPECT_EQ(ping.Wait(), 0);
  // Three 1028-byte echo requests reached it over its veth.
  EXPECT_GE(srv.stats().net_rx_bytes - before, 3u * 1028u);
  EXPECT_GE(srv.stats().net_tx_bytes, 3u * 1028u);

  Container lone = runtime_->Create(Busybox({"true"}));  // lo only: the library's default
  EXPECT_EQ(lone.Inspect().find("apinet"), std::string::npos);
  lone.Connect("apinet", "10.210.0.50", {"other"});
  EXPECT_NE(runtime_->InspectNetwork("apinet").find(lone.id()), std::string::npos);
  try {
    lone.Connect("apinet");
    FAIL() << "connected twice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_ALREADY_EXISTS) << e.what();
  }
  lone.Disconnect("apinet");
  EXPECT_EQ(runtime_->InspectNetwork("apinet").find(lone.id()), std::string::npos);
  try {
    runtime_->RemoveNetwork("apinet");
    FAIL() << "removed a network in use";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), MYDOCKER_FAILED_PRECONDITION) << e.what();
  }
  srv.Remove(/*force=*/true);
  lone.Remove();
  EXPECT_EQ(runtime_->PruneNetworks(), "[\"apinet\"]");
  EXPECT_EQ(runtime_->ListNetworks().find("apinet"), std::string::npos);
  EXPECT_THROW(runtime_->InspectNetwork("apinet"), Error);
}

}  // namespace
