#include "registry/remote_reference.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker::registry {
namespace {

using ::testing::HasSubstr;

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(RemoteReferenceTest, DockerHubNamesAreNormalised) {
  auto ref = ParseRemoteReference("busybox");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->domain, "docker.io");
  EXPECT_EQ(ref->repository, "library/busybox");
  EXPECT_EQ(ref->tag, "latest");
  EXPECT_EQ(ref->Endpoint(), "registry-1.docker.io");
  EXPECT_EQ(ref->LocalReference(), "busybox:latest");
  EXPECT_EQ(ref->FullReference(), "docker.io/library/busybox:latest");
  ref = ParseRemoteReference("docker.io/library/busybox:1.36");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->LocalReference(), "busybox:1.36");
  ref = ParseRemoteReference("org/app:v1");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->repository, "org/app");
  EXPECT_EQ(ref->LocalReference(), "org/app:v1");
}

TEST(RemoteReferenceTest, RegistryHostsAndDigests) {
  auto ref = ParseRemoteReference("127.0.0.1:5000/team/app@" + kDigest);
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->domain, "127.0.0.1:5000");
  EXPECT_EQ(ref->repository, "team/app");
  EXPECT_EQ(ref->tag, "");
  EXPECT_EQ(ref->TagOrDigest(), kDigest);
  EXPECT_EQ(ref->LocalReference(), "127.0.0.1:5000/team/app@" + kDigest);
  ref = ParseRemoteReference("localhost/app");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->domain, "localhost");
  // A tag before the digest: the digest decides.
  ref = ParseRemoteReference("ghcr.io/o/a:v1@" + kDigest);
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->digest, kDigest);
  EXPECT_EQ(ref->tag, "");
}

TEST(RemoteReferenceTest, MalformedReferencesAreRefused) {
  for (const char* bad : {"", "Busybox", "busybox@sha256:abc", "busybox@md5:", "a/b:", "a b"}) {
    auto ref = ParseRemoteReference(bad);
    EXPECT_FALSE(ref.ok()) << bad;
    EXPECT_THAT(ref.status().message(), HasSubstr("invalid")) << bad;
  }
}

TEST(RemoteReferenceTest, PlainHttpOnlyForLoopbackAndListedRegistries) {
  EXPECT_TRUE(IsInsecureRegistry("localhost:5000", ""));
  EXPECT_TRUE(IsInsecureRegistry("127.0.0.1:5000", ""));
  EXPECT_TRUE(IsInsecureRegistry("[::1]:5000", ""));
  EXPECT_FALSE(IsInsecureRegistry("docker.io", ""));
  EXPECT_FALSE(IsInsecureRegistry("127.0.0.1.example.com", ""));
  EXPECT_TRUE(IsInsecureRegistry("reg.lan:5000", "other, reg.lan:5000"));
  EXPECT_TRUE(IsInsecureRegistry("reg.lan:5000", "reg.lan"));
  EXPECT_FALSE(IsInsecureRegistry("reg.lan:5000", "reg.lan:5001"));
}

}  // namespace
}  // namespace mydocker::registry

namespace mydocker::registry {
namespace {

TEST(ShortDockerHubNameTest, DockerHubPrefixesDropped) {
  EXPECT_EQ(ShortDockerHubName("docker.io/library/busybox:1"), "busybox:1");
  EXPECT_EQ(ShortDockerHubName("index.docker.io/library/busybox"), "busybox");
  EXPECT_EQ(ShortDockerHubName("docker.io/org/app"), "org/app");
  EXPECT_EQ(ShortDockerHubName("library/busybox@sha256:ab"), "busybox@sha256:ab");
  EXPECT_EQ(ShortDockerHubName("docker.io/library/a/b"), "library/a/b");
  EXPECT_EQ(ShortDockerHubName("ghcr.io/library/x"), "ghcr.io/library/x");
  EXPECT_EQ(ShortDockerHubName("busybox"), "busybox");
}

}  // namespace
}  // namespace mydocker::registry
