// Where a layer's compressed blob is known to be (Docker's "v2 metadata"): a pull records, for
// each layer (by diff id), the digest, size and media type of the blob it came as and the
// repository it came from. A push to the same registry then names that blob in its manifest
// instead of uploading the uncompressed stream: the registry has it (HEAD) or mounts it from the
// repository it was pulled from, so a pulled image is pushed with its original digests.
// Kept in <root>/distribution/v2metadata-by-diffid/<hex>.json; a record whose layer is gone is
// harmless (the blob it names is still that layer), so removals leave them.
#ifndef MYDOCKER_IMAGE_LAYER_SOURCES_H_
#define MYDOCKER_IMAGE_LAYER_SOURCES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker::layer_sources {

struct LayerSource {
  std::string digest;      // "sha256:<hex>" of the compressed blob
  std::string media_type;  // as the manifest named it
  int64_t size = 0;
  std::string domain;      // "127.0.0.1:5000", "docker.io"
  std::string repository;  // "library/busybox"
};

// The sources recorded for `diff_id` (none when there is no record or it is unreadable).
std::vector<LayerSource> Load(const std::string& root, absl::string_view diff_id);

// Adds `source` to those of `diff_id` (replacing one with the same digest and repository; at
// most a few dozen kept, the newest). REQUIRES: the store lock is held.
absl::Status Add(const std::string& root, absl::string_view diff_id, const LayerSource& source);

// The media type a recorded blob gets in an OCI manifest: Docker's gzip layer type becomes
// OCI's (the same bytes); others are kept.
std::string OciMediaType(const std::string& media_type);

}  // namespace mydocker::layer_sources

#endif  // MYDOCKER_IMAGE_LAYER_SOURCES_H_
