#include "mydocker/rootfs.h"

#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "mydocker/fs_util.h"

namespace mydocker {
namespace {

TEST(RootfsTest, SpecNamesTheContainersOwnDirectories) {
  Rootfs r("/s/containers/abc", {"/s/layers/2", "/s/layers/1"});
  RootSpec spec = r.Spec();
  EXPECT_EQ(spec.path, "/s/containers/abc/rootfs");
  EXPECT_EQ(spec.upper_dir, "/s/containers/abc/upper");
  EXPECT_EQ(spec.work_dir, "/s/containers/abc/work");
  EXPECT_EQ(spec.lower_dirs, (std::vector<std::string>{"/s/layers/2", "/s/layers/1"}));
  EXPECT_EQ(*r.OverlayOptions(),
            "lowerdir=/s/layers/2:/s/layers/1,upperdir=/s/containers/abc/upper,"
            "workdir=/s/containers/abc/work,redirect_dir=off,metacopy=off,index=off");
}

TEST(RootfsTest, FromSpecRoundTrips) {
  Rootfs r("/c", {"/l"});
  Rootfs back = Rootfs::FromSpec("/elsewhere", r.Spec());
  EXPECT_EQ(*back.OverlayOptions(), *r.OverlayOptions());
  EXPECT_EQ(back.mount_point(), "/c/rootfs");
}

TEST(RootfsTest, RefusesSeparatorsAndMissingLayers) {
  EXPECT_FALSE(Rootfs("/c", {}).OverlayOptions().ok());
  EXPECT_FALSE(Rootfs("/c", {"/l,upperdir=/etc"}).OverlayOptions().ok());
  EXPECT_FALSE(Rootfs("/c:x", {"/l"}).OverlayOptions().ok());
}

TEST(RootfsTest, RefusesMoreLayersThanOneMountTakes) {
  std::vector<std::string> layers;
  for (int i = 0; i < 60; ++i) {
    layers.push_back("/var/lib/mydocker/layers/sha256/" + std::string(62, 'a') +
                     std::to_string(10 + i) + "/diff");
  }
  absl::StatusOr<std::string> options = Rootfs("/c", layers).OverlayOptions();
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(options.status().message().find("an image of 60 layers"), absl::string_view::npos);
  layers.resize(30);
  EXPECT_TRUE(Rootfs("/c", layers).OverlayOptions().ok());
}

TEST(RootfsTest, PrepareCreatesDirectoriesAndUnmountToleratesNothingMounted) {
  char tmpl[] = "/tmp/rootfs-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  Rootfs r(dir, {"/l"});
  ASSERT_TRUE(r.Prepare().ok());
  ASSERT_TRUE(r.Prepare().ok());  // idempotent
  struct stat st;
  for (const std::string& d : {r.upper_dir(), r.work_dir(), r.mount_point()}) {
    ASSERT_EQ(::stat(d.c_str(), &st), 0) << d;
    EXPECT_TRUE(S_ISDIR(st.st_mode));
  }
  EXPECT_TRUE(r.Unmount().ok());
  EXPECT_TRUE(RemoveAll(dir).ok());
  EXPECT_TRUE(r.Unmount().ok());  // gone altogether is fine too
}

// A container removed while being created is not brought back by the creator's next step.
TEST(RootfsTest, PrepareDoesNotRecreateAVanishedContainerDirectory) {
  char tmpl[] = "/tmp/rootfs-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/container";
  absl::Status prepared = Rootfs(dir, {"/l"}).Prepare();
  EXPECT_TRUE(absl::IsNotFound(prepared)) << prepared;
  EXPECT_FALSE(PathExists(dir));
  EXPECT_TRUE(RemoveAll(tmpl).ok());
}

}  // namespace
}  // namespace mydocker
