// Docker's copy of the image's content into a container's new volumes: a volume that is empty
// when the container is made gets what the image holds at the volume's destination (owner,
// mode and tree), unless volume-nocopy.
#ifndef MYDOCKER_CONTAINER_VOLUME_CONTENT_H_
#define MYDOCKER_CONTAINER_VOLUME_CONTENT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "mydocker/container_config.h"

namespace mydocker {

// One volume to fill: its directory on the host and where the container mounts it.
struct VolumeFill {
  std::string volume_dir;
  std::string destination;
};

// Mounts the root of the container in `container_dir` (not started yet, its upper layer
// empty) detached and copies into each volume the directory the image has at its destination,
// resolved inside that root (symlinks of the image cannot lead out; nothing is followed
// below it). A destination the image lacks, or holds as something else than a directory,
// leaves the volume empty. The tree goes through an unnamed temporary file in `container_dir`,
// so no thread and no pipe (whose SIGPIPE would reach a library caller) are involved. Each
// volume is filled under a lock on its directory (<root>/volumes/<name>), and only if it is
// still empty then: of two containers made at once on one empty volume, one fills it.
absl::Status FillVolumesFromImage(const std::string& container_dir, const RootSpec& root,
                                  const std::vector<VolumeFill>& fills);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_VOLUME_CONTENT_H_
