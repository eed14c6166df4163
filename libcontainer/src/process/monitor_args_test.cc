#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mydocker/helper.h"
#include "process/monitor.h"

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
}

}  // namespace
}  // namespace mydocker::process
