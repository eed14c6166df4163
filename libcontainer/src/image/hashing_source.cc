#include "image/hashing_source.h"

#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

absl::Status ArchiveError(struct archive* a, const std::string& what) {
  const char* message = archive_error_string(a);
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": ", message != nullptr ? message : "unknown archive error"));
}

// Reads `read` to its end (it hashes what it reads into `sha`) and returns the digest.
absl::StatusOr<std::string> DigestRest(const std::function<la_ssize_t(const void**)>& read,
                                       struct sha256_ctx* sha) {
  const void* data = nullptr;
  while (true) {
    la_ssize_t n = read(&data);
    if (n < 0) return absl::InternalError("read failed");
    if (n == 0) break;
  }
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(sha, sizeof digest, digest);
  return absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(digest), sizeof digest)));
}

absl::Status WriteAll(int fd, const char* data, size_t size, absl::string_view name) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return LastErrnoError(absl::StrCat("copy ", name));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Only decompressors built into libarchive. archive_read_support_filter_all would also run
// external programs (lrzip, grzip, lzop, ...) as root on whatever an archive holds, and the
// gzip, bzip2, xz, zstd and lz4 readers themselves fall back to an external program when
// libarchive was built without the library (whose version function then returns null).
void SupportBuiltInFilters(struct archive* raw) {
  archive_read_support_filter_none(raw);
  if (archive_zlib_version() != nullptr) archive_read_support_filter_gzip(raw);
  if (archive_bzlib_version() != nullptr) archive_read_support_filter_bzip2(raw);
  if (archive_liblzma_version() != nullptr) archive_read_support_filter_xz(raw);
  if (archive_libzstd_version() != nullptr) archive_read_support_filter_zstd(raw);
  if (archive_liblz4_version() != nullptr) archive_read_support_filter_lz4(raw);
}

}  // namespace

absl::StatusOr<std::unique_ptr<HashingSource>> HashingSource::Open(const std::string& path) {
  // Opened here rather than by libarchive: close-on-exec, and an errno message naming the path.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return LastErrnoError(absl::StrCat("open ", path));
  return OpenFd(std::move(fd), path);
}

absl::StatusOr<std::unique_ptr<HashingSource>> HashingSource::OpenFd(UniqueFd fd,
                                                                     std::string name) {
  struct archive* raw = archive_read_new();
  if (raw == nullptr) return absl::ResourceExhaustedError("allocate archive reader");
  std::unique_ptr<HashingSource> source(new HashingSource(std::move(name), raw));
  const std::string& path = source->path_;
  source->fd_ = std::move(fd);
  SupportBuiltInFilters(raw);
  archive_read_support_format_raw(raw);
  if (archive_read_open_fd(raw, source->fd_.get(), 64 * 1024) != ARCHIVE_OK) {
    return ArchiveError(raw, absl::StrCat("read ", path));
  }
  struct archive_entry* entry = nullptr;
  int r = archive_read_next_header(raw, &entry);
  // An empty file has no "raw" entry; it is then an empty stream, which the tar reader rejects.
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN && r != ARCHIVE_EOF) {
    return ArchiveError(raw, absl::StrCat("read ", path));
  }
  source->empty_ = r == ARCHIVE_EOF;
  return source;
}

HashingSource::~HashingSource() { archive_read_free(raw_); }

absl::Status HashingSource::Attach(struct archive* tar) {
  if (archive_read_open(tar, this, nullptr, &HashingSource::ReadCallback, nullptr) != ARCHIVE_OK) {
    if (!error_.ok()) return error_;
    return ArchiveError(tar, absl::StrCat("read ", path_));
  }
  return absl::OkStatus();
}

la_ssize_t HashingSource::ReadCallback(struct archive* tar, void* self, const void** data) {
  auto* source = static_cast<HashingSource*>(self);
  la_ssize_t n = source->Read(data);
  if (n < 0) archive_set_error(tar, EIO, "%s", std::string(source->error_.message()).c_str());
  return n;
}

la_ssize_t HashingSource::Read(const void** data) {
  if (empty_) return 0;
  la_ssize_t n = archive_read_data(raw_, buffer_.data(), buffer_.size());
  if (n < 0) {
    error_ = ArchiveError(raw_, absl::StrCat("read ", path_));
    return -1;
  }
  if (n > 0) {
    sha256_update(&sha_, static_cast<size_t>(n), reinterpret_cast<const uint8_t*>(buffer_.data()));
  }
  if (n > 0 && split_ != nullptr) {
    absl::Status split = split_->Feed(buffer_.data(), static_cast<size_t>(n));
    if (!split.ok()) {
      error_ = split;
      return -1;
    }
  }
  bytes_ += n;
  if (limit_ >= 0 && bytes_ > limit_) {
    error_ = absl::ResourceExhaustedError(absl::StrCat(path_, " unpacks to more than the ", limit_,
                                                       " bytes the state root has room for"));
    return -1;
  }
  *data = buffer_.data();
  return n;
}

absl::StatusOr<std::string> HashingSource::Finish() {
  absl::StatusOr<std::string> digest =
      DigestRest([this](const void** data) { return Read(data); }, &sha_);
  if (!error_.ok()) return error_;
  return digest;
}

absl::StatusOr<std::string> UncompressedDigest(const std::string& path) {
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<HashingSource> source, HashingSource::Open(path));
  return source->Finish();
}

absl::StatusOr<std::string> Sha256OfFd(int fd, absl::string_view name) {
  struct sha256_ctx sha;
  sha256_init(&sha);
  std::vector<char> buffer(64 * 1024);
  absl::Status error;
  auto read = [&](const void** data) -> la_ssize_t {
    ssize_t n;
    do {
      n = ::read(fd, buffer.data(), buffer.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      error = LastErrnoError(absl::StrCat("read ", name));
      return -1;
    }
    if (n > 0) {
      sha256_update(&sha, static_cast<size_t>(n), reinterpret_cast<const uint8_t*>(buffer.data()));
    }
    *data = buffer.data();
    return n;
  };
  absl::StatusOr<std::string> digest = DigestRest(read, &sha);
  if (!error.ok()) return error;
  return digest;
}

}  // namespace mydocker
