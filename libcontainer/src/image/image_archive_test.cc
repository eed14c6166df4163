// ImageStore::Load, Save and Commit over OCI layouts built here.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "image/archive_json.h"
#include "image/image_json.h"
#include "image/test_tar.h"
#include "mydocker/fs_util.h"
#include "mydocker/image_store.h"
#include "mydocker/unique_fd.h"

namespace mydocker {
namespace {

using ::mydocker::testing::TempDir;
using ::mydocker::testing::TestTar;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ImageArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = ImageStore::Open(tmp_ / "root");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    ASSERT_TRUE(MakeDirs(layout_ + "/blobs/sha256").ok());
  }

  // Writes `data` as a blob of the layout; returns its descriptor.
  Descriptor Blob(const std::string& media_type, const std::string& data) {
    std::string digest = Sha256Digest(data);
    EXPECT_TRUE(WriteFileAtomic(layout_ + "/blobs/sha256/" + digest.substr(7), data).ok());
    return {media_type, digest, static_cast<int64_t>(data.size()), {}, "", "", ""};
  }

  std::string LayerBytes(const std::string& name, bool second) {
    TestTar tar(tmp_ / name);
    if (second) {
      tar.File("etc/.wh.motd", "").File("etc/added", "2");
    } else {
      tar.File("etc/motd", "hi").File("bin/sh", "#!", 0755);
    }
    tar.Close();
    return *ReadFile(tar.path());
  }

  // A two-layer image "test/app:v1" with Env and Cmd; returns the config bytes.
  std::string WriteLayout() {
    std::string l1 = LayerBytes("l1.tar", false), l2 = LayerBytes("l2.tar", true);
    std::string config = absl::StrCat(
        R"({"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"Cmd":["sh"]},)",
        R"("rootfs":{"type":"layers","diff_ids":[")", Sha256Digest(l1), R"(",")", Sha256Digest(l2),
        R"("]}})");
    OciManifest manifest{Blob(kOciConfigType, config),
                         {Blob(kOciLayerType, l1), Blob(kOciLayerType, l2)}};
    Descriptor m = Blob(kOciManifestType, SerializeOciManifest(manifest));
    m.annotations[kRefNameAnnotation] = "test/app:v1";
    EXPECT_TRUE(WriteFileAtomic(layout_ + "/index.json", SerializeOciIndex({m})).ok());
    return config;
  }

  TempDir tmp_;
  std::string layout_ = tmp_ / "layout";
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageArchiveTest, LoadsAnOciLayoutDirectory) {
  std::string config = WriteLayout();
  auto images = store_->Load(layout_);
  ASSERT_TRUE(images.ok()) << images.status();
  ASSERT_EQ(images->size(), 1u);
  const Image& image = (*images)[0];
  EXPECT_EQ(image.id, Sha256Digest(config));
  EXPECT_THAT(image.tags, ElementsAre("test/app:v1"));
  EXPECT_THAT(image.config.env, ElementsAre("A=1"));
  EXPECT_EQ(image.created, absl::UnixEpoch());  // no "created": optional in OCI
  std::vector<std::string> dirs = store_->LayerDirs(image);
  ASSERT_EQ(dirs.size(), 2u);
  EXPECT_TRUE(PathExists(dirs[0] + "/etc/added"));
  EXPECT_FALSE(PathExists(dirs[0] + "/etc/.wh.motd"));
  EXPECT_EQ(*store_->ConfigJson(image), config);
}

TEST_F(ImageArchiveTest, TamperedBlobStoresNothing) {
  WriteLayout();
  std::string l2 = tmp_ / "l2.tar";
  std::string blob = layout_ + "/blobs/sha256/" + Sha256Digest(*ReadFile(l2)).substr(7);
  std::string data = *ReadFile(blob);
  data[600] ^= 1;
  ASSERT_TRUE(WriteFileAtomic(blob, data).ok());
  auto images = store_->Load(layout_);
  ASSERT_FALSE(images.ok());
  EXPECT_EQ(images.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(images.status().message(), HasSubstr("does not match its digest"));
  EXPECT_TRUE(store_->List()->empty());
  EXPECT_TRUE(ListDir(tmp_ / "root/layers/sha256")->empty());
  EXPECT_THAT(*ListDir(tmp_ / "root/layers"), ElementsAre("sha256"));
}

TEST_F(ImageArchiveTest, SaveThenLoadGivesTheSameImage) {
  std::string config = WriteLayout();
  ASSERT_TRUE(store_->Load(layout_).ok());
  std::string archive = tmp_ / "saved.tar";
  {
    UniqueFd fd(::open(archive.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    absl::Status saved = store_->Save({"test/app:v1"}, fd.get());
    ASSERT_TRUE(saved.ok()) << saved;
  }
  auto other = ImageStore::Open(tmp_ / "other");
  ASSERT_TRUE(other.ok());
  auto images = (*other)->Load(archive);
  ASSERT_TRUE(images.ok()) << images.status();
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ((*images)[0].id, Sha256Digest(config));
  EXPECT_THAT((*images)[0].tags, ElementsAre("test/app:v1"));
}

TEST_F(ImageArchiveTest, CommitAddsALayerFromAnUpperDirectory) {
  WriteLayout();
  auto loaded = store_->Load(layout_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  std::string upper = tmp_ / "upper";
  ASSERT_TRUE(MakeDirs(upper + "/etc").ok());
  ASSERT_TRUE(WriteFileAtomic(upper + "/etc/new", "n").ok());
  auto image = store_->Commit((*loaded)[0], upper, "test/app:v2", "a message");
  ASSERT_TRUE(image.ok()) << image.status();
  EXPECT_EQ(image->layers.size(), 3u);
  EXPECT_THAT(image->tags, ElementsAre("test/app:v2"));
  EXPECT_THAT(image->config.env, ElementsAre("A=1"));
  ASSERT_FALSE(image->history.empty());
  EXPECT_EQ(image->history.back().comment, "a message");
  EXPECT_EQ(image->history.back().created_by, "mydocker commit");
  EXPECT_TRUE(PathExists(store_->LayerDirs(*image)[0] + "/etc/new"));
  auto history = store_->History(*image);
  EXPECT_EQ(history.front().comment, "a message");
  EXPECT_EQ(history.front().size, 1);
  // Removing the new image keeps the layers the loaded one still uses.
  ASSERT_TRUE(store_->Remove("test/app:v2", false, nullptr).ok());
  EXPECT_EQ(ListDir(tmp_ / "root/layers/sha256")->size(), 2u);
}

}  // namespace
}  // namespace mydocker
