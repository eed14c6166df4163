// The JSON forms of images on disk: the image config (OCI image spec / Docker form, whose
// SHA-256 is the image id), the image record that wraps it, and repositories.json.
#ifndef MYDOCKER_IMAGE_IMAGE_JSON_H_
#define MYDOCKER_IMAGE_IMAGE_JSON_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/image_store.h"

namespace mydocker {

// The image config document for `image` (created, config, rootfs.diff_ids = image.layers, one
// history entry with `comment`). Its bytes are hashed for the id, so callers keep them as is.
std::string SerializeImageConfig(const Image& image, absl::string_view comment);

// "sha256:<hex>" of `data`.
std::string Sha256Digest(absl::string_view data);

// The record stored as images/<hex>.json: {"id", "size", "config": <config bytes verbatim>}.
// Tags are not part of it (they live in repositories.json).
std::string SerializeImageRecord(const Image& image, absl::string_view config_json);

// Reads a record back: id, size, created, layers and the run defaults. `path` names the file in
// errors (InvalidArgument for a malformed record).
absl::StatusOr<Image> ParseImageRecord(absl::string_view json, absl::string_view path);

// repositories.json: {"name:tag": "sha256:<hex>", ...}.
using Repositories = std::map<std::string, std::string>;
std::string SerializeRepositories(const Repositories& repositories);
absl::StatusOr<Repositories> ParseRepositories(absl::string_view json, absl::string_view path);

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_IMAGE_JSON_H_
