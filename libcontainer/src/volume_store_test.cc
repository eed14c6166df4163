#include "mydocker/volume_store.h"

#include <unistd.h>

#include "gtest/gtest.h"
#include "mydocker/fs_util.h"

namespace mydocker {
namespace {

TEST(VolumeSpecTest, Forms) {
  auto bind = ParseVolumeSpec("/host/dir:/data:ro");
  ASSERT_TRUE(bind.ok()) << bind.status();
  EXPECT_EQ(bind->kind, VolumeSpec::kBind);
  EXPECT_EQ(bind->source, "/host/dir");
  EXPECT_EQ(bind->destination, "/data");
  EXPECT_TRUE(bind->readonly);
  auto named = ParseVolumeSpec("cache:/var/cache");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->kind, VolumeSpec::kNamed);
  EXPECT_FALSE(named->readonly);
  auto anon = ParseVolumeSpec("/scratch");
  ASSERT_TRUE(anon.ok());
  EXPECT_EQ(anon->kind, VolumeSpec::kAnonymous);
  EXPECT_EQ(anon->destination, "/scratch");
}

TEST(VolumeSpecTest, RefusesEscapesAndNonsense) {
  for (const char* bad : {"/h:/a/../etc", "/h:rel", "/h:/", "/h://", "a b:/x", "/h:/x:rw:extra",
                          "/h:/x:rx", "/h/../etc:/x", "", "relative"}) {
    EXPECT_EQ(ParseVolumeSpec(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(VolumeStoreTest, EnsureListGetRemove) {
  char tmpl[] = "/tmp/volume-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  auto store = VolumeStore::Open(tmpl);
  ASSERT_TRUE(store.ok());
  auto v = (*store)->Ensure("data");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(PathExists(v->mountpoint));
  auto again = (*store)->Ensure("data");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->created, v->created);
  EXPECT_FALSE((*store)->Ensure("../evil").ok());
  EXPECT_FALSE((*store)->Ensure("x").ok());  // too short for Docker's rule
  ASSERT_EQ((*store)->List()->size(), 1u);
  EXPECT_TRUE((*store)->Remove("data").ok());
  EXPECT_TRUE(absl::IsNotFound((*store)->Remove("data")));
  EXPECT_TRUE(absl::IsNotFound((*store)->Get("../../etc").status()));
  EXPECT_TRUE(RemoveAll(tmpl).ok());
}

}  // namespace
}  // namespace mydocker
