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
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mydocker/health.h"

namespace mydocker {

struct PullOptions;
struct PullResult;
struct PullEvent;
struct PushResult;
struct PushEvent;

// The part of an image's config that run uses as defaults (OCI image config / Docker's).
struct ImageConfig {
  std::vector<std::string> env;
  std::vector<std::string> cmd;
  std::vector<std::string> entrypoint;
  std::string working_dir;
  std::string user;
  std::vector<std::string> exposed_ports;
  std::string stop_signal;                    // STOPSIGNAL ("SIGQUIT", "9"); empty: SIGTERM
  std::optional<HealthConfig> healthcheck;    // HEALTHCHECK ("Healthcheck")
  std::map<std::string, std::string> labels;  // LABEL ("Labels")
  std::vector<std::string> volumes;           // VOLUME ("Volumes"): container paths
};

// One step of an image's history (the config's "history"), as `history` shows it.
struct HistoryEntry {
  absl::Time created;
  std::string created_by;
  std::string comment;
  bool empty_layer = false;  // the step changed only the config
  int64_t size = 0;          // filled by ImageStore::History: bytes of the step's layer
};

struct Image {
  std::string id;                 // "sha256:<64 hex>"
  std::vector<std::string> tags;  // "busybox:latest"
  // References by digest ("busybox@sha256:<manifest digest>"), recorded by pull.
  std::vector<std::string> digests;
  absl::Time created;
  int64_t size = 0;                 // bytes of unpacked content
  std::vector<std::string> layers;  // diff ids "sha256:<hex>", bottom layer first
  ImageConfig config;
  std::vector<HistoryEntry> history;  // oldest first
};

// What `commit` (and `import`) record besides the layer, on top of the parent's config: the
// container's configuration and the --change instructions. Absent fields keep the parent's.
struct CommitConfig {
  std::string comment;  // -m: the history entry's comment
  std::string author;   // -a: the config's "author"
  std::optional<std::vector<std::string>> env;
  std::optional<std::vector<std::string>> cmd;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::string> working_dir;
  std::optional<std::string> user;
  std::optional<std::string> stop_signal;
  std::vector<std::string> exposed_ports;     // added to the parent's: "80/tcp"
  std::map<std::string, std::string> labels;  // added to (or replacing) the parent's
  std::vector<std::string> volumes;           // added to the parent's
  std::optional<HealthConfig> healthcheck;    // the container's, or HEALTHCHECK
};

// Applies one Dockerfile instruction of `--change` to `config`: CMD, ENTRYPOINT (JSON or shell
// form), ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL, HEALTHCHECK. InvalidArgument with
// Docker's words for any other instruction (ONBUILD included) or a malformed one.
absl::Status ApplyChange(absl::string_view instruction, CommitConfig* config);

// Splits "name[:tag]" (tag defaults to "latest") and validates it like Docker.
absl::StatusOr<std::pair<std::string, std::string>> ParseImageReference(absl::string_view ref);

class ImageStore {
 public:
  static absl::StatusOr<std::unique_ptr<ImageStore>> Open(const std::string& root);

  // Imports a root filesystem tarball (plain, gzip, xz, ...) as a one-layer image tagged `ref`.
  // Refuses entries that would escape the layer (absolute paths, "..", links pointing out);
  // a failed import leaves nothing behind.
  absl::StatusOr<Image> Import(const std::string& tar_path, absl::string_view ref);
  // The same with `config` on an empty config (import -c/-m); `ref` may be empty (untagged).
  absl::StatusOr<Image> Import(const std::string& tar_path, absl::string_view ref,
                               const CommitConfig& config);

  // A new image: `parent`'s layers plus one made from `upper_dir`, a container's overlay upper
  // directory (its whiteouts become ".wh." entries in the layer's tar form), with the parent's
  // config and a history entry carrying `comment`. Tagged `ref` unless empty.
  // REQUIRES: nothing writes to `upper_dir` meanwhile (pause or stop the container).
  absl::StatusOr<Image> Commit(const Image& parent, const std::string& upper_dir,
                               absl::string_view ref, absl::string_view comment);
  // The same recording `config` (Docker's commit of a container's configuration).
  absl::StatusOr<Image> Commit(const Image& parent, const std::string& upper_dir,
                               absl::string_view ref, const CommitConfig& config);

  // Loads the images of a `docker save` archive or of an OCI image layout (a directory, or a
  // tar of one; plain or compressed). Every digest is verified and every layer unpacked before
  // anything is stored; a failed load stores nothing. Layers already stored are reused. Returns
  // the loaded images with the tags they received.
  absl::StatusOr<std::vector<Image>> Load(const std::string& path);

  // Pulls NAME[:TAG|@DIGEST] from its registry (see mydocker/pull.h and docs/registries.md):
  // every blob verified, layers already stored not fetched, nothing stored unless the whole image
  // is. Records the tag and NAME@DIGEST. Defined in image_pull.cc, which links libcurl: programs
  // that do not call it do not need libcurl.
  absl::StatusOr<PullResult> Pull(absl::string_view ref, const PullOptions& options,
                                  const std::function<void(const PullEvent&)>& progress);

  // Pushes NAME[:TAG] (the image tagged so) to its registry (see mydocker/pull.h and
  // docs/registries.md): blobs the registry has are skipped, a mount from another repository of
  // the same registry the image is tagged in is tried, then the layers are uploaded exactly as
  // stored (uncompressed, as `save` writes them), then the config and an OCI manifest. Defined
  // in image_push.cc, which links libcurl.
  absl::StatusOr<PushResult> Push(absl::string_view ref, const PullOptions& options,
                                  const std::function<void(const PushEvent&)>& progress) const;

  // Tags the image `source` (a reference or id) as `target` ("name[:tag]").
  absl::Status Tag(absl::string_view source, absl::string_view target);

  // Writes the images named by `refs` (names, ids) as one tar to `out_fd` (not owned) holding
  // both forms: Docker's (manifest.json, repositories) and an OCI image layout (oci-layout,
  // index.json), sharing blobs/sha256/. Layers are the exact streams they were loaded from.
  absl::Status Save(const std::vector<std::string>& refs, int out_fd) const;

  // The image config document exactly as stored: its SHA-256 is the image id.
  absl::StatusOr<std::string> ConfigJson(const Image& image) const;

  // The image's history, newest first, with each step's layer size.
  std::vector<HistoryEntry> History(const Image& image) const;

  absl::StatusOr<std::vector<Image>> List() const;

  // By "name[:tag]", full id ("sha256:..." or bare hex) or unique id prefix.
  absl::StatusOr<Image> Resolve(absl::string_view ref) const;

  // The overlay lower directories of an image, topmost layer first, each once.
  std::vector<std::string> LayerDirs(const Image& image) const;

  // Removes the tag `ref` (or, given an id, every tag). When the image has no tag left and
  // `in_use(image_id)` is false, deletes the image and the layers no other image uses.
  // FailedPrecondition if in_use and !force (in_use is asked only when no tag would be left),
  // and, as in Docker, for an id whose image has several tags unless force. Forced while in
  // use, the image is untagged but kept: a container's overlay still needs its layers.
  // `in_use` is called with the store lock held and must not call back into the store.
  absl::Status Remove(absl::string_view ref, bool force,
                      const std::function<bool(const std::string& image_id)>& in_use);

  // Removes the temporary layers of loads, imports and commits that died (killed) before
  // finishing; those still running hold theirs locked and keep them.
  absl::Status RemoveLeftovers();

 private:
  explicit ImageStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_STORE_H_
