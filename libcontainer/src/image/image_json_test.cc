#include "image/image_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Image SampleImage() {
  Image image;
  image.created = absl::FromUnixNanos(1700000000123456789);
  image.size = 4242;
  image.layers = {"sha256:" + std::string(64, 'a'), "sha256:" + std::string(64, 'b')};
  image.config.env = {"PATH=/bin", "A=\"quoted\""};
  image.config.cmd = {"/bin/sh", "-c", "echo hi"};
  image.config.entrypoint = {"/init"};
  image.config.working_dir = "/work";
  image.config.user = "1000:1000";
  image.config.exposed_ports = {"80/tcp"};
  image.config.volumes = {"/data"};
  image.config.labels = {{"org.opencontainers.image.title", "sample"}};
  return image;
}

TEST(ImageJsonTest, ConfigHasTheOciShape) {
  std::string config = SerializeImageConfig(SampleImage(), "imported from x.tar");
  EXPECT_THAT(config, HasSubstr("\"os\":\"linux\""));
  EXPECT_THAT(config, HasSubstr("\"created\":\"2023-11-14T22:13:20.123456789Z\""));
  EXPECT_THAT(config, HasSubstr("\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:aaaa"));
  EXPECT_THAT(config, HasSubstr("\"comment\":\"imported from x.tar\""));
  EXPECT_THAT(config, HasSubstr("\"ExposedPorts\":{\"80/tcp\":{}}"));
  EXPECT_THAT(config, HasSubstr("\"Volumes\":{\"/data\":{}}"));
  EXPECT_THAT(config, HasSubstr("\"Labels\":{\"org.opencontainers.image.title\":\"sample\"}"));
}

TEST(ImageJsonTest, RecordRoundTrips) {
  Image image = SampleImage();
  std::string config = SerializeImageConfig(image, "c");
  image.id = Sha256Digest(config);
  auto parsed = ParseImageRecord(SerializeImageRecord(image, config), "x.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->id, image.id);
  EXPECT_EQ(parsed->size, 4242);
  EXPECT_EQ(parsed->created, image.created);
  EXPECT_EQ(parsed->layers, image.layers);
  EXPECT_EQ(parsed->config.env, image.config.env);
  EXPECT_EQ(parsed->config.cmd, image.config.cmd);
  EXPECT_EQ(parsed->config.entrypoint, image.config.entrypoint);
  EXPECT_EQ(parsed->config.working_dir, "/work");
  EXPECT_EQ(parsed->config.user, "1000:1000");
  EXPECT_THAT(parsed->config.exposed_ports, ElementsAre("80/tcp"));
  EXPECT_EQ(parsed->config.labels, image.config.labels);
  EXPECT_EQ(parsed->config.volumes, image.config.volumes);
}

TEST(ImageJsonTest, Sha256) {
  EXPECT_EQ(Sha256Digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ImageJsonTest, MalformedRecordsAreErrors) {
  for (const char* json : {"", "[]", "{\"id\":\"sha256:12\"}", "{\"id\":1}",
                           "{\"id\":\"sha256:0000000000000000000000000000000000000000000000000000"
                           "000000000000\",\"config\":{\"created\":\"yesterday\"}}"}) {
    auto parsed = ParseImageRecord(json, "/r/x.json");
    ASSERT_FALSE(parsed.ok()) << json;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(parsed.status().message(), HasSubstr("/r/x.json"));
  }
}

TEST(ImageJsonTest, RecordKeepsTheConfigBytes) {
  Image image = SampleImage();
  // Go's encoder escapes <, > and &: bytes a re-serialisation would not give back.
  std::string config = R"({"created":"2020-01-01T00:00:00Z","config":{"Env":["A=\u003c"]},)"
                       R"("rootfs":{"type":"layers","diff_ids":[")" +
                       image.layers[0] + R"("]}})";
  image.id = Sha256Digest(config);
  std::string record = SerializeImageRecord(image, config);
  EXPECT_EQ(*RecordConfigJson(record, "r"), config);
  auto parsed = ParseImageRecord(record, "r");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->config.env, ElementsAre("A=<"));
}

TEST(ImageJsonTest, ExtendAddsLayerAndHistory) {
  Image image = SampleImage();
  std::string parent = SerializeImageConfig(image, "first");
  std::string diff = "sha256:" + std::string(64, 'c');
  auto child =
      ExtendImageConfig(parent, diff, absl::FromUnixSeconds(1800000000), "mydocker commit", "msg");
  ASSERT_TRUE(child.ok()) << child.status();
  Image parsed;
  ASSERT_TRUE(ParseImageConfig(*child, &parsed, "child").ok());
  EXPECT_THAT(parsed.layers, ElementsAre(image.layers[0], image.layers[1], diff));
  ASSERT_EQ(parsed.history.size(), 2u);
  EXPECT_EQ(parsed.history[1].comment, "msg");
  EXPECT_EQ(parsed.history[1].created_by, "mydocker commit");
  EXPECT_EQ(parsed.created, absl::FromUnixSeconds(1800000000));
  EXPECT_EQ(parsed.config.cmd, image.config.cmd);
  EXPECT_FALSE(ExtendImageConfig("{}", diff, absl::Now(), "", "").ok());
}

TEST(ImageJsonTest, ConfigChecksDiffIds) {
  Image image;
  EXPECT_FALSE(ParseImageConfig(R"({"rootfs":{"diff_ids":["sha256:../x"]}})", &image, "c").ok());
}

TEST(ImageJsonTest, RepositoriesRoundTrip) {
  Repositories repos = {{"a:latest", "sha256:1"}, {"b:v1", "sha256:2"}};
  auto parsed = ParseRepositories(SerializeRepositories(repos), "r.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, repos);
  EXPECT_FALSE(ParseRepositories("{\"a\":1}", "r.json").ok());
}

}  // namespace
}  // namespace mydocker
