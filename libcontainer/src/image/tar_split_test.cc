#include "image/tar_split.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "image/image_json.h"
#include "image/layer_unpacker.h"
#include "image/test_tar.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

using ::mydocker::testing::TempDir;
using ::mydocker::testing::TestTar;
using ::testing::HasSubstr;

class TarSplitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(MakeDirs(layer_ + "/diff", 0700).ok());
    layer_fd_ = UniqueFd(::open(layer_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(layer_fd_);
  }

  // Unpacks `tar` into the layer recording it; returns the diff id.
  std::string Store(const std::string& tar) {
    std::string record_path = layer_ + "/" + kTarSplitName;
    UniqueFd record(::open(record_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    EXPECT_TRUE(record);
    auto split = TarSplitWriter::Create(record.get(), record_path);
    EXPECT_TRUE(split.ok()) << split.status();
    UnpackOptions options;
    options.split = split->get();
    options.layer_fd = layer_fd_.get();
    auto unpacked = LayerUnpacker::Unpack(tar, layer_ + "/diff", options);
    EXPECT_TRUE(unpacked.ok()) << unpacked.status();
    return unpacked.ok() ? unpacked->diff_id : "";
  }

  absl::StatusOr<std::string> Rebuild(const std::string& diff_id) {
    std::string out_path = tmp_ / "rebuilt.tar";
    ::unlink(out_path.c_str());
    UniqueFd out(::open(out_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) return absl::InternalError("create output");
    absl::StatusOr<int64_t> size = RebuildLayerStream(layer_fd_.get(), diff_id, out.get());
    if (!size.ok()) return size.status();
    absl::StatusOr<std::string> data = ReadFile(out_path);
    if (data.ok()) {
      EXPECT_EQ(static_cast<int64_t>(data->size()), *size);
    }
    return data;
  }

  // Stores `tar` and checks that the rebuilt stream is the archive byte for byte.
  void ExpectRoundTrip(const std::string& tar) {
    std::string diff_id = Store(tar);
    ASSERT_FALSE(diff_id.empty());
    absl::StatusOr<std::string> rebuilt = Rebuild(diff_id);
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
    absl::StatusOr<std::string> original = ReadFile(tar);
    ASSERT_TRUE(original.ok());
    EXPECT_TRUE(*rebuilt == *original) << "rebuilt stream differs from the archive";
  }

  // Records a one-file stream ("f", 5 bytes) as if the unpacker had written `files`.
  absl::Status RecordByHand(const std::vector<UnpackedFile>& files, std::string* stream) {
    std::string record_path = layer_ + "/" + kTarSplitName;
    UniqueFd record(::open(record_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    auto split = TarSplitWriter::Create(record.get(), record_path);
    if (!split.ok()) return split.status();
    TestTar tar(tmp_ / "one.tar");
    tar.File("f", "12345");
    tar.Close();
    *stream = *ReadFile(tar.path());
    MYDOCKER_RETURN_IF_ERROR((*split)->Feed(stream->data(), stream->size()));
    return (*split)->Finish(files);
  }

  int64_t RecordSize() {
    struct stat st = {};
    EXPECT_EQ(::stat((layer_ + "/" + kTarSplitName).c_str(), &st), 0);
    return st.st_size;
  }

  TempDir tmp_;
  std::string layer_ = tmp_ / "layer";
  UniqueFd layer_fd_;
};

TEST_F(TarSplitTest, RebuildsOrdinaryTreeWithoutKeepingContent) {
  TestTar tar(tmp_ / "a.tar");
  std::string big(300000, 'x');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>(i);
  tar.Dir("./")
      .Dir("etc")
      .File("etc/big", big)
      .File("etc/small", "hello\n", 04755, 12, 34)
      .File("etc/empty", "")
      .Symlink("etc/link", "/etc/big")
      .HardLink("etc/hard", "etc/small")
      .Node("etc/fifo", AE_IFIFO);
  tar.Close();
  ExpectRoundTrip(tar.path());
  // The file contents are referenced, not copied: the record is a small part of the stream.
  EXPECT_LT(RecordSize(), 4096);
}

TEST_F(TarSplitTest, RebuildsPaxAndGnuLongNames) {
  std::string deep = "d/" + std::string(150, 'n') + "/" + std::string(120, 'f');
  for (bool gnu : {false, true}) {
    SCOPED_TRACE(gnu ? "gnu" : "pax");
    TempDir sub;
    TestTar tar(sub / "long.tar", false, gnu);
    tar.Dir("d").File(deep, "content of a long name").HardLink("d/h", deep);
    tar.File("d/" + std::string(110, 'l'), "x").Symlink("d/s", std::string(200, 't'));
    tar.Close();
    ASSERT_TRUE(RemoveAll(layer_ + "/diff").ok());
    ASSERT_TRUE(MakeDirs(layer_ + "/diff", 0700).ok());
    ::unlink((layer_ + "/" + kTarSplitName).c_str());
    ExpectRoundTrip(tar.path());
  }
}

TEST_F(TarSplitTest, RebuildsWhiteoutsFromTheirHeaders) {
  TestTar tar(tmp_ / "wh.tar");
  tar.Dir("etc").File("etc/.wh.passwd", "").File("etc/.wh..wh..opq", "").File("etc/keep", "k");
  tar.File(".wh..wh.plnk", "aufs").File("etc/.wh.content", "whiteout with data");
  tar.Close();
  ExpectRoundTrip(tar.path());
}

TEST_F(TarSplitTest, KeepsAFileThatALaterEntryReplaces) {
  TestTar tar(tmp_ / "dup.tar");
  tar.File("a", "first version").File("b", "bee").File("a", "second");
  tar.Dir("d").File("d/x", "under d").File(".wh.b", "").Dir("a");
  tar.Close();
  ExpectRoundTrip(tar.path());
  EXPECT_TRUE(PathExists(layer_ + "/replaced/0"));  // "first version"
  EXPECT_TRUE(PathExists(layer_ + "/replaced/1"));  // "bee", whited out
}

TEST_F(TarSplitTest, KeepsBytesAfterTheEndOfTheArchive) {
  TestTar tar(tmp_ / "tail.tar");
  tar.File("f", std::string(1000, 'f'));
  tar.Close();
  {
    UniqueFd fd(::open(tar.path().c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    ASSERT_TRUE(WriteAll(fd.get(), std::string(2048, '\0') + "trailing bytes", tar.path()).ok());
  }
  ExpectRoundTrip(tar.path());
}

TEST_F(TarSplitTest, KeepsSparseFilesVerbatim) {
  std::string path = tmp_ / "sparse.tar";
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "sparse");
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_entry_set_size(e, 1 << 20);
  archive_entry_sparse_add_entry(e, 0, 4096);
  archive_entry_sparse_add_entry(e, 1 << 19, 4096);
  ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
  std::string data(4096, 's');
  archive_write_data(a, data.data(), data.size());
  archive_write_data(a, data.data(), data.size());
  archive_entry_free(e);
  archive_entry* f = archive_entry_new();
  archive_entry_set_pathname(f, "after");
  archive_entry_set_filetype(f, AE_IFREG);
  archive_entry_set_perm(f, 0644);
  archive_entry_set_size(f, 5);
  ASSERT_EQ(archive_write_header(a, f), ARCHIVE_OK);
  archive_write_data(a, "after", 5);
  archive_entry_free(f);
  archive_write_close(a);
  archive_write_free(a);
  ExpectRoundTrip(path);
}

TEST_F(TarSplitTest, RefusesAFileChangedAfterItWasStored) {
  TestTar tar(tmp_ / "c.tar");
  tar.File("f", "original content").File("g", "other");
  tar.Close();
  std::string diff_id = Store(tar.path());
  // Same size, other bytes: only the digest can tell.
  ASSERT_TRUE(WriteFileNoSync(layer_ + "/diff/f", "ORIGINAL content", false).ok());
  absl::StatusOr<std::string> rebuilt = Rebuild(diff_id);
  EXPECT_EQ(rebuilt.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(rebuilt.status().message(), HasSubstr("changed since the layer was stored"));
  // Another size is refused before it is read.
  ASSERT_TRUE(WriteFileNoSync(layer_ + "/diff/g", "longer than before", false).ok());
  rebuilt = Rebuild(diff_id);
  EXPECT_EQ(rebuilt.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(rebuilt.status().message(), HasSubstr("diff/g changed"));
}

TEST_F(TarSplitTest, NeverFollowsASymlinkInTheLayer) {
  TestTar tar(tmp_ / "s.tar");
  tar.File("f", "root:x:0:0:root:/root:/bin/bash\n");
  tar.Close();
  std::string diff_id = Store(tar.path());
  ASSERT_EQ(::unlink((layer_ + "/diff/f").c_str()), 0);
  std::string outside = tmp_ / "outside";
  ASSERT_TRUE(WriteFileNoSync(outside, "root:x:0:0:root:/root:/bin/bash\n", true).ok());
  ASSERT_EQ(::symlink(outside.c_str(), (layer_ + "/diff/f").c_str()), 0);
  absl::StatusOr<std::string> rebuilt = Rebuild(diff_id);
  EXPECT_EQ(rebuilt.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(TarSplitTest, RefusesALocationOutsideTheLayer) {
  std::string stream;
  ASSERT_TRUE(RecordByHand({{5, "diff/../../outside"}}, &stream).ok());
  absl::StatusOr<std::string> rebuilt = Rebuild(Sha256Digest(stream));
  EXPECT_EQ(rebuilt.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(rebuilt.status().message(), HasSubstr("file location"));
}

// A damaged record (any byte of it changed) gives an error or the exact stream, nothing else.
TEST_F(TarSplitTest, SurvivesEveryDamagedByteOfItsRecord) {
  TestTar tar(tmp_ / "d.tar");
  tar.Dir("d").File("d/a", "alpha").File("d/a", "again").File("d/b", std::string(700, 'b'));
  tar.Close();
  std::string diff_id = Store(tar.path());
  std::string record_path = layer_ + "/" + kTarSplitName;
  std::string record = *ReadFile(record_path);
  std::string original = *ReadFile(tar.path());
  int refused = 0;
  for (size_t i = 0; i < record.size(); ++i) {
    std::string damaged = record;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    ASSERT_TRUE(WriteFileNoSync(record_path, damaged, false).ok());
    absl::StatusOr<std::string> rebuilt = Rebuild(diff_id);
    if (rebuilt.ok()) {
      EXPECT_TRUE(*rebuilt == original) << "byte " << i;
    } else {
      ++refused;
    }
  }
  EXPECT_GT(refused, static_cast<int>(record.size()) / 2);
}

TEST_F(TarSplitTest, RefusesFilesTheReaderSawDifferently) {
  std::string stream;
  EXPECT_EQ(RecordByHand({{4, "diff/f"}}, &stream).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mydocker
