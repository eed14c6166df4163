#include "mydocker/fs_util.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mydocker {
namespace {

std::string MakeTempDir(std::string base = ::testing::TempDir()) {
  std::string dir = base + "/fs-util-XXXXXX";
  EXPECT_NE(::mkdtemp(dir.data()), nullptr);
  return dir;
}

// Nests `depth` directories "d" under `top` (far beyond PATH_MAX), with a file in each.
void MakeDeepTree(const std::string& top, int depth) {
  int fd = ::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < depth; ++i) {
    ASSERT_EQ(::mkdirat(fd, "d", 0700), 0);
    int f = ::openat(fd, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(f, 0);
    ::close(f);
    int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(next, 0);
    ::close(fd);
    fd = next;
  }
  ::close(fd);
}

TEST(DirSizeTest, CountsRegularFilesOnceAndFollowsNoSymlink) {
  std::string outside = MakeTempDir();
  ASSERT_TRUE(WriteFileAtomic(outside + "/big", std::string(5000, 'x')).ok());
  std::string top = MakeTempDir();
  ASSERT_TRUE(MakeDirs(top + "/a/b").ok());
  ASSERT_TRUE(WriteFileAtomic(top + "/a/b/f", std::string(100, 'x')).ok());
  ASSERT_TRUE(WriteFileAtomic(top + "/g", std::string(20, 'x')).ok());
  ASSERT_EQ(::link((top + "/g").c_str(), (top + "/a/g-link").c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), (top + "/out").c_str()), 0);
  ASSERT_EQ(::symlink((outside + "/big").c_str(), (top + "/big").c_str()), 0);
  EXPECT_EQ(DirSize(top), 120);
  EXPECT_EQ(DirSize(top + "/missing"), 0);
  EXPECT_EQ(DirSize(top + "/g"), 0);  // not a directory
  RemoveAll(top).IgnoreError();
  RemoveAll(outside).IgnoreError();
}

TEST(RemoveAllTest, DeepTreeWithFewDescriptorsAndASmallStack) {
  // In memory where there is a tmpfs: 100,000 directories on a journalled disk are slow.
  std::string top = MakeTempDir(PathExists("/dev/shm") ? "/dev/shm" : ::testing::TempDir());
  MakeDeepTree(top + "", 100000);
  // In a child with 16 descriptors at most, on a thread with a 64 KiB stack: removal must need
  // neither a descriptor nor a stack frame per level.
  pid_t pid = ::fork();
  if (pid == 0) {
    struct rlimit lim = {16, 16};
    ::setrlimit(RLIMIT_NOFILE, &lim);
    pthread_attr_t attr;
    ::pthread_attr_init(&attr);
    ::pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_t thread;
    static std::string doomed;
    doomed = top;
    auto remove = [](void*) -> void* {
      return reinterpret_cast<void*>(RemoveAll(doomed).ok() ? 1 : 0);
    };
    void* ok = nullptr;
    if (::pthread_create(&thread, &attr, remove, nullptr) != 0) ::_exit(2);
    ::pthread_join(thread, &ok);
    ::_exit(ok != nullptr ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(PathExists(top));
}

TEST(RemoveAllTest, WideTreeAndSymlinksAreNotFollowed) {
  std::string outside = MakeTempDir();
  ASSERT_TRUE(WriteFileAtomic(outside + "/keep", "x").ok());
  std::string top = MakeTempDir();
  for (int i = 0; i < 300; ++i) {
    std::string d = top + "/dir" + std::to_string(i);
    ASSERT_EQ(::mkdir(d.c_str(), 0700), 0);
    ASSERT_TRUE(WriteFileAtomic(d + "/f", "y").ok());
    ASSERT_EQ(::symlink(outside.c_str(), (d + "/link").c_str()), 0);
  }
  ASSERT_EQ(::symlink((outside + "/keep").c_str(), (top + "/filelink").c_str()), 0);
  EXPECT_TRUE(RemoveAll(top).ok());
  EXPECT_FALSE(PathExists(top));
  EXPECT_TRUE(PathExists(outside + "/keep"));
  EXPECT_TRUE(RemoveAll(outside).ok());
  EXPECT_TRUE(RemoveAll(outside).ok()) << "already gone is fine";
}

TEST(RemoveAllTest, MountPointIsReportedAndTheRestRemoved) {
  std::string top = MakeTempDir();
  ASSERT_EQ(::mkdir((top + "/a").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((top + "/a/mnt").c_str(), 0700), 0);
  if (::mount("tmpfs", (top + "/a/mnt").c_str(), "tmpfs", 0, "size=64k") != 0) {
    RemoveAll(top).IgnoreError();
    GTEST_SKIP() << "cannot mount a tmpfs here";
  }
  ASSERT_TRUE(WriteFileAtomic(top + "/a/mnt/inside", "z").ok());
  ASSERT_TRUE(WriteFileAtomic(top + "/a/other", "z").ok());
  ASSERT_TRUE(WriteFileAtomic(top + "/b", "z").ok());
  absl::Status s = RemoveAll(top);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/a/mnt is a mount point"), std::string::npos) << s;
  // Nothing on the other file system was touched; everything else went.
  EXPECT_TRUE(PathExists(top + "/a/mnt/inside"));
  EXPECT_FALSE(PathExists(top + "/a/other"));
  EXPECT_FALSE(PathExists(top + "/b"));
  ASSERT_EQ(::umount2((top + "/a/mnt").c_str(), MNT_DETACH), 0);
  EXPECT_TRUE(RemoveAll(top).ok());
  EXPECT_FALSE(PathExists(top));
}

TEST(RemoveAllTest, SameFileSystemBindMountIsNotEntered) {
  // A bind mount of a directory of the same file system has the same st_dev: only the mount ID
  // shows it is another mount, whose files must survive.
  std::string outside = MakeTempDir();
  ASSERT_TRUE(WriteFileAtomic(outside + "/precious", "keep").ok());
  std::string top = MakeTempDir();
  ASSERT_EQ(::mkdir((top + "/bind").c_str(), 0700), 0);
  if (::mount(outside.c_str(), (top + "/bind").c_str(), nullptr, MS_BIND, nullptr) != 0) {
    RemoveAll(top).IgnoreError();
    RemoveAll(outside).IgnoreError();
    GTEST_SKIP() << "cannot bind mount here";
  }
  absl::Status s = RemoveAll(top);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/bind is a mount point"), std::string::npos) << s;
  EXPECT_TRUE(PathExists(outside + "/precious"));
  ASSERT_EQ(::umount2((top + "/bind").c_str(), MNT_DETACH), 0);
  EXPECT_TRUE(RemoveAll(top).ok());
  EXPECT_TRUE(PathExists(outside + "/precious"));
  EXPECT_TRUE(RemoveAll(outside).ok());
}

// The data is written to an unnamed file: the directory only ever holds the old or the new
// record, with the mode asked for (less the umask, as open(2) gives).
TEST(FsUtilTest, WriteFileAtomicLeavesOnlyTheRecord) {
  char tmpl[] = "/tmp/mydocker-fsutil-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  mode_t old_umask = ::umask(022);
  ASSERT_TRUE(WriteFileAtomic(dir + "/rec", "one", 0640).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/rec", "two", 0666).ok());
  ::umask(old_umask);
  EXPECT_EQ(ReadFile(dir + "/rec").value_or(""), "two");
  struct stat st;
  ASSERT_EQ(::stat((dir + "/rec").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  absl::StatusOr<std::vector<std::string>> names = ListDir(dir);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"rec"});
  ASSERT_TRUE(RemoveAll(dir).ok());
}

// A writer killed between naming its file and the rename leaves `<rec>.tmp-<pid>-<n>`: the next
// replacement of that record deletes it once the writer is gone, never a live writer's, nor
// another record's.
TEST(FsUtilTest, WriteFileAtomicDeletesWhatKilledWritersLeft) {
  char tmpl[] = "/tmp/mydocker-fsutil-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  const std::string dead = absl::StrCat(dir, "/rec.tmp-", child, "-7");
  const std::string live = absl::StrCat(dir, "/rec.tmp-", ::getpid(), "-8");
  const std::string other = absl::StrCat(dir, "/other.tmp-", child, "-9");
  for (const std::string& path : {dead, live, other}) {
    ASSERT_EQ(::close(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600)), 0);
  }
  EXPECT_TRUE(IsDeadWritersFile(absl::StrCat("rec.tmp-", child, "-7"), "rec"));
  EXPECT_FALSE(IsDeadWritersFile(absl::StrCat("rec.tmp-", ::getpid(), "-8"), "rec"));
  EXPECT_FALSE(IsDeadWritersFile("rec.tmp-x-1", "rec"));
  EXPECT_FALSE(IsDeadWritersFile("rec", "rec"));
  ASSERT_TRUE(WriteFileAtomic(dir + "/rec", "one").ok());  // new: linked in place
  EXPECT_TRUE(PathExists(dead));
  ASSERT_TRUE(WriteFileAtomic(dir + "/rec", "two").ok());  // a replacement sweeps
  EXPECT_FALSE(PathExists(dead));
  EXPECT_TRUE(PathExists(live));
  EXPECT_TRUE(PathExists(other));
  EXPECT_EQ(ReadFile(dir + "/rec").value_or(""), "two");
  ASSERT_TRUE(RemoveAll(dir).ok());
}

}  // namespace
}  // namespace mydocker
