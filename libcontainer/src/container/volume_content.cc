#include "container/volume_content.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "container/overlay_view.h"
#include "host/host.h"
#include "image/layer_packer.h"
#include "image/layer_unpacker.h"
#include "in_root.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

// The volume's own directory (<root>/volumes/<name>, above its _data), which its fill locks.
std::string VolumeDirOf(const std::string& volume_dir) {
  return volume_dir.substr(0, volume_dir.rfind('/'));
}

absl::Status FillOne(int root, const std::string& scratch_dir, const VolumeFill& fill) {
  absl::StatusOr<UniqueFd> object = OpenPathInRoot(root, fill.destination, O_PATH);
  if (absl::IsNotFound(object.status())) return absl::OkStatus();
  MYDOCKER_RETURN_IF_ERROR(object.status());
  struct stat st;
  if (::fstatat(object->get(), "", &st, AT_EMPTY_PATH) != 0) {
    return LastErrnoError("stat " + fill.destination);
  }
  if (!S_ISDIR(st.st_mode)) return absl::OkStatus();
  UniqueFd target(::open(fill.volume_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!target) return LastErrnoError("open " + fill.volume_dir);
  UniqueFd tree(::open(scratch_dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!tree) return LastErrnoError("make a temporary file in " + scratch_dir);
  PackOptions pack;
  pack.overlay_form = false;
  MYDOCKER_RETURN_IF_ERROR(LayerPacker::PackObject(object->get(), "", tree.get(), pack));
  if (::lseek(tree.get(), 0, SEEK_SET) != 0) return LastErrnoError("rewind the volume's content");
  UnpackOptions unpack;
  unpack.whiteouts = false;
  MYDOCKER_RETURN_IF_ERROR(LayerUnpacker::UnpackFdAt(std::move(tree),
                                                     absl::StrCat("the image's ", fill.destination),
                                                     target.get(), unpack)
                               .status());
  // The volume's root takes the owner and mode of the image's directory, as Docker's does.
  if (::fchown(target.get(), st.st_uid, st.st_gid) != 0 ||
      ::fchmod(target.get(), st.st_mode & 07777) != 0) {
    return LastErrnoError("set the owner and mode of " + fill.volume_dir);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FillVolumesFromImage(const std::string& container_dir, const RootSpec& root,
                                  const std::vector<VolumeFill>& fills) {
  if (fills.empty()) return absl::OkStatus();
  MYDOCKER_ASSIGN_OR_RETURN(UniqueFd view, MountDetachedRoot(container_dir, root));
  for (const VolumeFill& fill : fills) {
    // Two containers made at once on the same empty volume: the first to take the volume's
    // lock fills it, the other finds it filled and leaves it alone.
    MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(VolumeDirOf(fill.volume_dir)));
    absl::StatusOr<std::vector<std::string>> content = ListDir(fill.volume_dir);
    if (content.ok() && !content->empty()) continue;
    MYDOCKER_RETURN_IF_ERROR(
        Annotate(FillOne(view.get(), container_dir, fill),
                 absl::StrCat("copy the image's content into the volume at ", fill.destination)));
  }
  return absl::OkStatus();
}

}  // namespace mydocker
