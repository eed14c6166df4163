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

class LayerPacker {
 public:
  // Writes the tree under `dir` as an uncompressed tar (pax) stream to `out_fd` (not owned).
  static absl::Status Pack(const std::string& dir, int out_fd);
};

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_LAYER_PACKER_H_
