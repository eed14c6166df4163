#include "image/layer_unpacker.h"

#include <sys/stat.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "image/image_json.h"
#include "image/test_tar.h"
#include "mydocker/fs_util.h"

namespace mydocker {
namespace {

using ::mydocker::testing::TempDir;
using ::mydocker::testing::TestTar;
using ::testing::HasSubstr;

class LayerUnpackerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(MakeDirs(target_).ok()); }

  absl::StatusOr<UnpackResult> Unpack(const std::string& tar) {
    return LayerUnpacker::Unpack(tar, target_);
  }
  struct stat Lstat(const std::string& name) {
    struct stat st = {};
    EXPECT_EQ(::lstat((target_ + "/" + name).c_str(), &st), 0) << name;
    return st;
  }
  bool Exists(const std::string& name) { return PathExists(target_ + "/" + name); }

  TempDir tmp_;
  std::string target_ = tmp_ / "layer";
};

TEST_F(LayerUnpackerTest, UnpacksOrdinaryTree) {
  TestTar tar(tmp_ / "ok.tar");
  tar.Dir("./", 0755)
      .Dir("etc", 0755, 1234567)
      .File("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644)
      .File("usr/bin/tool", "#!/bin/sh\n", 0755, 1000, 1001)
      .Symlink("bin", "usr/bin")
      .Symlink("abs", "/etc/passwd")
      .HardLink("usr/bin/tool2", "usr/bin/tool")
      .Node("fifo", AE_IFIFO)
      .Dir("ro", 0555)
      .File("ro/inside", "x");
  tar.Close();
  absl::StatusOr<UnpackResult> result = Unpack(tar.path());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->size, 26 + 10 + 1);
  EXPECT_EQ(*ReadFile(target_ + "/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(Lstat("etc").st_mtime, 1234567);
  EXPECT_EQ(Lstat("etc/passwd").st_mtime, 1500000000);
  EXPECT_EQ(Lstat("usr/bin/tool").st_mode & 07777, 0755u);
  EXPECT_TRUE(S_ISDIR(Lstat("usr").st_mode));  // implicit parent
  EXPECT_TRUE(S_ISLNK(Lstat("bin").st_mode));
  EXPECT_TRUE(S_ISLNK(Lstat("abs").st_mode));  // may point anywhere: resolved in the container
  EXPECT_EQ(Lstat("usr/bin/tool2").st_ino, Lstat("usr/bin/tool").st_ino);
  EXPECT_TRUE(S_ISFIFO(Lstat("fifo").st_mode));
  EXPECT_EQ(Lstat("ro").st_mode & 07777, 0555u);  // applied after its content
  EXPECT_TRUE(Exists("ro/inside"));
  if (::geteuid() == 0) {
    EXPECT_EQ(Lstat("usr/bin/tool").st_uid, 1000u);
    EXPECT_EQ(Lstat("usr/bin/tool").st_gid, 1001u);
  }
  // The diff id is the digest of the tar stream itself.
  EXPECT_EQ(result->diff_id, Sha256Digest(*ReadFile(tar.path())));
}

TEST_F(LayerUnpackerTest, DiffIdIgnoresCompression) {
  TestTar plain(tmp_ / "plain.tar");
  TestTar gzip(tmp_ / "layer.tar.gz", /*gzip=*/true);
  for (TestTar* tar : {&plain, &gzip}) {
    tar->Dir("d").File("d/f", std::string(100000, 'x'));
    tar->Close();
  }
  absl::StatusOr<UnpackResult> a = Unpack(plain.path());
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(RemoveAll(target_).ok() && MakeDirs(target_).ok());
  absl::StatusOr<UnpackResult> b = Unpack(gzip.path());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->diff_id, b->diff_id);
  EXPECT_EQ(*ReadFile(target_ + "/d/f"), std::string(100000, 'x'));
}

TEST_F(LayerUnpackerTest, RefusesDotDot) {
  TestTar tar(tmp_ / "evil.tar");
  tar.File("../evil", "x");
  tar.Close();
  absl::Status s = Unpack(tar.path()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("refusing tar entry \"../evil\": path escapes the image"));
  EXPECT_FALSE(PathExists(tmp_ / "evil"));
}

// Longer than any path the kernel takes in one call: a layer never holds it (a chain that deep
// costs the square of its depth to walk), whether the archive or a hard link names it.
TEST_F(LayerUnpackerTest, RefusesPathsLongerThanPathMax) {
  std::string deep;
  for (int i = 0; i < 2100; ++i) deep += "d/";
  TestTar tar(tmp_ / "deep.tar");
  tar.File(deep + "f", "x");
  tar.Close();
  absl::Status s = Unpack(tar.path()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("(4201 bytes) is longer than 4095 bytes"));
  EXPECT_FALSE(Exists("d"));
  TestTar link(tmp_ / "link.tar");
  link.File("f", "x").HardLink("g", deep + "f");
  link.Close();
  EXPECT_THAT(Unpack(link.path()).status().message(), HasSubstr("is longer than 4095 bytes"));
}

TEST_F(LayerUnpackerTest, RefusesDotDotInTheMiddle) {
  TestTar tar(tmp_ / "evil.tar");
  tar.Dir("a").File("a/../../evil", "x");
  tar.Close();
  EXPECT_THAT(Unpack(tar.path()).status().message(), HasSubstr("path escapes the image"));
  EXPECT_FALSE(PathExists(tmp_ / "evil"));
}

TEST_F(LayerUnpackerTest, RefusesAbsolutePath) {
  TestTar tar(tmp_ / "abs.tar");
  tar.File(tmp_ / "abs", "x");
  tar.Close();
  absl::Status s = Unpack(tar.path()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("absolute path"));
  EXPECT_FALSE(PathExists(tmp_ / "abs"));
}

TEST_F(LayerUnpackerTest, RefusesWritingThroughPlantedSymlink) {
  std::string outside = tmp_ / "outside";
  ASSERT_TRUE(MakeDirs(outside).ok());
  TestTar tar(tmp_ / "symlink.tar");
  tar.Symlink("a", outside).File("a/file", "pwned");
  tar.Close();
  absl::Status s = Unpack(tar.path()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("\"a\" is a symlink"));
  EXPECT_FALSE(PathExists(outside + "/file"));
}

TEST_F(LayerUnpackerTest, RefusesRelativeSymlinkEscapeToo) {
  TestTar tar(tmp_ / "symlink.tar");
  tar.Symlink("up", "..").File("up/file", "pwned");
  tar.Close();
  EXPECT_FALSE(Unpack(tar.path()).ok());
  EXPECT_FALSE(PathExists(tmp_ / "file"));
}

TEST_F(LayerUnpackerTest, RefusesHardLinkOutOfTheLayer) {
  TestTar tar(tmp_ / "hard.tar");
  tar.HardLink("passwd", "../../etc/passwd");
  tar.Close();
  absl::Status s = Unpack(tar.path()).status();
  EXPECT_THAT(s.message(), HasSubstr("path escapes the image"));
  EXPECT_FALSE(Exists("passwd"));
}

TEST_F(LayerUnpackerTest, RefusesHardLinkThroughSymlink) {
  std::string outside = tmp_ / "secret";
  ASSERT_TRUE(WriteFileAtomic(outside, "secret").ok());
  TestTar tar(tmp_ / "hard.tar");
  tar.Symlink("s", outside).HardLink("h", "s");
  tar.Close();
  absl::Status s = Unpack(tar.path()).status();
  EXPECT_THAT(s.message(), HasSubstr("is not a regular file of the image"));
  EXPECT_FALSE(Exists("h"));
  struct stat st;
  ASSERT_EQ(::stat(outside.c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
}

TEST_F(LayerUnpackerTest, SkipsDeviceNodes) {
  TestTar tar(tmp_ / "dev.tar");
  tar.Dir("dev").Node("dev/sda", AE_IFBLK).Node("dev/mem", AE_IFCHR).File("ok", "1");
  tar.Close();
  ASSERT_TRUE(Unpack(tar.path()).ok());
  EXPECT_FALSE(Exists("dev/sda"));
  EXPECT_FALSE(Exists("dev/mem"));
  EXPECT_TRUE(Exists("ok"));
}

TEST_F(LayerUnpackerTest, KeepsSetuidWhenOwnerIsSet) {
  TestTar tar(tmp_ / "suid.tar");
  tar.File("su", "binary", 04755).File("sg", "binary", 02755, 0, 5);
  tar.Close();
  ASSERT_TRUE(Unpack(tar.path()).ok());
  // Unprivileged, the owner cannot be set and the bits must go.
  mode_t expect_su = ::geteuid() == 0 ? 04755 : 0755;
  mode_t expect_sg = ::geteuid() == 0 ? 02755 : 0755;
  EXPECT_EQ(Lstat("su").st_mode & 07777, expect_su);
  EXPECT_EQ(Lstat("sg").st_mode & 07777, expect_sg);
}

TEST_F(LayerUnpackerTest, LaterEntryReplacesEarlier) {
  TestTar tar(tmp_ / "replace.tar");
  tar.File("x", "old").Symlink("x", "/nowhere").File("y", "1").File("y", "22");
  tar.Close();
  ASSERT_TRUE(Unpack(tar.path()).ok());
  EXPECT_TRUE(S_ISLNK(Lstat("x").st_mode));
  EXPECT_EQ(*ReadFile(target_ + "/y"), "22");
}

TEST_F(LayerUnpackerTest, ImplicitDirectoriesIgnoreTheUmask) {
  TestTar tar(tmp_ / "implicit.tar");
  tar.File("a/b/c", "x");
  tar.Close();
  mode_t old = ::umask(077);
  absl::StatusOr<UnpackResult> result = Unpack(tar.path());
  ::umask(old);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(Lstat("a").st_mode & 07777, 0755u);
  EXPECT_EQ(Lstat("a/b").st_mode & 07777, 0755u);
}

TEST_F(LayerUnpackerTest, RejectsGarbage) {
  ASSERT_TRUE(WriteFileAtomic(tmp_ / "junk", std::string(4096, 'j')).ok());
  EXPECT_EQ(Unpack(tmp_ / "junk").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Unpack(tmp_ / "missing.tar").ok());
}

}  // namespace
}  // namespace mydocker
