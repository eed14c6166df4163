// ContainerDiff and ExportContainer (`diff`, `export`).
//
// diff lists the container's upper layer with the layer packer (whiteouts as ".wh." entries,
// files written empty) through a pipe into a tar reader: the same iterative walk that makes
// committed layers. export packs a read-only overlay of the upper directory over the image's
// layers, mounted detached: volumes and kernel file systems are not part of it, as in Docker.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "container/overlay_view.h"
#include "image/layer_packer.h"
#include "in_root.h"
#include "mydocker/container.h"
#include "mydocker/container_files.h"
#include "mydocker/local_copy.h"
#include "mydocker/rootfs.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

using ReaderPtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;

bool InLowers(const std::vector<UniqueFd>& lowers, const std::string& path) {
  for (const UniqueFd& lower : lowers) {
    if (OpenPathInRoot(lower.get(), path, O_PATH | O_NOFOLLOW).ok()) return true;
  }
  return false;
}

// One tar entry of the upper layer as a change.
std::optional<FileChange> ChangeOf(const std::vector<UniqueFd>& lowers, std::string name) {
  while (absl::EndsWith(name, "/")) name.pop_back();
  size_t slash = name.rfind('/');
  std::string dir = slash == std::string::npos ? "" : name.substr(0, slash + 1);
  std::string base = name.substr(dir.size());
  if (base == ".wh..wh..opq") return std::nullopt;
  if (absl::StartsWith(base, ".wh."))
    return FileChange{'D', absl::StrCat("/", dir, base.substr(4))};
  return FileChange{InLowers(lowers, name) ? 'C' : 'A', absl::StrCat("/", name)};
}

absl::Status ReadChanges(int fd, const std::vector<UniqueFd>& lowers,
                         std::vector<FileChange>* out) {
  ReaderPtr tar(archive_read_new(), &archive_read_free);
  if (tar == nullptr) return absl::ResourceExhaustedError("allocate archive reader");
  archive_read_support_format_tar(tar.get());
  if (archive_read_open_fd(tar.get(), fd, 64 * 1024) != ARCHIVE_OK) {
    return absl::InternalError(absl::StrCat("read the layer: ", archive_error_string(tar.get())));
  }
  while (true) {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(tar.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      return absl::InternalError(absl::StrCat("read the layer: ", archive_error_string(tar.get())));
    }
    std::optional<FileChange> change = ChangeOf(lowers, archive_entry_pathname(entry));
    if (change) out->push_back(std::move(*change));
  }
  char drain[4096];  // the writer's last bytes, so that it never meets a closed pipe
  while (::read(fd, drain, sizeof drain) > 0) {
  }
  return absl::OkStatus();
}

struct Layers {
  Rootfs rootfs;
  std::vector<std::string> lowers;
  std::string container_dir;
  bool fuse = false;  // the fuse-overlayfs storage driver's
};

absl::StatusOr<Layers> LayersOf(Runtime& runtime, absl::string_view ref) {
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Container> c, runtime.Get(ref));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, c->Config());
  const std::string dir = runtime.state().ContainerDir(c->id());
  return Layers{Rootfs::FromSpec(dir, config.root), config.root.lower_dirs, dir,
                config.root.storage_driver == kFuseOverlayDriver};
}

}  // namespace

absl::StatusOr<std::vector<FileChange>> ContainerDiff(Runtime& runtime,
                                                      absl::string_view container) {
  MYDOCKER_ASSIGN_OR_RETURN(Layers layers, LayersOf(runtime, container));
  std::vector<UniqueFd> lowers;
  for (const std::string& dir : layers.lowers) {
    UniqueFd fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return LastErrnoError("open layer " + dir);
    lowers.push_back(std::move(fd));
  }
  PackOptions options;
  options.contents = false;
  std::vector<FileChange> changes;
  const std::string& upper = layers.rootfs.upper_dir();
  MYDOCKER_RETURN_IF_ERROR(
      RunThroughPipe([&](int fd) { return LayerPacker::Pack(upper, fd, options); },
                     [&](int fd) { return ReadChanges(fd, lowers, &changes); }));
  std::sort(changes.begin(), changes.end(),
            [](const FileChange& a, const FileChange& b) { return a.path < b.path; });
  return changes;
}

absl::Status ExportContainer(Runtime& runtime, absl::string_view container, int out_fd) {
  MYDOCKER_ASSIGN_OR_RETURN(Layers layers, LayersOf(runtime, container));
  MYDOCKER_RETURN_IF_ERROR(layers.rootfs.OverlayOptions().status());  // the paths' characters
  // Only lower layers (the upper directory on top): a read-only overlay that neither uses the
  // work directory nor writes anything, even while the container runs.
  std::string lowers =
      absl::StrCat("lowerdir=", layers.rootfs.upper_dir(), ":", absl::StrJoin(layers.lowers, ":"));
  MYDOCKER_ASSIGN_OR_RETURN(
      UniqueFd root,
      layers.fuse
          ? MountDetachedFuseOverlay(lowers, layers.container_dir + "/export-view")
          : MountDetachedOverlay(absl::StrCat(lowers, ",redirect_dir=off,metacopy=off,index=off")));
  PackOptions pack;
  pack.overlay_form = false;
  return LayerPacker::PackObject(root.get(), "", out_fd, pack);
}

}  // namespace mydocker
