#include "image/layer_sources.h"

#include <string>

#include "gtest/gtest.h"
#include "image/test_tar.h"
#include "mydocker/fs_util.h"

namespace mydocker::layer_sources {
namespace {

using ::mydocker::testing::TempDir;

const std::string kDiff = "sha256:" + std::string(64, 'd');
const std::string kBlobA = "sha256:" + std::string(64, 'a');
const std::string kBlobB = "sha256:" + std::string(64, 'b');
constexpr char kGzip[] = "application/vnd.docker.image.rootfs.diff.tar.gzip";

TEST(LayerSourcesTest, RecordedNewestFirstWithoutDuplicates) {
  TempDir tmp;
  EXPECT_TRUE(Load(tmp.path(), kDiff).empty());
  ASSERT_TRUE(Add(tmp.path(), kDiff, {kBlobA, kGzip, 100, "127.0.0.1:5000", "app"}).ok());
  ASSERT_TRUE(Add(tmp.path(), kDiff, {kBlobB, kGzip, 90, "127.0.0.1:5000", "other"}).ok());
  ASSERT_TRUE(Add(tmp.path(), kDiff, {kBlobA, kGzip, 100, "127.0.0.1:5000", "app"}).ok());
  std::vector<LayerSource> got = Load(tmp.path(), kDiff);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].digest, kBlobA);
  EXPECT_EQ(got[0].repository, "app");
  EXPECT_EQ(got[0].size, 100);
  EXPECT_EQ(got[1].digest, kBlobB);
  EXPECT_EQ(got[1].media_type, kGzip);
  EXPECT_TRUE(Load(tmp.path(), "sha256:" + std::string(64, 'e')).empty());
}

TEST(LayerSourcesTest, DamagedOrHostileRecordsAreIgnored) {
  TempDir tmp;
  std::string dir = tmp / "distribution/v2metadata-by-diffid";
  ASSERT_TRUE(MakeDirs(dir).ok());
  std::string path = dir + "/" + std::string(64, 'd') + ".json";
  ASSERT_TRUE(WriteFileAtomic(path, "{not json").ok());
  EXPECT_TRUE(Load(tmp.path(), kDiff).empty());
  ASSERT_TRUE(WriteFileAtomic(path, R"({"sources":[{"digest":"md5:x","size":1,"domain":"h",)"
                                    R"("repository":"r"},{"digest":")" +
                                        kBlobA + R"(","size":-5,"domain":"h","repository":"r"}]})")
                  .ok());
  EXPECT_TRUE(Load(tmp.path(), kDiff).empty());
  // A damaged record is replaced by the next Add.
  ASSERT_TRUE(Add(tmp.path(), kDiff, {kBlobA, kGzip, 1, "h", "r"}).ok());
  EXPECT_EQ(Load(tmp.path(), kDiff).size(), 1u);
}

TEST(LayerSourcesTest, DockerGzipLayersAreNamedAsOciGzipLayers) {
  EXPECT_EQ(OciMediaType(kGzip), "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(OciMediaType("application/vnd.oci.image.layer.v1.tar+zstd"),
            "application/vnd.oci.image.layer.v1.tar+zstd");
}

}  // namespace
}  // namespace mydocker::layer_sources
