// Images removed with force while a container used them (`rmi -f`): untagged and kept for the
// container's overlay, marked, and deleted with their layers once no container uses them.
#ifndef MYDOCKER_IMAGE_REMOVED_IMAGES_H_
#define MYDOCKER_IMAGE_REMOVED_IMAGES_H_

#include <functional>
#include <string>

#include "absl/status/status.h"

namespace mydocker {

// Deletes the marked images of the store under `root` that `in_use` says no container uses
// (a marked image tagged again meanwhile loses its mark instead). Cheap when none is marked.
absl::Status ReleaseRemovedImages(const std::string& root,
                                  const std::function<bool(const std::string& image_id)>& in_use);

}  // namespace mydocker

#endif  // MYDOCKER_IMAGE_REMOVED_IMAGES_H_
