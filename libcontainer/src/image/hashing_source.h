// The uncompressed bytes of an archive file, hashed with SHA-256 as they are read.
//
// A layer's diff id is the digest of its tar stream before compression, so the tar reader is fed
// through this source: one libarchive reader detects and removes any compression (raw format, all
// filters), this class hashes its output and hands it to a second reader that parses the tar.
#ifndef MYDOCKER_IMAGE_HASHING_SOURCE_H_
#define MYDOCKER_IMAGE_HASHING_SOURCE_H_

#include <archive.h>
#include <nettle/sha2.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

class HashingSource {
 public:
  static absl::StatusOr<std::unique_ptr<HashingSource>> Open(const std::string& path);
  ~HashingSource();
  HashingSource(const HashingSource&) = delete;
  HashingSource& operator=(const HashingSource&) = delete;

  // Attaches a new read-only archive that parses the uncompressed stream as a tar archive.
  // REQUIRES: `tar` was created by archive_read_new and has its formats set; called once.
  absl::Status Attach(struct archive* tar);

  // Reads and hashes whatever the tar reader left (blocks after the end-of-archive marker) and
  // returns "sha256:<hex>" of the whole uncompressed stream. Call after the tar reader's EOF.
  absl::StatusOr<std::string> Finish();

  // The first error the source itself met, to report instead of libarchive's generic one.
  const absl::Status& error() const { return error_; }

 private:
  HashingSource(std::string path, struct archive* raw)
      : path_(std::move(path)), raw_(raw), buffer_(64 * 1024) {
    sha256_init(&sha_);
  }
  static la_ssize_t ReadCallback(struct archive* tar, void* self, const void** data);
  la_ssize_t Read(const void** data);

  std::string path_;
  UniqueFd fd_;  // outlives raw_, which reads from it
  struct archive* raw_;
  // Nettle rather than OpenSSL: one small function set instead of 1.5 MB of libcrypto in the
  // statically linked CLI (docs/performance.md).
  struct sha256_ctx sha_;
  std::vector<char> buffer_;
  bool empty_ = false;  // the file held no data at all
  absl::Status error_;
};

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_HASHING_SOURCE_H_
