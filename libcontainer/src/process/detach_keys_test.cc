#include "process/detach_keys.h"

#include "gtest/gtest.h"

namespace mydocker::process {
namespace {

TEST(ParseDetachKeysTest, DockerFormat) {
  EXPECT_EQ(*ParseDetachKeys(""), "\x10\x11");
  EXPECT_EQ(*ParseDetachKeys("ctrl-a,x"), "\x01x");
  EXPECT_EQ(*ParseDetachKeys("ctrl-@"), std::string(1, '\0'));
  EXPECT_EQ(*ParseDetachKeys("ctrl-\\,ctrl-_,ctrl-["), "\x1c\x1f\x1b");
  EXPECT_EQ(*ParseDetachKeys("CTRL-Z"), "\x1a");
  for (const char* bad : {"ctrl-1", "ctrl-", "ab", ",", "ctrl-p,", "alt-x"}) {
    auto keys = ParseDetachKeys(bad);
    EXPECT_FALSE(keys.ok()) << bad;
    EXPECT_EQ(keys.status().message(), std::string("Invalid detach keys (") + bad + ") provided");
  }
}

TEST(DetachScannerTest, PassesOtherInputAndDetachesOnTheSequence) {
  DetachScanner scanner("\x10\x11");
  bool detached = true;
  EXPECT_EQ(scanner.Feed("ls\n", &detached), "ls\n");
  EXPECT_FALSE(detached);
  EXPECT_EQ(scanner.Feed("a\x10", &detached), "a");  // held: may begin the sequence
  EXPECT_FALSE(detached);
  EXPECT_EQ(scanner.Feed("b", &detached),
            "\x10"
            "b");  // broken: released in order
  EXPECT_EQ(scanner.Feed("x\x10\x10", &detached), "x\x10");
  EXPECT_EQ(scanner.Feed("\x11rest", &detached), "");
  EXPECT_TRUE(detached);
  EXPECT_EQ(scanner.Feed("\x11", &detached), "\x11");  // starts over after a detach
  EXPECT_FALSE(detached);
}

TEST(DetachScannerTest, NoKeysPassesEverything) {
  DetachScanner scanner;
  bool detached = true;
  EXPECT_EQ(scanner.Feed("\x10\x11", &detached), "\x10\x11");
  EXPECT_FALSE(detached);
}

}  // namespace
}  // namespace mydocker::process
