#include "gtest/gtest.h"
#include "mydocker/image_store.h"

namespace mydocker {
namespace {

TEST(ChangeTest, HealthcheckShellAndExecFormsWithOptions) {
  CommitConfig config;
  ASSERT_TRUE(
      ApplyChange("HEALTHCHECK --interval=200ms --retries=2 CMD test -e /ok", &config).ok());
  ASSERT_TRUE(config.healthcheck.has_value());
  EXPECT_EQ(config.healthcheck->test, (std::vector<std::string>{"CMD-SHELL", "test -e /ok"}));
  EXPECT_EQ(config.healthcheck->interval, absl::Milliseconds(200));
  EXPECT_EQ(config.healthcheck->retries, 2);
  ASSERT_TRUE(ApplyChange(R"(HEALTHCHECK CMD ["cat", "/ok"])", &config).ok());
  EXPECT_EQ(config.healthcheck->test, (std::vector<std::string>{"CMD", "cat", "/ok"}));
  ASSERT_TRUE(ApplyChange("healthcheck none", &config).ok());
  EXPECT_EQ(config.healthcheck->test, std::vector<std::string>{"NONE"});
}

TEST(ChangeTest, BadHealthchecksAreRefused) {
  CommitConfig config;
  EXPECT_FALSE(ApplyChange("HEALTHCHECK", &config).ok());
  EXPECT_FALSE(ApplyChange("HEALTHCHECK NONE extra", &config).ok());
  EXPECT_FALSE(ApplyChange("HEALTHCHECK --interval=soon CMD true", &config).ok());
  EXPECT_FALSE(ApplyChange("HEALTHCHECK --retries=-1 CMD true", &config).ok());
  EXPECT_FALSE(ApplyChange("HEALTHCHECK --often=1s CMD true", &config).ok());
  EXPECT_FALSE(ApplyChange("HEALTHCHECK --interval=10us CMD true", &config).ok());
  EXPECT_FALSE(ApplyChange("HEALTHCHECK SOMETIMES true", &config).ok());
  EXPECT_FALSE(config.healthcheck.has_value());
}

}  // namespace
}  // namespace mydocker
