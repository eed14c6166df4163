#include "image/archive_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(ArchiveJsonTest, OciIndexAndManifestRoundTrip) {
  Descriptor layer{kOciLayerType, kDigest, 10, {}, "", "", ""};
  std::string manifest_json =
      SerializeOciManifest({{kOciConfigType, kDigest, 5, {}, "", "", ""}, {layer, layer}});
  auto manifest = ParseOciManifest(manifest_json, "m");
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_EQ(manifest->config.size, 5);
  ASSERT_EQ(manifest->layers.size(), 2u);
  EXPECT_EQ(manifest->layers[1].media_type, kOciLayerType);
  Descriptor m{kOciManifestType, kDigest, 99, {{kRefNameAnnotation, "latest"}}, "", "", ""};
  auto index = ParseOciIndex(SerializeOciIndex({m}), "i");
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_EQ(index->size(), 1u);
  EXPECT_EQ((*index)[0].annotations.at(kRefNameAnnotation), "latest");
}

TEST(ArchiveJsonTest, PlatformOfNestedIndexes) {
  auto index = ParseOciIndex(
      R"({"manifests":[{"digest":"sha256:1","size":1,"platform":{"os":"linux","architecture":"arm64"}}]})",
      "i");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)[0].architecture, "arm64");
}

TEST(ArchiveJsonTest, DockerManifestRoundTripAndNullTags) {
  std::string json =
      SerializeDockerManifest({{"c.json", {"a:b"}, {"l1/layer.tar", "l2/layer.tar"}}});
  auto entries = ParseDockerManifest(json, "manifest.json");
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_THAT((*entries)[0].layers, ElementsAre("l1/layer.tar", "l2/layer.tar"));
  auto untagged = ParseDockerManifest(R"([{"Config":"c","RepoTags":null,"Layers":[]}])", "m");
  ASSERT_TRUE(untagged.ok());
  EXPECT_TRUE((*untagged)[0].repo_tags.empty());
}

TEST(ArchiveJsonTest, DeepNestingIsAnErrorNotACrash) {
  auto unterminated = ParseDockerManifest(std::string(200000, '['), "manifest.json");
  EXPECT_EQ(unterminated.status().code(), absl::StatusCode::kInvalidArgument);
  std::string deep = std::string(65, '[') + std::string(65, ']');
  auto manifest = ParseDockerManifest(deep, "manifest.json");
  EXPECT_THAT(manifest.status().message(), HasSubstr("nested more than 64 deep"));
  std::string index = R"({"manifests":[],"x":)" + deep + "}";
  EXPECT_EQ(ParseOciIndex(index, "index.json").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ArchiveJsonTest, DuplicateKeysAreErrors) {
  // RapidJSON would read the first "layers", Docker the second.
  auto manifest = ParseOciManifest(
      R"({"config":{"digest":"sha256:a"},"layers":[],"layers":[{"digest":"sha256:b"}]})", "m");
  EXPECT_THAT(manifest.status().message(), HasSubstr("key \"layers\" given twice"));
  EXPECT_FALSE(ParseDockerManifest(R"([{"Config":"a.json","Config":"b.json"}])", "m").ok());
  EXPECT_FALSE(ParseOciIndex(R"({"manifests":[{"digest":"x","digest":"y"}]})", "i").ok());
}

TEST(ArchiveJsonTest, MalformedDocumentsAreErrors) {
  for (const char* json :
       {"", "{}", R"({"manifests":[{"size":1}]})", R"({"manifests":[{"digest":"x","size":-1}]})"}) {
    auto index = ParseOciIndex(json, "index.json");
    ASSERT_FALSE(index.ok()) << json;
    EXPECT_THAT(index.status().message(), HasSubstr("index.json"));
  }
  EXPECT_FALSE(ParseDockerManifest(R"([{"RepoTags":[]}])", "m").ok());
  EXPECT_FALSE(ParseOciManifest(R"({"layers":[]})", "m").ok());
}

}  // namespace
}  // namespace mydocker
