// Whiteouts both ways: LayerUnpacker turns ".wh." entries into overlayfs form, LayerPacker turns
// overlayfs form back into ".wh." entries. Needs root (character devices, trusted.* xattrs).
#include "image/layer_packer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "image/layer_unpacker.h"
#include "image/test_tar.h"
#include "mydocker/fs_util.h"
#include "mydocker/unique_fd.h"

namespace mydocker {
namespace {

using ::mydocker::testing::TempDir;
using ::mydocker::testing::TestTar;
using ::testing::ElementsAre;
using ::testing::Pair;

bool IsWhiteout(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

bool IsOpaque(const std::string& path) {
  char value[2] = {};
  return ::lgetxattr(path.c_str(), "trusted.overlay.opaque", value, sizeof value) == 1 &&
         value[0] == 'y';
}

// Entry name -> "file", "dir", "link:<target>", "hard:<target>" of a tar.
std::map<std::string, std::string> Entries(const std::string& path) {
  std::map<std::string, std::string> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 10240), ARCHIVE_OK);
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string kind = archive_entry_filetype(e) == AE_IFDIR ? "dir" : "file";
    if (archive_entry_hardlink(e) != nullptr) {
      kind = std::string("hard:") + archive_entry_hardlink(e);
    } else if (archive_entry_filetype(e) == AE_IFLNK) {
      kind = std::string("link:") + archive_entry_symlink(e);
    }
    out[archive_entry_pathname(e)] = kind;
  }
  archive_read_free(a);
  return out;
}

class WhiteoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for whiteout devices and trusted xattrs";
    ASSERT_TRUE(MakeDirs(layer_).ok());
  }
  std::string PackTo(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    absl::Status packed = LayerPacker::Pack(layer_, fd.get());
    EXPECT_TRUE(packed.ok()) << packed;
    return path;
  }

  TempDir tmp_;
  std::string layer_ = tmp_ / "layer";
};

TEST_F(WhiteoutTest, UnpackerMakesOverlayWhiteoutsAndOpaqueDirs) {
  TestTar tar(tmp_ / "l.tar");
  tar.File("data/.wh.gone", "").Dir("opq").File("opq/.wh..wh..opq", "").File("opq/kept", "k");
  tar.File(".wh..wh.plnk", "");
  tar.Close();
  auto result = LayerUnpacker::Unpack(tar.path(), layer_);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(IsWhiteout(layer_ + "/data/gone"));
  EXPECT_FALSE(PathExists(layer_ + "/data/.wh.gone"));
  EXPECT_TRUE(IsOpaque(layer_ + "/opq"));
  EXPECT_FALSE(PathExists(layer_ + "/opq/.wh..wh..opq"));
  EXPECT_TRUE(PathExists(layer_ + "/opq/kept"));
  EXPECT_FALSE(PathExists(layer_ + "/.wh..wh.plnk"));
}

TEST_F(WhiteoutTest, WithoutConversionWhiteoutsAreFiles) {
  TestTar tar(tmp_ / "l.tar");
  tar.File(".wh.x", "");
  tar.Close();
  ASSERT_TRUE(LayerUnpacker::Unpack(tar.path(), layer_, {false, std::nullopt}).ok());
  EXPECT_TRUE(PathExists(layer_ + "/.wh.x"));
  EXPECT_FALSE(PathExists(layer_ + "/x"));
}

TEST_F(WhiteoutTest, BadWhiteoutNamesAreRefused) {
  TestTar tar(tmp_ / "l.tar");
  tar.File("a/.wh...", "");
  tar.Close();
  auto result = LayerUnpacker::Unpack(tar.path(), layer_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(WhiteoutTest, PackerWritesWhiteoutsAndRoundTrips) {
  ASSERT_TRUE(MakeDirs(layer_ + "/dir/sub").ok());
  ASSERT_TRUE(WriteFileAtomic(layer_ + "/dir/file", "content").ok());
  ASSERT_EQ(::link((layer_ + "/dir/file").c_str(), (layer_ + "/dir/hard").c_str()), 0);
  ASSERT_EQ(::symlink("/etc/passwd", (layer_ + "/abs").c_str()), 0);
  ASSERT_EQ(::mknod((layer_ + "/dir/deleted").c_str(), S_IFCHR, makedev(0, 0)), 0);
  ASSERT_EQ(::setxattr((layer_ + "/dir/sub").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  std::string out = PackTo(tmp_ / "out.tar");
  EXPECT_THAT(Entries(out), ElementsAre(Pair("abs", "link:/etc/passwd"), Pair("dir/", "dir"),
                                        Pair("dir/.wh.deleted", "file"), Pair("dir/file", "file"),
                                        Pair("dir/hard", "hard:dir/file"), Pair("dir/sub/", "dir"),
                                        Pair("dir/sub/.wh..wh..opq", "file")));
  std::string again = tmp_ / "again";
  ASSERT_TRUE(MakeDirs(again).ok());
  auto result = LayerUnpacker::Unpack(out, again);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(IsWhiteout(again + "/dir/deleted"));
  EXPECT_TRUE(IsOpaque(again + "/dir/sub"));
  EXPECT_EQ(*ReadFile(again + "/dir/hard"), "content");
  // The same tree packs to the same stream, so a layer's digest is stable.
  EXPECT_EQ(*ReadFile(out), *ReadFile(PackTo(tmp_ / "out2.tar")));
}

// Runs `fn` on a thread with a 128 KiB stack: a walk whose stack grew with the depth of the tree
// would overflow it (and crash the test) long before 1,000 levels.
void OnSmallStack(std::function<void()> fn) {
  pthread_attr_t attr;
  ASSERT_EQ(::pthread_attr_init(&attr), 0);
  ASSERT_EQ(::pthread_attr_setstacksize(&attr, 128 * 1024), 0);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    (*static_cast<std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(::pthread_create(&thread, &attr, run, &fn), 0);
  ::pthread_join(thread, nullptr);
  ::pthread_attr_destroy(&attr);
}

// Nests `depth` directories "d" below `top`, with an empty file "f" in the deepest.
void MakeChain(const std::string& top, int depth) {
  UniqueFd fd(::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (int i = 0; i < depth && fd; ++i) {
    ASSERT_EQ(::mkdirat(fd.get(), "d", 0755), 0);
    fd.reset(::openat(fd.get(), "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  ASSERT_TRUE(fd);
  UniqueFd f(::openat(fd.get(), "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  ASSERT_TRUE(f);
}

absl::Status PackOnSmallStack(const std::string& dir, const std::string& out) {
  absl::Status packed;
  OnSmallStack([&] {
    UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    packed = LayerPacker::Pack(dir, fd.get());
  });
  return packed;
}

class DeepTreeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(MakeDirs(layer_).ok()); }
  // In memory where there is a tmpfs: 100,000 directories on a journalled disk are slow.
  TempDir tmp_{PathExists("/dev/shm") ? "/dev/shm" : "/tmp"};
  std::string layer_ = tmp_ / "layer";
};

// A container can nest directories far beyond PATH_MAX: commit refuses the tree in one clear
// error (its tar would hold a path of 200 KB per level), without overflowing its stack; the
// TempDir's removal then walks all 100,000 levels.
TEST_F(DeepTreeTest, HundredThousandLevelsAreRefusedWithoutRecursion) {
  MakeChain(layer_, 100000);
  absl::Status packed = PackOnSmallStack(layer_, tmp_ / "out.tar");
  EXPECT_EQ(packed.code(), absl::StatusCode::kInvalidArgument) << packed;
  EXPECT_THAT(packed.message(), ::testing::HasSubstr("is longer than 4095 bytes"));
}

// Up to the limit, a deep tree packs and unpacks (also without recursion) as it was.
TEST_F(DeepTreeTest, AThousandLevelsRoundTrip) {
  MakeChain(layer_, 1000);
  std::string out = tmp_ / "out.tar";
  absl::Status packed = PackOnSmallStack(layer_, out);
  ASSERT_TRUE(packed.ok()) << packed;
  std::string again = tmp_ / "again";
  ASSERT_TRUE(MakeDirs(again).ok());
  absl::StatusOr<UnpackResult> unpacked;
  OnSmallStack([&] { unpacked = LayerUnpacker::Unpack(out, again, {true, std::nullopt}); });
  ASSERT_TRUE(unpacked.ok()) << unpacked.status();
  std::string deepest;
  for (int i = 0; i < 1000; ++i) deepest += "d/";
  // Relative to the top: the host path of the file is longer than PATH_MAX.
  UniqueFd top(::open(again.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat st;
  EXPECT_EQ(::fstatat(top.get(), (deepest + "f").c_str(), &st, AT_SYMLINK_NOFOLLOW), 0);
}

// 100,000 entries in one directory: one frame, in name order.
TEST_F(DeepTreeTest, HundredThousandEntriesInOneDirectory) {
  UniqueFd dir(::open(layer_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (int i = 0; i < 100000; ++i) {
    UniqueFd f(::openat(dir.get(), absl::StrCat("f", i).c_str(), O_WRONLY | O_CREAT, 0644));
    ASSERT_TRUE(f);
  }
  std::string out = tmp_ / "out.tar";
  absl::Status packed = PackOnSmallStack(layer_, out);
  ASSERT_TRUE(packed.ok()) << packed;
  std::map<std::string, std::string> entries = Entries(out);
  EXPECT_EQ(entries.size(), 100000u);
  EXPECT_EQ(entries.begin()->first, "f0");
}

}  // namespace
}  // namespace mydocker
