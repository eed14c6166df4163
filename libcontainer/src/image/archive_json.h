// The JSON documents of image archives: Docker's `docker save` manifest.json and repositories,
// and the OCI image layout's index.json and image manifests (image-spec v1.0/v1.1; Docker's
// distribution media types are accepted alongside OCI's).
#ifndef MYDOCKER_IMAGE_ARCHIVE_JSON_H_
#define MYDOCKER_IMAGE_ARCHIVE_JSON_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker {

inline constexpr char kOciIndexType[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kOciManifestType[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kOciConfigType[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kOciLayerType[] = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char kDockerListType[] =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kDockerManifestType[] =
    "application/vnd.docker.distribution.manifest.v2+json";
// Annotations naming an image in an index: a full reference (containerd, Docker) or, per the
// OCI spec, a reference or only a tag.
inline constexpr char kContainerdNameAnnotation[] = "io.containerd.image.name";
inline constexpr char kRefNameAnnotation[] = "org.opencontainers.image.ref.name";

// An OCI content descriptor.
struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<hex>"
  int64_t size = -1;   // -1: not given
  std::map<std::string, std::string> annotations;
  std::string os, architecture, variant;  // platform, when given
};

struct OciManifest {
  Descriptor config;
  std::vector<Descriptor> layers;
};

// One image of a Docker save archive's manifest.json.
struct DockerManifestEntry {
  std::string config;  // path inside the archive
  std::vector<std::string> repo_tags;
  std::vector<std::string> layers;  // paths inside the archive, bottom layer first
};

// Parsers: `what` names the document in errors (InvalidArgument when malformed).
absl::StatusOr<std::vector<Descriptor>> ParseOciIndex(absl::string_view json,
                                                      absl::string_view what);
absl::StatusOr<OciManifest> ParseOciManifest(absl::string_view json, absl::string_view what);
absl::StatusOr<std::vector<DockerManifestEntry>> ParseDockerManifest(absl::string_view json,
                                                                     absl::string_view what);

// Writers (compact JSON).
std::string SerializeOciManifest(const OciManifest& manifest);
std::string SerializeOciIndex(const std::vector<Descriptor>& manifests);
std::string SerializeDockerManifest(const std::vector<DockerManifestEntry>& entries);
// Docker's legacy "repositories": {"name": {"tag": "<hex of the top layer>"}}.
std::string SerializeDockerRepositories(
    const std::map<std::string, std::map<std::string, std::string>>& repositories);

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_ARCHIVE_JSON_H_
