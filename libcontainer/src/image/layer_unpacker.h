// Unpacks a tar stream (plain or compressed) into a directory without trusting the archive.
//
// Layer tarballs come from anywhere, so every entry is resolved inside the target by walking it
// component by component from a directory fd with O_NOFOLLOW: absolute names, ".." components and
// writes through a symlink (planted by an earlier entry) are refused, so nothing is ever created
// outside the target. libarchive's extract-to-disk helpers are not used for that reason.
//
// What is kept: regular files, directories, symlinks (their targets may point anywhere: they are
// resolved inside the container at run time), hard links to regular files already unpacked in the
// same layer, fifos; owners (numeric uid/gid), modes including setuid/setgid/sticky, mtimes.
// What is not: character and block devices are skipped (the runtime creates /dev itself and a
// device node in an image would give a container access to host hardware); extended attributes
// and ACLs are dropped. When an owner cannot be set (an unprivileged caller), setuid/setgid are
// stripped so the file cannot become setuid to the caller.
//
// Whiteouts: with UnpackOptions::whiteouts, the layer is stored ready to be an overlayfs lower
// directory: ".wh.NAME" becomes NAME as a 0:0 character device (overlayfs's whiteout) and
// ".wh..wh..opq" marks its directory opaque (xattr trusted.overlay.opaque=y); other ".wh..wh."
// names (aufs bookkeeping) are dropped. Without it, they are ordinary files.
#ifndef MYDOCKER_IMAGE_LAYER_UNPACKER_H_
#define MYDOCKER_IMAGE_LAYER_UNPACKER_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "image/tar_split.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

// The longest path an entry of a layer may have: what the kernel takes in one call (PATH_MAX
// with its NUL). A tree much deeper than that would make a tar of gigabytes (one path per level,
// so their total length grows as the square of the depth), and most tools cannot open it.
inline constexpr size_t kMaxLayerPath = 4095;

// InvalidArgument, naming the path's start, if `path` is longer than kMaxLayerPath. Both the
// unpacker and the packer (commit) check it, so a committed layer can always be loaded again.
absl::Status CheckLayerPath(absl::string_view path);

struct UnpackResult {
  std::string diff_id;  // "sha256:<hex>" of the uncompressed tar stream
  int64_t size = 0;     // bytes of file content written
};

struct UnpackOptions {
  bool whiteouts = true;  // convert whiteouts to overlayfs form (see above)
  // Every entry gets this owner instead of the archive's (`cp` without -a).
  std::optional<std::pair<uid_t, gid_t>> owner;
  // Records the stream's headers there (tar_split.h), not owned. Then `layer_fd` is the layer
  // directory (the target is its diff/): a regular file that a later entry replaces is moved to
  // its replaced/ rather than deleted, so the record can still give its content back.
  TarSplitWriter* split = nullptr;
  int layer_fd = -1;
};

class LayerUnpacker {
 public:
  // Unpacks the archive at `archive_path` into `target_dir`, an existing directory the caller
  // owns (normally empty). On error the target may hold a partial result: the caller removes it.
  // InvalidArgument for a malformed or hostile archive.
  static absl::StatusOr<UnpackResult> Unpack(const std::string& archive_path,
                                             const std::string& target_dir,
                                             const UnpackOptions& options = {});
  // The same from an open archive file; `name` names it in errors.
  static absl::StatusOr<UnpackResult> UnpackFd(UniqueFd archive, const std::string& name,
                                               const std::string& target_dir,
                                               const UnpackOptions& options = {});
  // The same into the directory open at `target` (not owned), already resolved by the caller
  // (inside a container's root for `cp`).
  static absl::StatusOr<UnpackResult> UnpackFdAt(UniqueFd archive, const std::string& name,
                                                 int target, const UnpackOptions& options = {});
};

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_LAYER_UNPACKER_H_
