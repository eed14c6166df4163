#include "ps_output.h"

#include "gtest/gtest.h"

namespace mydocker::cli {
namespace {

using Rows = std::vector<std::vector<std::string>>;

TEST(PsOutputTest, KeepsTheContainersLinesAndTheCommandsSpaces) {
  const char kPs[] =
      "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root           1       0  0 10:00 ?        00:00:01 /sbin/init splash\n"
      "root        4242    4200  0 10:01 ?        00:00:00 sh -c sleep  300\n"
      "nobody      4243    4242  0 10:01 ?        00:00:00 sleep 300\n";
  auto rows = FilterPsOutput(kPs, {4242, 4243, 99});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"},
                         {"root", "4242", "4200", "0", "10:01", "?", "00:00:00", "sh -c sleep 300"},
                         {"nobody", "4243", "4242", "0", "10:01", "?", "00:00:00", "sleep 300"}}));
  // `-o pid,comm`: the PID column need not come first.
  rows = FilterPsOutput("COMMAND PID\nsleep 4243\ninit 1\n", {4243});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"COMMAND", "PID"}, {"sleep", "4243"}}));
}

TEST(PsOutputTest, RefusesWhatCannotBeFiltered) {
  EXPECT_EQ(FilterPsOutput("USER COMMAND\nroot init\n", {1}).status().message(),
            "couldn't find PID field in ps output");
  EXPECT_FALSE(FilterPsOutput("PID CMD\nabc x\n", {1}).ok());
  EXPECT_TRUE(CheckPsArgs({"-o", "pid=PID,comm"}).ok());
  EXPECT_TRUE(CheckPsArgs({"aux"}).ok());
  EXPECT_EQ(CheckPsArgs({"-o", "user=PID"}).message(), "specifying \"user=PID\" is not allowed");
  EXPECT_FALSE(CheckPsArgs({"-o pid,user=PIDX"}).ok());
}

}  // namespace
}  // namespace mydocker::cli
