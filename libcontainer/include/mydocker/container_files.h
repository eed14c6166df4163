// A container's files as a whole: `diff` (its changes against its image) and `export` (its root
// file system as a tar stream). See docs/cp.md.
#ifndef MYDOCKER_CONTAINER_FILES_H_
#define MYDOCKER_CONTAINER_FILES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/runtime.h"

namespace mydocker {

// One line of `diff`: 'A' added, 'C' changed, 'D' deleted, and the absolute path.
struct FileChange {
  char kind = 'C';
  std::string path;
};

// The changes recorded in the container's upper layer, sorted by path as Docker prints them: a
// whiteout is D, an entry that exists in one of the image's layers C, any other A (a directory
// holding changes shows as C).
absl::StatusOr<std::vector<FileChange>> ContainerDiff(Runtime& runtime,
                                                      absl::string_view container);

// Writes the container's root file system (image layers plus its changes; no volume, bind mount
// or kernel file system) as an uncompressed tar stream to `out_fd` (not owned). Running or
// stopped; a running one is not paused (as Docker).
absl::Status ExportContainer(Runtime& runtime, absl::string_view container, int out_fd);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_FILES_H_
