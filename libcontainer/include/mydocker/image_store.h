// Images under a state root. Layers are unpacked once, read-only, and shared by every image and
// container that uses them:
//
//   <root>/layers/sha256/<hex>/diff/      unpacked layer content (an overlay lower directory)
//   <root>/images/<hex>.json              image record (config + metadata), <hex> = image id
//   <root>/images/repositories.json       "name:tag" -> image id
//
// Thread-safe; concurrent processes are serialised by a lock file under images/.
#ifndef MYDOCKER_IMAGE_STORE_H_
#define MYDOCKER_IMAGE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mydocker {

// The part of an image's config that run uses as defaults (OCI image config / Docker's).
struct ImageConfig {
  std::vector<std::string> env;
  std::vector<std::string> cmd;
  std::vector<std::string> entrypoint;
  std::string working_dir;
  std::string user;
  std::vector<std::string> exposed_ports;
};

struct Image {
  std::string id;                 // "sha256:<64 hex>"
  std::vector<std::string> tags;  // "busybox:latest"
  absl::Time created;
  int64_t size = 0;                 // bytes of unpacked content
  std::vector<std::string> layers;  // diff ids "sha256:<hex>", bottom layer first
  ImageConfig config;
};

// Splits "name[:tag]" (tag defaults to "latest") and validates it like Docker.
absl::StatusOr<std::pair<std::string, std::string>> ParseImageReference(absl::string_view ref);

class ImageStore {
 public:
  static absl::StatusOr<std::unique_ptr<ImageStore>> Open(const std::string& root);

  // Imports a root filesystem tarball (plain, gzip, xz, ...) as a one-layer image tagged `ref`.
  // Refuses entries that would escape the layer (absolute paths, "..", links pointing out);
  // a failed import leaves nothing behind.
  absl::StatusOr<Image> Import(const std::string& tar_path, absl::string_view ref);

  absl::StatusOr<std::vector<Image>> List() const;

  // By "name[:tag]", full id ("sha256:..." or bare hex) or unique id prefix.
  absl::StatusOr<Image> Resolve(absl::string_view ref) const;

  // The overlay lower directories of an image, topmost layer first.
  std::vector<std::string> LayerDirs(const Image& image) const;

  // Removes the tag `ref` (or, given an id, every tag). When the image has no tag left and
  // `in_use(image_id)` is false, deletes the image and the layers no other image uses.
  // FailedPrecondition if in_use and !force (in_use is asked only when no tag would be left),
  // and, as in Docker, for an id whose image has several tags unless force. Forced while in
  // use, the image is untagged but kept: a container's overlay still needs its layers.
  // `in_use` is called with the store lock held and must not call back into the store.
  absl::Status Remove(absl::string_view ref, bool force,
                      const std::function<bool(const std::string& image_id)>& in_use);

 private:
  explicit ImageStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_STORE_H_
