#include "registry/www_authenticate.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker::registry {
namespace {

using ::testing::HasSubstr;

TEST(WwwAuthenticateTest, BearerChallenge) {
  auto c =
      ParseChallenge(R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",)"
                     R"(scope="repository:library/busybox:pull")");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, "bearer");
  EXPECT_EQ(c->params["realm"], "https://auth.docker.io/token");
  EXPECT_EQ(c->params["service"], "registry.docker.io");
  EXPECT_EQ(c->params["scope"], "repository:library/busybox:pull");
}

TEST(WwwAuthenticateTest, QuotedCommasEscapesTokensAndSpaces) {
  auto c = ParseChallenge(
      R"(BEARER  Realm = "http://h/t?a=1,b=2" , scope="repository:a:pull,push", x=tok/en, )"
      R"(q="say \"hi\"")");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->params["realm"], "http://h/t?a=1,b=2");
  EXPECT_EQ(c->params["scope"], "repository:a:pull,push");
  EXPECT_EQ(c->params["x"], "tok/en");
  EXPECT_EQ(c->params["q"], "say \"hi\"");
}

TEST(WwwAuthenticateTest, SecondChallengeIsIgnored) {
  auto c = ParseChallenge(R"(Basic realm="Registry Realm", Bearer realm="x")");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->scheme, "basic");
  EXPECT_EQ(c->params["realm"], "Registry Realm");
  EXPECT_EQ(c->params.count("bearer"), 0u);
}

TEST(WwwAuthenticateTest, MalformedHeadersAreRefused) {
  for (const char* bad : {"", "   ", R"(Bearer realm="unterminated)", R"(Bearer realm)",
                          R"(Bearer realm="a" service="b")"}) {
    auto c = ParseChallenge(bad);
    EXPECT_FALSE(c.ok()) << bad;
    if (!c.ok()) {
      EXPECT_THAT(c.status().message(), HasSubstr("WWW-Authenticate")) << bad;
    }
  }
  EXPECT_FALSE(ParseChallenge("Bearer realm=\"" + std::string(10000, 'a') + "\"").ok());
}

}  // namespace
}  // namespace mydocker::registry
