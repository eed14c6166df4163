// The JSON forms of images on disk: the image config (OCI image spec / Docker form, whose
// SHA-256 is the image id), the image record that wraps it, and repositories.json.
#ifndef MYDOCKER_IMAGE_IMAGE_JSON_H_
#define MYDOCKER_IMAGE_IMAGE_JSON_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mydocker/image_store.h"

namespace mydocker {

// The image config document for `image` (created, config, rootfs.diff_ids = image.layers, one
// history entry with `comment`). Its bytes are hashed for the id, so callers keep them as is.
std::string SerializeImageConfig(const Image& image, absl::string_view comment);

// This machine's architecture as image configs and platforms name it ("amd64", "arm64").
extern const char kImageArchitecture[];

// Whether `digest` is "sha256:" and 64 lowercase hex digits.
bool IsSha256Digest(absl::string_view digest);

// "sha256:<hex>" of `data`.
std::string Sha256Digest(absl::string_view data);

// The record stored as images/<hex>.json: {"id", "size", "config": "<config bytes>"}. The config
// is kept as a string so that its exact bytes (which hash to the id) come back for `save`.
// Tags are not part of it (they live in repositories.json).
std::string SerializeImageRecord(const Image& image, absl::string_view config_json);

// Reads a record back: id, size, created, layers, history and the run defaults. `path` names the
// file in errors (InvalidArgument for a malformed record).
absl::StatusOr<Image> ParseImageRecord(absl::string_view json, absl::string_view path);

// The config bytes of a record. (Records of earlier versions held the config as an object,
// written compactly by us: written back the same way, it gives the same bytes.)
absl::StatusOr<std::string> RecordConfigJson(absl::string_view json, absl::string_view path);

// Reads an image config document (Docker's or OCI's): created (optional), rootfs.diff_ids,
// history and the run defaults into `image` (id, size and tags untouched).
absl::Status ParseImageConfig(absl::string_view config_json, Image* image, absl::string_view path);

// What a new image (load) must satisfy to be runnable, checked before it is stored: no NUL byte in
// Env, Cmd, Entrypoint, WorkingDir, User, Volumes or Labels (no process can be given one). Images
// stored before are read as they are.
absl::Status ValidateRunConfig(const ImageConfig& config, absl::string_view path);

// The config of an image made by adding the layer `diff_id` on top of the image whose config is
// `parent`: everything of the parent kept, `created` set, the layer and a history entry
// (`created_by`, `comment`) appended.
absl::StatusOr<std::string> ExtendImageConfig(absl::string_view parent, absl::string_view diff_id,
                                              absl::Time created, absl::string_view created_by,
                                              absl::string_view comment);

// `config_json` with `config` applied (commit, import): the set fields replace those of "config",
// ports, labels and volumes are added, "author" set when given.
absl::StatusOr<std::string> ApplyCommitConfig(absl::string_view config_json,
                                              const CommitConfig& config);

// repositories.json: {"name:tag": "sha256:<hex>", ...}.
using Repositories = std::map<std::string, std::string>;
std::string SerializeRepositories(const Repositories& repositories);
absl::StatusOr<Repositories> ParseRepositories(absl::string_view json, absl::string_view path);

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_IMAGE_JSON_H_
