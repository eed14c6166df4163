#include "image/layer_gzip.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"

namespace mydocker::layer_gzip {
namespace {

constexpr size_t kBuffer = 128 * 1024;

ssize_t ReadSome(int fd, char* buf, size_t size) {
  ssize_t n;
  do {
    n = ::read(fd, buf, size);
  } while (n < 0 && errno == EINTR);
  return n;
}

// Deflates `in` to its end into `out`, hashing the output into `sha`; returns the bytes written.
class Deflater {
 public:
  Deflater() : in_(kBuffer), out_(kBuffer) {}
  ~Deflater() {
    if (ready_) deflateEnd(&z_);
  }
  absl::StatusOr<int64_t> Run(int in, int out, struct sha256_ctx* sha,
                              const volatile std::sig_atomic_t* cancel);

 private:
  absl::Status Drain(int out, int flush, struct sha256_ctx* sha);

  z_stream z_{};
  bool ready_ = false;
  int64_t written_ = 0;
  std::vector<char> in_, out_;
};

absl::Status Deflater::Drain(int out, int flush, struct sha256_ctx* sha) {
  do {
    z_.next_out = reinterpret_cast<Bytef*>(out_.data());
    z_.avail_out = static_cast<uInt>(out_.size());
    int rc = deflate(&z_, flush);
    if (rc == Z_STREAM_ERROR) return absl::InternalError("gzip: deflate failed");
    size_t n = out_.size() - z_.avail_out;
    sha256_update(sha, n, reinterpret_cast<const uint8_t*>(out_.data()));
    MYDOCKER_RETURN_IF_ERROR(WriteAll(out, absl::string_view(out_.data(), n), "compressed layer"));
    written_ += static_cast<int64_t>(n);
  } while (z_.avail_out == 0);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Deflater::Run(int in, int out, struct sha256_ctx* sha,
                                      const volatile std::sig_atomic_t* cancel) {
  // windowBits 15 + 16: a gzip wrapper whose header zlib writes without name or time.
  if (deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return absl::InternalError("gzip: deflateInit2 failed");
  }
  ready_ = true;
  for (;;) {
    if (cancel != nullptr && *cancel != 0) return absl::CancelledError("interrupted");
    ssize_t n = ReadSome(in, in_.data(), in_.size());
    if (n < 0) return LastErrnoError("read layer");
    z_.next_in = reinterpret_cast<Bytef*>(in_.data());
    z_.avail_in = static_cast<uInt>(n);
    MYDOCKER_RETURN_IF_ERROR(Drain(out, n == 0 ? Z_FINISH : Z_NO_FLUSH, sha));
    if (n == 0) return written_;
  }
}

}  // namespace

absl::StatusOr<Compressed> Compress(int in, const std::string& dir,
                                    const volatile std::sig_atomic_t* cancel) {
  Compressed out;
  MYDOCKER_ASSIGN_OR_RETURN(out.fd, CreateUnnamedFile(dir));
  struct sha256_ctx sha;
  sha256_init(&sha);
  Deflater deflater;
  MYDOCKER_ASSIGN_OR_RETURN(out.size, deflater.Run(in, out.fd.get(), &sha, cancel));
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&sha, sizeof digest, digest);
  out.digest = absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                           reinterpret_cast<const char*>(digest), sizeof digest)));
  return out;
}

}  // namespace mydocker::layer_gzip
