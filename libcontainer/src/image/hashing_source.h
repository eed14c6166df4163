// The uncompressed bytes of an archive file, hashed with SHA-256 as they are read.
//
// A layer's diff id is the digest of its tar stream before compression, so the tar reader is fed
// through this source: one libarchive reader detects and removes any compression (raw format,
// the filters built into libarchive), this class hashes its output and hands it to a second reader
// that parses the tar.
#ifndef MYDOCKER_IMAGE_HASHING_SOURCE_H_
#define MYDOCKER_IMAGE_HASHING_SOURCE_H_

#include <archive.h>
#include <nettle/sha2.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "image/tar_split.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

class HashingSource {
 public:
  static absl::StatusOr<std::unique_ptr<HashingSource>> Open(const std::string& path);
  // The same over an open file; `name` names it in errors.
  static absl::StatusOr<std::unique_ptr<HashingSource>> OpenFd(UniqueFd fd, std::string name);
  ~HashingSource();
  HashingSource(const HashingSource&) = delete;
  HashingSource& operator=(const HashingSource&) = delete;

  // Attaches a new read-only archive that parses the uncompressed stream as a tar archive.
  // REQUIRES: `tar` was created by archive_read_new and has its formats set; called once.
  absl::Status Attach(struct archive* tar);

  // Reads and hashes whatever the tar reader left (blocks after the end-of-archive marker) and
  // returns "sha256:<hex>" of the whole uncompressed stream. Call after the tar reader's EOF.
  absl::StatusOr<std::string> Finish();

  // Also feeds the uncompressed stream to `split` (not owned), which records its headers.
  // REQUIRES: called before Attach.
  void SplitTo(TarSplitWriter* split) { split_ = split; }

  // Fails reading (ResourceExhausted) once the uncompressed stream passes `max_bytes`: a small
  // compressed archive must not unpack until the disk is full.
  void LimitTo(int64_t max_bytes) { limit_ = max_bytes; }

  // Bytes of uncompressed stream read so far.
  int64_t bytes() const { return bytes_; }

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
  TarSplitWriter* split_ = nullptr;
  int64_t bytes_ = 0;
  int64_t limit_ = -1;  // none
  absl::Status error_;
};

// "sha256:<hex>" of the uncompressed stream of the archive file at `path` (no tar parsing).
absl::StatusOr<std::string> UncompressedDigest(const std::string& path);

// "sha256:<hex>" of the bytes of `fd` from its current offset to its end.
absl::StatusOr<std::string> Sha256OfFd(int fd, absl::string_view name);

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_HASHING_SOURCE_H_
