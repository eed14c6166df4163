// Test helpers for the image tests: builds tar archives with libarchive's writer (including the
// hostile ones a real tar tool refuses to make) and a temporary directory removed afterwards.
#ifndef MYDOCKER_IMAGE_TEST_TAR_H_
#define MYDOCKER_IMAGE_TEST_TAR_H_

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <string>

#include "gtest/gtest.h"
#include "mydocker/fs_util.h"

namespace mydocker::testing {

class TestTar {
 public:
  // `gnu`: GNU tar's format (long names as 'L' entries) instead of pax.
  explicit TestTar(std::string path, bool gzip = false, bool gnu = false) : path_(std::move(path)) {
    archive_ = archive_write_new();
    if (gnu) {
      archive_write_set_format_gnutar(archive_);
    } else {
      archive_write_set_format_pax_restricted(archive_);
    }
    if (gzip) archive_write_add_filter_gzip(archive_);
    EXPECT_EQ(archive_write_open_filename(archive_, path_.c_str()), ARCHIVE_OK);
  }
  ~TestTar() { Close(); }

  TestTar& File(const std::string& name, const std::string& content, int mode = 0644, int uid = 0,
                int gid = 0) {
    return Add(name, AE_IFREG, mode, content, [&](archive_entry* e) {
      archive_entry_set_uid(e, uid);
      archive_entry_set_gid(e, gid);
    });
  }
  TestTar& Dir(const std::string& name, int mode = 0755, time_t mtime = 1000000000) {
    return Add(name, AE_IFDIR, mode, "",
               [&](archive_entry* e) { archive_entry_set_mtime(e, mtime, 0); });
  }
  TestTar& Symlink(const std::string& name, const std::string& target) {
    return Add(name, AE_IFLNK, 0777, "",
               [&](archive_entry* e) { archive_entry_set_symlink(e, target.c_str()); });
  }
  TestTar& HardLink(const std::string& name, const std::string& target) {
    return Add(name, AE_IFREG, 0644, "",
               [&](archive_entry* e) { archive_entry_set_hardlink(e, target.c_str()); });
  }
  TestTar& Node(const std::string& name, mode_t type) {
    return Add(name, type, 0666, "", [](archive_entry* e) { archive_entry_set_rdev(e, 0x0103); });
  }

  const std::string& path() const { return path_; }
  void Close() {
    if (archive_ == nullptr) return;
    archive_write_close(archive_);
    archive_write_free(archive_);
    archive_ = nullptr;
  }

 private:
  template <typename Fn>
  TestTar& Add(const std::string& name, mode_t type, int mode, const std::string& content,
               Fn extra) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, mode);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_entry_set_mtime(e, 1500000000, 0);
    extra(e);
    EXPECT_EQ(archive_write_header(archive_, e), ARCHIVE_OK) << archive_error_string(archive_);
    if (!content.empty()) archive_write_data(archive_, content.data(), content.size());
    archive_entry_free(e);
    return *this;
  }

  std::string path_;
  archive* archive_ = nullptr;
};

// A fresh directory under `base` (/tmp), removed with everything in it at the end of the test.
class TempDir {
 public:
  explicit TempDir(const std::string& base = "/tmp") {
    std::string tmpl = base + "/mydocker-image-test-XXXXXX";
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { EXPECT_TRUE(RemoveAll(path_).ok()); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace mydocker::testing

#endif  // MYDOCKER_IMAGE_TEST_TAR_H_
