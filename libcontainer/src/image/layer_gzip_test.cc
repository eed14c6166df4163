#include "image/layer_gzip.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <csignal>
#include <string>

#include "gtest/gtest.h"
#include "image/hashing_source.h"
#include "image/test_tar.h"
#include "mydocker/fs_util.h"

namespace mydocker::layer_gzip {
namespace {

using ::mydocker::testing::TempDir;

std::string Contents(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  off_t at = 0;
  while ((n = ::pread(fd, buf, sizeof buf, at)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    at += n;
  }
  return out;
}

std::string Gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK);
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

// A few MiB that compress: a repeating text with a counter.
std::string Input() {
  std::string s;
  for (int i = 0; s.size() < (3 << 20); ++i) s += "line " + std::to_string(i) + " of the layer\n";
  return s;
}

TEST(LayerGzipTest, CompressesDeterministicallyAndLeavesNoFile) {
  TempDir tmp;
  std::string input = Input();
  std::string path = tmp / "layer.tar";
  ASSERT_TRUE(WriteFileAtomic(path, input).ok());
  std::string digests[2];
  for (std::string& digest : digests) {
    UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    absl::StatusOr<Compressed> gz = Compress(in.get(), tmp.path(), nullptr);
    ASSERT_TRUE(gz.ok()) << gz.status();
    std::string bytes = Contents(gz->fd.get());
    ASSERT_EQ(static_cast<int64_t>(bytes.size()), gz->size);
    EXPECT_LT(gz->size, static_cast<int64_t>(input.size()) / 4);
    EXPECT_EQ(bytes.substr(0, 2), "\x1f\x8b");
    EXPECT_EQ(bytes.substr(4, 4), std::string(4, '\0'));  // no time in the header
    EXPECT_EQ(Gunzip(bytes), input);
    ::lseek(gz->fd.get(), 0, SEEK_SET);
    absl::StatusOr<std::string> sha = Sha256OfFd(gz->fd.get(), "gz");
    ASSERT_TRUE(sha.ok());
    EXPECT_EQ(*sha, gz->digest);
    digest = gz->digest;
  }
  EXPECT_EQ(digests[0], digests[1]);
  std::vector<std::string> names = ListDir(tmp.path()).value();
  EXPECT_EQ(names, std::vector<std::string>{"layer.tar"});  // the output had no name
}

TEST(LayerGzipTest, CancelStops) {
  TempDir tmp;
  std::string path = tmp / "layer.tar";
  ASSERT_TRUE(WriteFileAtomic(path, Input()).ok());
  UniqueFd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  volatile std::sig_atomic_t cancel = 1;
  absl::StatusOr<Compressed> gz = Compress(in.get(), tmp.path(), &cancel);
  EXPECT_TRUE(absl::IsCancelled(gz.status())) << gz.status();
}

}  // namespace
}  // namespace mydocker::layer_gzip
