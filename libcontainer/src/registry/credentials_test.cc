#include <sys/stat.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "image/test_tar.h"
#include "mydocker/fs_util.h"
#include "mydocker/registry_credentials.h"

namespace mydocker::registry {
namespace {

using ::mydocker::testing::TempDir;
using ::testing::HasSubstr;

TEST(CredentialsTest, StoredAsDockerDoesWithMode0600AndOtherKeysKept) {
  TempDir tmp;
  std::string path = tmp / "cfg/config.json";
  ASSERT_TRUE(MakeDirs(tmp / "cfg").ok());
  ASSERT_TRUE(
      WriteFileAtomic(path, R"({"psFormat":"x","auths":{"other:1":{"auth":"eDp5"}}})").ok());
  ASSERT_TRUE(StoreCredentials(path, "127.0.0.1:5000", {"alice", "pa:ss"}).ok());
  ASSERT_TRUE(StoreCredentials(path, "docker.io", {"bob", "pw"}).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  auto text = ReadFile(path);
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr(R"("psFormat": "x")"));
  EXPECT_THAT(*text, HasSubstr(R"("auth": "YWxpY2U6cGE6c3M=")"));  // alice:pa:ss
  EXPECT_THAT(*text, HasSubstr("https://index.docker.io/v1/"));
  auto alice = LoadCredentials(path, "127.0.0.1:5000");
  ASSERT_TRUE(alice.ok() && alice->has_value());
  EXPECT_EQ((*alice)->username, "alice");
  EXPECT_EQ((*alice)->password, "pa:ss");
  auto other = LoadCredentials(path, "other:1");
  ASSERT_TRUE(other.ok() && other->has_value());
  EXPECT_EQ((*other)->username, "x");
  EXPECT_EQ(*EraseCredentials(path, "127.0.0.1:5000"), true);
  EXPECT_EQ(*EraseCredentials(path, "127.0.0.1:5000"), false);
  EXPECT_FALSE(LoadCredentials(path, "127.0.0.1:5000")->has_value());
  EXPECT_TRUE(LoadCredentials(path, "docker.io")->has_value());
}

// credsStore and credHelpers name docker-credential-<name> programs (credential_helper.h); one
// that is not on $PATH is an error, not "no credentials", and the file is left as it was.
TEST(CredentialsTest, NamedHelperThatIsMissingIsAnError) {
  TempDir tmp;
  std::string path = tmp / "config.json";
  std::string config =
      R"({"credsStore":"mydocker-absent","credHelpers":{"h:2":"mydocker-absent2"},)"
      R"("auths":{"h:1":{"auth":"eDp5"}}})";
  ASSERT_TRUE(WriteFileAtomic(path, config).ok());
  auto got = LoadCredentials(path, "h:1");
  EXPECT_TRUE(absl::IsNotFound(got.status())) << got.status();
  EXPECT_THAT(std::string(got.status().message()),
              HasSubstr("docker-credential-mydocker-absent (named by the credentials file) not "
                        "found in $PATH"));
  got = LoadCredentials(path, "h:2");
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("docker-credential-mydocker-absent2"));
  EXPECT_FALSE(StoreCredentials(path, "h:1", {"a", "b"}).ok());
  EXPECT_FALSE(EraseCredentials(path, "h:1").ok());
  EXPECT_EQ(*ReadFile(path), config);
}

TEST(CredentialsTest, MissingFileHasNoneAndMalformedOnesAreRefused) {
  TempDir tmp;
  EXPECT_FALSE(LoadCredentials(tmp / "none.json", "h:1")->has_value());
  EXPECT_EQ(*EraseCredentials(tmp / "none.json", "h:1"), false);
  ASSERT_TRUE(WriteFileAtomic(tmp / "bad.json", R"({"auths":{"h:1":{"auth":"bm9jb2xvbg=="}}})")
                  .ok());  // "nocolon"
  EXPECT_FALSE(LoadCredentials(tmp / "bad.json", "h:1").ok());
  ASSERT_TRUE(WriteFileAtomic(tmp / "junk.json", "[").ok());
  EXPECT_FALSE(LoadCredentials(tmp / "junk.json", "h:1").ok());
  EXPECT_FALSE(StoreCredentials(tmp / "junk.json", "h:1", {"a", "b"}).ok());
}

TEST(CredentialsTest, RegistryDomainOfWhatIsTyped) {
  EXPECT_EQ(*RegistryDomain(""), "docker.io");
  EXPECT_EQ(*RegistryDomain("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(*RegistryDomain("docker.io"), "docker.io");
  EXPECT_EQ(*RegistryDomain("127.0.0.1:5000"), "127.0.0.1:5000");
  EXPECT_EQ(*RegistryDomain("https://ghcr.io"), "ghcr.io");
  EXPECT_EQ(*RegistryDomain("localhost:5000/"), "localhost:5000");
  EXPECT_FALSE(RegistryDomain("https://").ok());
  EXPECT_FALSE(RegistryDomain("bad host").ok());
  EXPECT_EQ(CredentialsKey("docker.io"), "https://index.docker.io/v1/");
  EXPECT_EQ(CredentialsKey("h:1"), "h:1");
}

}  // namespace
}  // namespace mydocker::registry
