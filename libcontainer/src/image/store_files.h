// The image store's files (see image_store.h for the layout), shared by its operations: import,
// commit, load and save each stage new layers in temporary directories and then commit them with
// their image records in one step under the store lock.
//
//   <root>/layers/sha256/<hex>/diff/       the layer in overlay form (an overlay lower directory)
//   <root>/layers/sha256/<hex>/tar-split   the tar stream's bytes other than file contents
//                                          (tar_split.h), so that `save` gives back the same
//                                          diff ids; layers stored before it have a layer.tar
//   <root>/layers/sha256/<hex>/replaced/   files of diff/ that a later entry replaced (rare)
//   <root>/layers/sha256/<hex>/size        bytes of file content in diff/
#ifndef MYDOCKER_IMAGE_STORE_FILES_H_
#define MYDOCKER_IMAGE_STORE_FILES_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "image/image_json.h"
#include "mydocker/fs_util.h"
#include "mydocker/image_store.h"
#include "mydocker/unique_fd.h"

namespace mydocker::store_files {

absl::string_view HexOf(absl::string_view digest);
std::string ImagesDir(const std::string& root);
std::string LayersDir(const std::string& root);
std::string LockPath(const std::string& root);
std::string RepositoriesPath(const std::string& root);
std::string RecordPath(const std::string& root, absl::string_view id);
std::string LayerDir(const std::string& root, absl::string_view diff_id);
std::string LayerTarPath(const std::string& root, absl::string_view diff_id);

// The stored tar stream of a layer (what `save` writes and `push` uploads), opened, and its size:
// its layer.tar, or the stream rebuilt from its record into an unnamed file of the state root
// and checked against the diff id (FailedPrecondition if diff/ changed). FailedPrecondition for
// a layer stored by an older version with neither.
absl::StatusOr<UniqueFd> OpenLayerTar(const std::string& root, absl::string_view diff_id,
                                      int64_t* size);

// Whether a container of `image` stored under `root` could mount its root file system (see
// Rootfs::OverlayOptions), so that load and commit refuse an image no container could run.
absl::Status CheckMountable(const std::string& root, const std::vector<std::string>& layer_dirs);

// Bytes of file content of a stored layer (0 if unknown).
int64_t StoredLayerSize(const std::string& root, absl::string_view diff_id);

absl::StatusOr<Repositories> LoadRepositories(const std::string& root);

// Removes a stored layer, renaming it out of sight first.
absl::Status DiscardLayer(const std::string& root, absl::string_view diff_id);

// A directory under layers/ that new content is staged in, removed unless it became a layer.
// It is flock'ed while in use, so that a later operation can tell it from the leftovers of a
// killed one and remove those.
class TempLayer {
 public:
  // REQUIRES: the store lock is held (the sweep must not race another creation).
  static absl::StatusOr<std::unique_ptr<TempLayer>> Create(const std::string& root);
  ~TempLayer();
  const std::string& path() const { return path_; }
  std::string diff() const { return path_ + "/diff"; }
  std::string layer_tar() const { return path_ + "/layer.tar"; }
  void Release() { path_.clear(); }
  // Removes the temporary layers no live operation holds locked.
  // REQUIRES: the store lock is held.
  static absl::Status SweepStale(const std::string& root);

 private:
  explicit TempLayer(std::string path) : path_(std::move(path)) {}

  std::string path_;
  std::optional<FileLock> lock_;
};

// A layer ready to be committed: new (`temp` set) or already in the store.
struct StagedLayer {
  std::string diff_id;
  int64_t size = 0;
  std::unique_ptr<TempLayer> temp;
};

// Unpacks the layer tar (plain or compressed) `archive` into a new temporary layer, recording
// its uncompressed stream's headers in tar-split. With `expected_diff_id`, refuses
// (InvalidArgument) a stream whose digest differs, and when that layer is already stored only
// checks the digest.
absl::StatusOr<StagedLayer> StageLayer(const std::string& root, UniqueFd archive,
                                       const std::string& name,
                                       absl::string_view expected_diff_id = "");

// Unpacks `temp`'s own layer.tar (already written there) into its diff/, records it in
// tar-split and removes it.
absl::StatusOr<StagedLayer> StageWrittenLayer(std::unique_ptr<TempLayer> temp);

// An image to be committed: its record and the exact config bytes, tags in image.tags.
struct StagedImage {
  Image image;
  std::string config;
};

// Moves new layers into place (dropping those an identical layer already took), writes the image
// records, then the tags. On failure removes what it added. REQUIRES: the store lock is held.
absl::Status CommitStaged(const std::string& root, std::vector<StagedLayer>& layers,
                          const std::vector<StagedImage>& images);

}  // namespace mydocker::store_files

#endif  // MYDOCKER_IMAGE_STORE_FILES_H_
