#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mydocker/volume_store.h"

namespace mydocker {
namespace {

using ::testing::ElementsAre;

std::string Error(const absl::StatusOr<VolumeSpec>& v) {
  return v.ok() ? "ok" : std::string(v.status().message());
}

TEST(MountSpecTest, DockersKeysAndTypes) {
  auto bind = ParseMountSpec("type=bind,src=/srv,dst=/data,readonly,bind-propagation=rslave");
  ASSERT_TRUE(bind.ok()) << bind.status();
  EXPECT_EQ(bind->kind, VolumeSpec::kBind);
  EXPECT_EQ(bind->source, "/srv");
  EXPECT_EQ(bind->destination, "/data");
  EXPECT_TRUE(bind->readonly);
  EXPECT_TRUE(bind->source_must_exist);
  EXPECT_EQ(bind->propagation, "rslave");
  auto vol = ParseMountSpec("source=data,target=/var/lib/x,ro=false,volume-nocopy");
  ASSERT_TRUE(vol.ok()) << vol.status();  // type defaults to volume
  EXPECT_EQ(vol->kind, VolumeSpec::kNamed);
  EXPECT_FALSE(vol->readonly);
  EXPECT_EQ(ParseMountSpec("type=volume,destination=/x")->kind, VolumeSpec::kAnonymous);
  auto tmpfs = ParseMountSpec("type=TMPFS,target=/run,tmpfs-size=64m,tmpfs-mode=1770");
  ASSERT_TRUE(tmpfs.ok()) << tmpfs.status();
  EXPECT_EQ(tmpfs->kind, VolumeSpec::kTmpfs);
  EXPECT_THAT(tmpfs->tmpfs_options, ElementsAre("size=67108864", "mode=1770"));
  // Docker's CSV quoting.
  EXPECT_EQ(ParseMountSpec("type=bind,\"src=/a,b\",dst=/c")->source, "/a,b");
}

TEST(MountSpecTest, ErrorsInDockersWords) {
  EXPECT_EQ(Error(ParseMountSpec("type=bind,target=/x")),
            "invalid mount config for type \"bind\": field Source must not be empty");
  EXPECT_EQ(Error(ParseMountSpec("type=tmpfs,src=/a,target=/x")),
            "invalid mount config for type \"tmpfs\": field Source must not be specified");
  EXPECT_EQ(Error(ParseMountSpec("type=foo,target=/x")),
            "invalid mount config for type \"foo\": mount type unknown");
  EXPECT_EQ(Error(ParseMountSpec("type=bind,src=/a")),
            "invalid argument \"type=bind,src=/a\" for \"--mount\" flag: target is required");
  EXPECT_THAT(Error(ParseMountSpec("type=bind,src=/a,dst=/b,foo=1")),
              testing::HasSubstr("unexpected key 'foo' in 'foo=1'"));
  EXPECT_THAT(Error(ParseMountSpec("type=bind,src=/a,dst=/b,bogus")),
              testing::HasSubstr("invalid field 'bogus' must be a key=value pair"));
  EXPECT_THAT(Error(ParseMountSpec("type=bind,src=/a,dst=/b,tmpfs-size=1m")),
              testing::HasSubstr("cannot mix 'tmpfs-*' options with mount type 'bind'"));
  EXPECT_THAT(Error(ParseMountSpec("type=tmpfs,dst=/b,tmpfs-size=lots")),
              testing::HasSubstr("invalid value for tmpfs-size: lots"));
  EXPECT_THAT(Error(ParseMountSpec("type=tmpfs,dst=/b,tmpfs-mode=999")),
              testing::HasSubstr("invalid value for tmpfs-mode: 999"));
  EXPECT_THAT(Error(ParseMountSpec("type=volume,src=v1,dst=/b,volume-opt=type=nfs")),
              testing::HasSubstr("volume-opt is not supported"));
  EXPECT_THAT(Error(ParseMountSpec("type=bind,src=/a,dst=/b,bind-propagation=weird")),
              testing::HasSubstr("invalid propagation mode: weird"));
  EXPECT_THAT(Error(ParseMountSpec("type=bind,src=relative,dst=/b")),
              testing::HasSubstr("mount path must be absolute"));
  EXPECT_THAT(Error(ParseMountSpec("type=volume,dst=/b/../c")), testing::HasSubstr("\"..\""));
  EXPECT_THAT(Error(ParseMountSpec("type=volume,src=a/b,dst=/c")),
              testing::HasSubstr("invalid volume name"));
  EXPECT_THAT(Error(ParseMountSpec("type=bind,src=/a,dst=/b,ro=maybe")),
              testing::HasSubstr("invalid value for ro: maybe"));
}

TEST(TmpfsSpecTest, OptionsAreChecked) {
  auto t = ParseTmpfsSpec("/run:rw,exec,size=1g,mode=755,uid=1000");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->kind, VolumeSpec::kTmpfs);
  EXPECT_EQ(t->destination, "/run");
  EXPECT_THAT(t->tmpfs_options,
              ElementsAre("rw", "exec", "size=1073741824", "mode=755", "uid=1000"));
  EXPECT_TRUE(ParseTmpfsSpec("/tmp")->tmpfs_options.empty());
  EXPECT_TRUE(ParseTmpfsSpec("/tmp:size=50%").ok());
  EXPECT_EQ(Error(ParseTmpfsSpec("/tmp:size=-1")), "invalid tmpfs option \"size=-1\"");
  EXPECT_EQ(Error(ParseTmpfsSpec("/tmp:mode=8")), "invalid tmpfs option \"mode=8\"");
  EXPECT_EQ(Error(ParseTmpfsSpec("/tmp:bogus")), "invalid tmpfs option \"bogus\"");
  EXPECT_THAT(Error(ParseTmpfsSpec("tmp")), testing::HasSubstr("must be absolute"));
  EXPECT_THAT(Error(ParseTmpfsSpec("/")), testing::HasSubstr("cannot mount on /"));
}

TEST(MountSpecTest, NocopyAndVolumesFrom) {
  EXPECT_TRUE(ParseMountSpec("src=data,dst=/d,volume-nocopy")->nocopy);
  EXPECT_FALSE(ParseMountSpec("src=data,dst=/d")->nocopy);
  EXPECT_EQ(ParseVolumeSpec("data:/d:ro")->mode, "ro");
  auto from = ParseVolumesFrom("web:ro");
  ASSERT_TRUE(from.ok()) << from.status();
  EXPECT_EQ(from->container, "web");
  EXPECT_EQ(from->mode, "ro");
  EXPECT_EQ(ParseVolumesFrom("web")->mode, "");
  EXPECT_EQ(ParseVolumesFrom("web:rx").status().message(), "invalid mode: rx");
  EXPECT_FALSE(ParseVolumesFrom("").ok());
  EXPECT_FALSE(ParseVolumesFrom(":ro").ok());
  EXPECT_FALSE(ParseVolumesFrom("a:ro:rw").ok());
}

}  // namespace
}  // namespace mydocker
