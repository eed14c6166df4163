// Writes a directory tree in overlayfs form (a container's upper directory, or a stored layer) as
// a layer tar stream in the form image archives use.
//
// Whiteouts are converted back: a 0:0 character device NAME becomes an empty file ".wh.NAME",
// and a directory with the xattr trusted.overlay.opaque=y is followed by ".wh..wh..opq" inside
// it. Other device nodes and sockets are skipped (images never carry them: see LayerUnpacker);
// extended attributes are not kept. Entries are written in name order with numeric owners only,
// so the same tree gives the same stream. Nothing is followed: the tree is walked with
// openat(O_NOFOLLOW) from the directory's descriptor.
#ifndef MYDOCKER_IMAGE_LAYER_PACKER_H_
#define MYDOCKER_IMAGE_LAYER_PACKER_H_

#include <string>

#include "absl/status/status.h"

namespace mydocker {

struct PackOptions {
  // Whiteouts in overlayfs form become ".wh." entries (a layer); off for a merged view (cp,
  // export), where a 0:0 character device is only a device, skipped as the others.
  bool overlay_form = true;
  // Off: regular files are written empty, a listing of the tree (`diff`).
  bool contents = true;
};

class LayerPacker {
 public:
  // Writes the tree under `dir` as an uncompressed tar (pax) stream to `out_fd` (not owned).
  static absl::Status Pack(const std::string& dir, int out_fd, const PackOptions& options = {});

  // Writes the object open at `object_fd` (an O_PATH descriptor of a directory, file, symlink or
  // fifo; a symlink is written as a link) as a tar stream whose root entry is named `name`, the
  // tree below a directory under "name/". An empty `name` writes only a directory's contents,
  // without a root entry (`cp DIR/.`). Directories on kernel file systems (proc, sysfs,
  // cgroup, ...) are written empty: a running container's view holds them, its files do not.
  static absl::Status PackObject(int object_fd, const std::string& name, int out_fd,
                                 const PackOptions& options);
};

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_LAYER_PACKER_H_
