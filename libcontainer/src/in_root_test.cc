// OpenPathInRoot and its user-space walk (no openat2): both resolve every path of a tree full of
// escaping symlinks to the same file inside the root, and refuse the same ones.
#include "in_root.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace mydocker {
namespace {

class InRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/in-root-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    top_ = tmpl;
    // top/secret is outside the root; top/root is the root.
    Write(top_ + "/secret", "outside");
    root_ = top_ + "/root";
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/etc").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((root_ + "/etc/sub").c_str(), 0755), 0);
    Write(root_ + "/secret", "inside");
    Write(root_ + "/etc/passwd", "root:x:0:0");
    Link("/etc/passwd", "/abs");          // absolute: from the root
    Link("etc/passwd", "/rel");           // relative
    Link("../../secret", "/etc/sub/up");  // climbs above the root: stays at it
    Link("/../../../secret", "/absup");   // the same, absolute
    Link("/etc/sub/up", "/chain");        // a link to a link
    Link("loop2", "/loop1");              // a loop
    Link("loop1", "/loop2");
    Link("/etc", "/etclink");                  // a directory through a link
    Link("/proc/self/root/secret", "/magic");  // would leave through a magic link
    root_fd_ = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(root_fd_, 0);
  }
  void TearDown() override {
    if (root_fd_ >= 0) ::close(root_fd_);
    std::string rm = "rm -rf '" + top_ + "'";
    ASSERT_EQ(std::system(rm.c_str()), 0);
  }
  static void Write(const std::string& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  void Link(const std::string& target, const std::string& at) {
    ASSERT_EQ(::symlink(target.c_str(), (root_ + at).c_str()), 0) << at;
  }
  static std::string Read(const absl::StatusOr<UniqueFd>& fd) {
    if (!fd.ok()) return "error: " + std::string(fd.status().message());
    char buf[64];
    ssize_t n = ::pread(fd->get(), buf, sizeof buf, 0);
    return n < 0 ? "unreadable" : std::string(buf, static_cast<size_t>(n));
  }

  std::string top_, root_;
  int root_fd_ = -1;
};

TEST_F(InRootTest, TheWalkResolvesAsOpenat2Does) {
  struct Case {
    const char* path;
    const char* want;  // the content read, or "error: ..." start
  } cases[] = {
      {"secret", "inside"},
      {"/secret", "inside"},
      {"../../secret", "inside"},
      {"abs", "root:x:0:0"},
      {"rel", "root:x:0:0"},
      {"etc/sub/up", "inside"},
      {"absup", "inside"},
      {"chain", "inside"},
      {"etclink/passwd", "root:x:0:0"},
      {"etclink/../secret", "inside"},
      {"etc/sub/../../secret", "inside"},
      {"magic", "error: open magic"},
      {"loop1", "error: open loop1"},
      {"missing", "error: open missing"},
      {"etc/passwd/x", "error: open etc/passwd/x"},
  };
  for (const Case& c : cases) {
    std::string walked = Read(WalkPathInRoot(root_fd_, c.path, O_RDONLY));
    std::string kernel = Read(OpenPathInRoot(root_fd_, c.path, O_RDONLY));
    EXPECT_EQ(walked.rfind(c.want, 0), 0u) << c.path << ": " << walked;
    EXPECT_EQ(kernel.rfind(c.want, 0), 0u) << c.path << ": " << kernel;
  }
  // Errors keep their errno's code.
  EXPECT_TRUE(absl::IsNotFound(WalkPathInRoot(root_fd_, "missing", O_RDONLY).status()));
  // O_NOFOLLOW: a final symlink is not followed (O_PATH opens the link itself).
  absl::StatusOr<UniqueFd> link = WalkPathInRoot(root_fd_, "abs", O_PATH | O_NOFOLLOW);
  ASSERT_TRUE(link.ok()) << link.status();
  struct stat st;
  ASSERT_EQ(::fstat(link->get(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_FALSE(WalkPathInRoot(root_fd_, "abs", O_RDONLY | O_NOFOLLOW).ok());
  // The root itself, and a directory.
  absl::StatusOr<UniqueFd> dir = WalkPathInRoot(root_fd_, "", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(dir.ok()) << dir.status();
  dir = WalkPathInRoot(root_fd_, "etclink/sub/..", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(Read(OpenPathInRoot(dir->get(), "passwd", O_RDONLY)), "root:x:0:0");
}

}  // namespace
}  // namespace mydocker
