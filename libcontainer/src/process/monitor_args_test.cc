#include <sys/socket.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mydocker/helper.h"
#include "mydocker/unique_fd.h"
#include "process/monitor.h"
#include "process/protocol.h"

namespace mydocker::process {
namespace {

absl::StatusOr<MonitorRequest> RoundTrip(const MonitorRequest& request) {
  std::vector<std::string> argv = MonitorArgv("/bin/helper", request);
  std::vector<char*> ptrs;
  for (std::string& a : argv) ptrs.push_back(a.data());
  return ParseMonitorArgv(static_cast<int>(ptrs.size()), ptrs.data());
}

TEST(MonitorArgsTest, RoundTripKeepsEveryField) {
  MonitorRequest r;
  r.root = "/var/lib/x";
  r.id = "abc";
  r.attach = true;
  r.relay_stdin = true;
  r.console_size = ConsoleSize{24, 80};
  r.detach_keys = std::string("\x10\0q", 3);
  r.cgroup.v1_roots_override = {{"memory", "/sys/fs/cgroup/memory/sub"}, {"pids", "/p=q"}};
  r.mount_setattr = false;
  absl::StatusOr<MonitorRequest> back = RoundTrip(r);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->root, r.root);
  EXPECT_EQ(back->id, r.id);
  EXPECT_TRUE(back->attach);
  EXPECT_TRUE(back->relay_stdin);
  ASSERT_TRUE(back->console_size.has_value());
  EXPECT_EQ(back->console_size->height, 24);
  EXPECT_EQ(back->console_size->width, 80);
  EXPECT_EQ(back->detach_keys, r.detach_keys);
  EXPECT_EQ(back->cgroup.v1_roots_override, r.cgroup.v1_roots_override);
  EXPECT_TRUE(back->cgroup.v2_root_override.empty());
  EXPECT_FALSE(back->mount_setattr);

  MonitorRequest v2;
  v2.root = "/r";
  v2.id = "i";
  v2.cgroup.v2_root_override = "/sys/fs/cgroup/unified/test";
  back = RoundTrip(v2);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->cgroup.v2_root_override, v2.cgroup.v2_root_override);
  EXPECT_FALSE(back->attach);
  EXPECT_FALSE(back->console_size.has_value());
  EXPECT_TRUE(back->mount_setattr);
}

TEST(MonitorArgsTest, RefusesBadArguments) {
  auto parse = [](std::vector<std::string> args) {
    std::vector<std::string> argv = {"/bin/helper", std::string(kMonitorMode)};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> ptrs;
    for (std::string& a : argv) ptrs.push_back(a.data());
    return ParseMonitorArgv(static_cast<int>(ptrs.size()), ptrs.data()).status().code();
  };
  EXPECT_EQ(parse({"--root", "/r"}), absl::StatusCode::kInvalidArgument);  // no id
  EXPECT_EQ(parse({"--root", "/r", "--id", "i", "--cgroup-v1-root", "memory"}),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parse({"--root", "/r", "--id", "i", "--cgroup-v1-root", "=/x"}),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parse({"--root", "/r", "--id", "i", "--console-size", "70000x1"}),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parse({"--root", "/r", "--id", "i", "--bogus"}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parse({"--root", "/r", "--id", "i"}), absl::StatusCode::kOk);
  // One of --id and --await-id, never both.
  EXPECT_EQ(parse({"--root", "/r", "--id", "i", "--await-id", "____"}),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parse({"--root", "/r", "--await-id"}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parse({"--root", "/r", "--await-id", "____"}), absl::StatusCode::kOk);
}

// Runtime::Run's monitor: started before the container exists, told its id on the control socket.
class AwaitIdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
    client_.reset(pair[0]);
    monitor_.reset(pair[1]);
    MonitorRequest r;
    r.root = "/r";
    r.await_id = true;
    argv_ = MonitorArgv("/bin/helper", r);
    for (std::string& a : argv_) ptrs_.push_back(a.data());
    absl::StatusOr<MonitorRequest> parsed =
        ParseMonitorArgv(static_cast<int>(ptrs_.size()), ptrs_.data());
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    request_ = *parsed;
  }
  std::string CommandLine() const {
    std::string line;
    for (const char* p : ptrs_) line += std::string(p) + " ";
    return line;
  }
  UniqueFd client_, monitor_;
  std::vector<std::string> argv_;
  std::vector<char*> ptrs_;
  MonitorRequest request_;
};

TEST_F(AwaitIdTest, TakesTheIdAndShowsItOnTheCommandLine) {
  EXPECT_TRUE(request_.await_id);
  EXPECT_TRUE(request_.id.empty());
  const std::string id(kContainerIdLength, 'a');
  ASSERT_TRUE(SendControl(client_.get(), MakeControl(ControlType::kBegin, 0, 0, id)).ok());
  ASSERT_TRUE(AwaitContainerId(monitor_.get(), request_));
  EXPECT_EQ(request_.id, id);
  EXPECT_EQ(CommandLine(), "/bin/helper __monitor --root /r --await-id " + id + " ");
}

TEST_F(AwaitIdTest, EndsWhenTheClientGivesUp) {
  client_.reset();  // its create failed
  EXPECT_FALSE(AwaitContainerId(monitor_.get(), request_));
  EXPECT_TRUE(request_.id.empty());
}

TEST_F(AwaitIdTest, RefusesAnythingButAFullId) {
  for (const std::string& bad :
       {std::string("../../etc"), std::string(63, 'a'), std::string(kContainerIdLength, 'A')}) {
    ASSERT_TRUE(SendControl(client_.get(), MakeControl(ControlType::kBegin, 0, 0, bad)).ok());
    EXPECT_FALSE(AwaitContainerId(monitor_.get(), request_)) << bad;
    EXPECT_TRUE(request_.id.empty());
  }
  ASSERT_TRUE(SendControl(client_.get(), MakeControl(ControlType::kSignal, 15)).ok());
  EXPECT_FALSE(AwaitContainerId(monitor_.get(), request_));
}

}  // namespace
}  // namespace mydocker::process
