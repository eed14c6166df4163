// A stored layer's tar stream gzip-compressed for a push, as Docker pushes layers: streamed
// through zlib into an unnamed file of the state root (never the whole layer in memory), hashed
// as it is written. The output is deterministic (no name or time in the gzip header, fixed
// level), so the same layer compresses to the same blob every time: pushed again to another
// registry it is a blob the registry may already have or mount.
#ifndef MYDOCKER_IMAGE_LAYER_GZIP_H_
#define MYDOCKER_IMAGE_LAYER_GZIP_H_

#include <csignal>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "mydocker/unique_fd.h"

namespace mydocker::layer_gzip {

// The media type of a gzip-compressed layer in an OCI manifest.
inline constexpr char kOciGzipLayerType[] = "application/vnd.oci.image.layer.v1.tar+gzip";

struct Compressed {
  UniqueFd fd;         // the compressed bytes, an unnamed file gone when closed
  std::string digest;  // "sha256:<hex>" of them
  int64_t size = 0;
};

// Compresses what `in` holds from its current offset to its end into an unnamed file under
// `dir` (O_TMPFILE: nothing stays behind, even if the process is killed). Cancelled as soon as
// *cancel is set (when not null).
absl::StatusOr<Compressed> Compress(int in, const std::string& dir,
                                    const volatile std::sig_atomic_t* cancel);

}  // namespace mydocker::layer_gzip

#endif  // MYDOCKER_IMAGE_LAYER_GZIP_H_
