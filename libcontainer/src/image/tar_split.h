// A layer's tar stream kept as a record of its bytes other than file contents (Docker's and
// containers/storage's "tar-split"), so a stored layer needs no second copy of its files for
// `save` and `push` to give back the exact stream, and so its diff id.
//
// While a layer is unpacked, TarSplitWriter sees the same uncompressed bytes as the tar reader
// and keeps, exactly as they were, every header block (ustar, pax, GNU long names), the padding
// after each entry's data, the end-of-archive blocks and anything after them; for each regular
// file only its size and where its content went (the unpacker tells). RebuildLayerStream
// interleaves the two again and refuses a result whose digest is not the diff id.
//
// Only plain regular files (typeflag '0', NUL or '7', no sparse map) are referenced; everything
// else, and everything from the first entry whose data length the reader could judge differently
// (a hard link or symlink with a size, GNU sparse and other vendor types, a global pax header),
// is kept verbatim: such a layer costs more record, never a wrong stream.
//
// The record (`tar-split` in the layer directory), version 1:
//   "mydocker-tar-split 1\n"
//   zlib stream of items: 'R' varint n, n bytes | 'F' (the next file of the table) | 'E'
//   zlib stream of the table: varint count, then per file varint size, varint n, n bytes of
//     location relative to the layer directory ("diff/<path>" or "replaced/<n>")
//   8 bytes little-endian: offset of the table stream; 8 bytes "tsplit1\n"
// Locations are read as untrusted: resolved beneath the layer directory, no symlink, no "..".
#ifndef MYDOCKER_IMAGE_TAR_SPLIT_H_
#define MYDOCKER_IMAGE_TAR_SPLIT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mydocker {

// A regular file the unpacker wrote, in the order of the archive's entries.
struct UnpackedFile {
  int64_t size = 0;
  // Relative to the layer directory: "diff/<path>", or "replaced/<n>" where the unpacker moved
  // it when a later entry of the same name replaced it.
  std::string location;
};

class TarSplitWriter {
 public:
  // Writes the record to `fd` (not owned, empty, positioned at 0).
  static absl::StatusOr<std::unique_ptr<TarSplitWriter>> Create(int fd, std::string name);
  ~TarSplitWriter();
  TarSplitWriter(const TarSplitWriter&) = delete;
  TarSplitWriter& operator=(const TarSplitWriter&) = delete;

  // The next bytes of the uncompressed stream.
  absl::Status Feed(const char* data, size_t size);
  // Completes the record once the whole stream was fed. `files` are the regular files the
  // unpacker wrote; each file the record references must be among them, in order and of the
  // same size (InvalidArgument otherwise: the archive was read two ways).
  absl::Status Finish(const std::vector<UnpackedFile>& files);

 private:
  class Impl;
  explicit TarSplitWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes the tar stream recorded in the layer directory open at `layer_fd` (its `tar-split`) to
// `out_fd`, and returns its size. FailedPrecondition, naming the layer by `diff_id`, when a file
// changed since it was stored or the result's digest is not `diff_id`; then `out_fd` holds
// garbage and must not be used.
absl::StatusOr<int64_t> RebuildLayerStream(int layer_fd, absl::string_view diff_id, int out_fd);

// The record's file name in a layer directory.
inline constexpr char kTarSplitName[] = "tar-split";

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_TAR_SPLIT_H_
