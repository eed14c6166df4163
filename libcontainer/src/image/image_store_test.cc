#include "mydocker/image_store.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "image/test_tar.h"
#include "mydocker/fs_util.h"

namespace mydocker {
namespace {

using ::mydocker::testing::TempDir;
using ::mydocker::testing::TestTar;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

bool NotUsed(const std::string&) { return false; }
bool Used(const std::string&) { return true; }

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestTar tar(rootfs_);
    tar.Dir("bin").File("bin/sh", "#!shell", 0755).File("etc/hostname", "box\n");
    tar.Close();
    TestTar other(other_);
    other.File("other", "123");
    other.Close();
    auto store = ImageStore::Open(root_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  Image MustImport(const std::string& tar, const std::string& ref) {
    absl::StatusOr<Image> image = store_->Import(tar, ref);
    EXPECT_TRUE(image.ok()) << image.status();
    return image.value_or(Image{});
  }
  std::vector<std::string> Entries(const std::string& dir) {
    auto names = ListDir(root_ + "/" + dir);
    EXPECT_TRUE(names.ok()) << names.status();
    std::vector<std::string> out = names.value_or(std::vector<std::string>{});
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir tmp_;
  std::string root_ = tmp_ / "root";
  std::string rootfs_ = tmp_ / "rootfs.tar";
  std::string other_ = tmp_ / "other.tar";
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageStoreTest, ImportCreatesLayerRecordAndTag) {
  Image image = MustImport(rootfs_, "busybox");
  ASSERT_EQ(image.id.size(), 71u);
  EXPECT_TRUE(absl::StartsWith(image.id, "sha256:"));
  EXPECT_THAT(image.tags, ElementsAre("busybox:latest"));
  ASSERT_EQ(image.layers.size(), 1u);
  EXPECT_EQ(image.size, 7 + 4);
  EXPECT_THAT(image.config.env, ElementsAre(HasSubstr("PATH=/usr/local/sbin:")));
  std::vector<std::string> dirs = store_->LayerDirs(image);
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_EQ(dirs[0], absl::StrCat(root_, "/layers/sha256/", image.layers[0].substr(7), "/diff"));
  EXPECT_EQ(*ReadFile(dirs[0] + "/bin/sh"), "#!shell");
  EXPECT_TRUE(PathExists(absl::StrCat(root_, "/images/", image.id.substr(7), ".json")));
  EXPECT_THAT(Entries("layers"), ElementsAre("sha256"));  // no temporary left

  auto listed = store_->List();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, image.id);
  EXPECT_EQ((*listed)[0].layers, image.layers);
  EXPECT_EQ((*listed)[0].size, image.size);
  EXPECT_THAT((*listed)[0].tags, ElementsAre("busybox:latest"));
  EXPECT_LT(absl::AbsDuration((*listed)[0].created - absl::Now()), absl::Minutes(1));
}

TEST_F(ImageStoreTest, FailedImportLeavesNothing) {
  TestTar evil(tmp_ / "evil.tar");
  evil.File("fine", "1").Symlink("a", tmp_.path()).File("a/escaped", "x");
  evil.Close();
  absl::Status s = store_->Import(evil.path(), "evil").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(PathExists(tmp_ / "escaped"));
  EXPECT_FALSE(store_->Import(tmp_ / "missing.tar", "missing").ok());
  EXPECT_EQ(store_->Import(rootfs_, "Bad Name").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Entries("layers"), ElementsAre("sha256"));
  EXPECT_THAT(Entries("layers/sha256"), ElementsAre());
  EXPECT_THAT(Entries("images"), ElementsAre(".lock"));
  EXPECT_EQ(store_->Resolve("evil").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ImageStoreTest, ImportTwiceSharesTheLayer) {
  Image a = MustImport(rootfs_, "one");
  Image b = MustImport(rootfs_, "two:v1");
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(a.layers, b.layers);
  EXPECT_THAT(Entries("layers/sha256"), ElementsAre(a.layers[0].substr(7)));
  EXPECT_THAT(Entries("layers"), ElementsAre("sha256"));
  // Removing one keeps the layer the other needs.
  ASSERT_TRUE(store_->Remove("one", false, NotUsed).ok());
  EXPECT_TRUE(PathExists(store_->LayerDirs(b)[0] + "/bin/sh"));
  ASSERT_TRUE(store_->Remove("two:v1", false, NotUsed).ok());
  EXPECT_THAT(Entries("layers/sha256"), ElementsAre());
  EXPECT_THAT(Entries("layers"), ElementsAre("sha256"));
}

TEST_F(ImageStoreTest, RetaggingLeavesTheOldImageDangling) {
  Image old_image = MustImport(rootfs_, "app:1");
  Image new_image = MustImport(other_, "app:1");
  auto old_again = store_->Resolve(old_image.id);
  ASSERT_TRUE(old_again.ok()) << old_again.status();
  EXPECT_TRUE(old_again->tags.empty());
  EXPECT_EQ(store_->Resolve("app:1")->id, new_image.id);
}

TEST_F(ImageStoreTest, ResolvesByNameIdAndPrefix) {
  Image image = MustImport(rootfs_, "registry.example.com:5000/team/app:v2");
  std::string hex = image.id.substr(7);
  for (const std::string& ref :
       {std::string("registry.example.com:5000/team/app:v2"), image.id, hex, hex.substr(0, 12),
        hex.substr(0, 1), "sha256:" + hex.substr(0, 5)}) {
    auto found = store_->Resolve(ref);
    ASSERT_TRUE(found.ok()) << ref << ": " << found.status();
    EXPECT_EQ(found->id, image.id) << ref;
  }
  absl::Status missing = store_->Resolve("registry.example.com:5000/team/app").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "no such image: registry.example.com:5000/team/app");
  EXPECT_EQ(store_->Resolve("sha256:xyz").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ImageStoreTest, ResolvingATagReadsOnlyItsImage) {
  Image app = MustImport(rootfs_, "app:1");
  ASSERT_TRUE(store_->Tag("app:1", "app:2").ok());  // a second tag of the same image
  Image other = MustImport(other_, "other");
  // Another image's record unreadable: a tag of this one still resolves, with all its tags, as
  // it did through the whole catalog; what needs every record still reports the damage.
  ASSERT_TRUE(WriteFileAtomic(root_ + "/images/" + other.id.substr(7) + ".json", "{", 0600).ok());
  absl::StatusOr<Image> found = store_->Resolve("app:2");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, app.id);
  EXPECT_THAT(found->tags, ElementsAre("app:1", "app:2"));
  EXPECT_FALSE(store_->Resolve(app.id.substr(7, 12)).ok());
  EXPECT_FALSE(store_->List().ok());
}

TEST_F(ImageStoreTest, NameWinsOverIdPrefixAndAmbiguousPrefixIsAnError) {
  // Import until two ids share their first hex digit (at most 17 by pigeonhole).
  std::map<char, std::string> by_first;
  char shared = 0;
  for (int i = 0; i < 17 && shared == 0; ++i) {
    Image image = MustImport(other_, absl::StrCat("img", i));
    char first = image.id[7];
    if (by_first.count(first) != 0) shared = first;
    by_first[first] = image.id;
  }
  ASSERT_NE(shared, 0);
  absl::Status s = store_->Resolve(std::string(1, shared)).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("ambiguous"));
  // A tag that looks like an id prefix is still found as a tag.
  Image named = MustImport(rootfs_, std::string(1, shared));
  EXPECT_EQ(store_->Resolve(std::string(1, shared))->id, named.id);
}

TEST_F(ImageStoreTest, RemoveUntagsFirstThenDeletes) {
  Image a = MustImport(rootfs_, "a");
  // A second tag for the same image: write it the way the store would.
  std::string repos = *ReadFile(root_ + "/images/repositories.json");
  ASSERT_TRUE(WriteFileAtomic(
                  root_ + "/images/repositories.json",
                  absl::StrCat(repos.substr(0, repos.size() - 1), ",\"b:latest\":\"", a.id, "\"}"))
                  .ok());
  EXPECT_THAT(store_->Resolve(a.id)->tags, UnorderedElementsAre("a:latest", "b:latest"));
  // By id with several tags: refused unless forced.
  EXPECT_EQ(store_->Remove(a.id, false, NotUsed).code(), absl::StatusCode::kFailedPrecondition);
  // By tag while another tag remains: only untags, even in use.
  ASSERT_TRUE(store_->Remove("a", false, Used).ok());
  EXPECT_THAT(store_->Resolve(a.id)->tags, ElementsAre("b:latest"));
  ASSERT_TRUE(store_->Remove("b:latest", false, NotUsed).ok());
  EXPECT_EQ(store_->Resolve(a.id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Entries("images"), ElementsAre(".lock", "repositories.json"));
  EXPECT_THAT(Entries("layers/sha256"), ElementsAre());
  EXPECT_EQ(store_->Remove("a", false, NotUsed).code(), absl::StatusCode::kNotFound);
}

TEST_F(ImageStoreTest, RemoveInUse) {
  Image image = MustImport(rootfs_, "busy");
  std::string asked;
  absl::Status s = store_->Remove("busy", false, [&](const std::string& id) {
    asked = id;
    return true;
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("in use"));
  EXPECT_EQ(asked, image.id);
  EXPECT_THAT(store_->Resolve("busy")->tags, ElementsAre("busy:latest"));
  // Forced: untagged, but the layers stay for the container.
  ASSERT_TRUE(store_->Remove("busy", true, Used).ok());
  auto kept = store_->Resolve(image.id);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_TRUE(kept->tags.empty());
  EXPECT_TRUE(PathExists(store_->LayerDirs(image)[0] + "/bin/sh"));
  // Once unused, removing it by id deletes it.
  ASSERT_TRUE(store_->Remove(image.id.substr(7, 6), false, NotUsed).ok());
  EXPECT_EQ(store_->Resolve(image.id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(PathExists(store_->LayerDirs(image)[0]));
}

TEST_F(ImageStoreTest, StaleTemporaryLayersAreSwept) {
  ASSERT_TRUE(MakeDirs(root_ + "/layers/tmp-crashed/diff").ok());
  MustImport(rootfs_, "x");
  EXPECT_THAT(Entries("layers"), ElementsAre("sha256"));
}

TEST_F(ImageStoreTest, UnremovableTemporaryLayerDoesNotBlockImports) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount";
  std::string stuck = root_ + "/layers/tmp-stuck/diff/mnt";
  ASSERT_TRUE(MakeDirs(stuck).ok());
  // A mount point cannot be removed (EBUSY), so the sweep cannot clear this leftover.
  ASSERT_EQ(::mount("tmpfs", stuck.c_str(), "tmpfs", 0, "size=64k"), 0) << ::strerror(errno);
  absl::StatusOr<Image> image = store_->Import(rootfs_, "x");
  absl::StatusOr<Image> again = store_->Import(other_, "y");
  EXPECT_TRUE(PathExists(stuck));
  ASSERT_EQ(::umount2(stuck.c_str(), MNT_DETACH), 0) << ::strerror(errno);
  EXPECT_TRUE(image.ok()) << image.status();
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST_F(ImageStoreTest, LayersAreNotReachableByOtherUsers) {
  mode_t old = ::umask(077);
  Image image = MustImport(rootfs_, "x");
  ::umask(old);
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/layers/sha256/" + image.layers[0].substr(7)).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
  // The image root inside is a normal 0755 "/" for the container, whatever the umask.
  ASSERT_EQ(::stat(store_->LayerDirs(image)[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(ImageStoreTest, OpenRejectsRelativeRoot) {
  EXPECT_EQ(ImageStore::Open("relative").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseImageReferenceTest, Valid) {
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(*ParseImageReference("busybox"), P("busybox", "latest"));
  EXPECT_EQ(*ParseImageReference("busybox:1.36"), P("busybox", "1.36"));
  EXPECT_EQ(*ParseImageReference("library/busy_box__x-y.z"),
            P("library/busy_box__x-y.z", "latest"));
  EXPECT_EQ(*ParseImageReference("a--b:_T.-9"), P("a--b", "_T.-9"));
  EXPECT_EQ(*ParseImageReference("localhost:5000/app:v1"), P("localhost:5000/app", "v1"));
  EXPECT_EQ(*ParseImageReference("Registry.Example.com/app"),
            P("Registry.Example.com/app", "latest"));
  EXPECT_EQ(*ParseImageReference("localhost/app"), P("localhost/app", "latest"));
  EXPECT_EQ(*ParseImageReference("x:" + std::string(128, 't')), P("x", std::string(128, 't')));
}

TEST(ParseImageReferenceTest, Invalid) {
  for (const std::string& ref : {std::string(""),
                                 std::string("Busybox"),
                                 std::string("busy box"),
                                 std::string("busybox:"),
                                 std::string(":tag"),
                                 std::string("-busybox"),
                                 std::string("busybox-"),
                                 std::string("a..b"),
                                 std::string("a___b"),
                                 std::string("a/"),
                                 std::string("/a"),
                                 std::string("a//b"),
                                 std::string("busybox:.tag"),
                                 std::string("busybox:-tag"),
                                 std::string("busybox:t@g"),
                                 std::string("busybox@sha256:abc"),
                                 std::string("bad_host.com/app"),
                                 std::string("host:port/app"),
                                 std::string("x:" + std::string(129, 't')),
                                 std::string(256, 'a'),
                                 std::string("a\nb"),
                                 std::string("a\0b", 3)}) {
    auto parsed = ParseImageReference(ref);
    ASSERT_FALSE(parsed.ok()) << ref;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << ref;
    EXPECT_FALSE(absl::StrContains(parsed.status().message(), "\n")) << ref;
  }
  EXPECT_EQ(ParseImageReference("Busybox").status().message(),
            "invalid image reference \"Busybox\": repository name must be lowercase");
}

}  // namespace
}  // namespace mydocker
