#include "user_lookup.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "image/test_tar.h"
#include "mydocker/fs_util.h"

namespace mydocker {
namespace {

using ::mydocker::testing::TempDir;
using ::testing::HasSubstr;

ContainerFileReader Files(std::string passwd, std::string group) {
  return [=](const std::string& path) -> absl::StatusOr<std::string> {
    if (path == "/etc/passwd") return passwd;
    if (path == "/etc/group") return group;
    return absl::NotFoundError(path);
  };
}

TEST(ResolveUserTest, NamesAndNumbers) {
  auto read =
      Files("root:x:0:0::/root:/bin/sh\napp:x:1234:4321::/home/app:/bin/sh\n", "staff:x:50:\n");
  UserSpec user;
  ASSERT_TRUE(ResolveUser("app", read, &user).ok());
  EXPECT_EQ(user.uid, 1234u);
  EXPECT_EQ(user.gid, 4321u);
  ASSERT_TRUE(ResolveUser("app:staff", read, &user).ok());
  EXPECT_EQ(user.gid, 50u);
  std::string home;
  ASSERT_TRUE(ResolveUser("1234", read, &user, &home).ok());
  EXPECT_EQ(home, "/home/app");
  ASSERT_TRUE(ResolveUser("7:8", read, &user).ok());
  EXPECT_EQ(user.uid, 7u);
  EXPECT_EQ(user.gid, 8u);
  absl::Status missing = ResolveUser("ghost", read, &user);
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.message(), HasSubstr("unable to find user ghost"));
  EXPECT_FALSE(ResolveUser("app:nogroup", read, &user).ok());
}

TEST(ResolveUserTest, IdsAboveInt32MaxAreRefused) {
  // 4294967295 is (uid_t)-1, which setresuid(2) reads as "unchanged": the process stayed root.
  auto read = Files("big:x:4294967295:0::/:/bin/sh\nbiggid:x:5:2147483648::/:/bin/sh\n",
                    "huge:x:4294967294:\n");
  UserSpec user;
  for (const char* spec : {"4294967295", "2147483648", "0:4294967295", "big", "biggid", "0:huge"}) {
    absl::Status s = ResolveUser(spec, read, &user);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << spec;
    EXPECT_THAT(s.message(), HasSubstr("out of range (0 to 2147483647)")) << spec;
  }
  ASSERT_TRUE(ResolveUser("2147483647:2147483647", read, &user).ok());
  EXPECT_EQ(user.uid, 2147483647u);
}

class ReadFromLayersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& d : {top_ + "/etc", bottom_ + "/etc"}) ASSERT_TRUE(MakeDirs(d).ok());
    ASSERT_TRUE(WriteFileAtomic(bottom_ + "/etc/passwd", "bottom").ok());
    ASSERT_TRUE(WriteFileAtomic(bottom_ + "/etc/group", "bottom-group").ok());
  }
  TempDir tmp_;
  std::string top_ = tmp_ / "top";
  std::string bottom_ = tmp_ / "bottom";
};

TEST_F(ReadFromLayersTest, TopmostWinsAndWhiteoutsHide) {
  EXPECT_EQ(*ReadFromLayers({top_, bottom_}, "/etc/passwd"), "bottom");
  ASSERT_TRUE(WriteFileAtomic(top_ + "/etc/passwd", "top").ok());
  EXPECT_EQ(*ReadFromLayers({top_, bottom_}, "/etc/passwd"), "top");
  if (::geteuid() != 0) GTEST_SKIP() << "whiteouts and opaque dirs need root";
  ASSERT_EQ(::mknod((top_ + "/etc/group").c_str(), S_IFCHR, makedev(0, 0)), 0);
  EXPECT_TRUE(absl::IsNotFound(ReadFromLayers({top_, bottom_}, "/etc/group").status()));
  ASSERT_EQ(::unlink((top_ + "/etc/group").c_str()), 0);
  ASSERT_EQ(::setxattr((top_ + "/etc").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  EXPECT_TRUE(absl::IsNotFound(ReadFromLayers({top_, bottom_}, "/etc/group").status()));
}

TEST_F(ReadFromLayersTest, SymlinksStayInsideTheLayer) {
  ASSERT_EQ(::symlink("/../../../../etc/hostname", (top_ + "/etc/passwd").c_str()), 0);
  // Resolved inside the top layer, where etc/hostname does not exist: not the host's file.
  EXPECT_EQ(*ReadFromLayers({top_, bottom_}, "/etc/passwd"), "bottom");
}

}  // namespace
}  // namespace mydocker
