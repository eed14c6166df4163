// Resolving a USER[:GROUP] spec (names or numbers, as Docker's -u and an image's User) to ids
// through the container's own /etc/passwd and /etc/group, never the host's.
#ifndef MYDOCKER_USER_LOOKUP_H_
#define MYDOCKER_USER_LOOKUP_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mydocker/container_config.h"

namespace mydocker {

// Reads a file of the container by its absolute path.
using ContainerFileReader = std::function<absl::StatusOr<std::string>(const std::string& path)>;

// Sets user->uid and user->gid from `spec`: numbers are taken as they are; a user name gives its
// uid and primary group from /etc/passwd, a group name its gid from /etc/group. With `home`, also
// the user's home directory when /etc/passwd names it (left alone otherwise).
// InvalidArgument when a name is not found.
absl::Status ResolveUser(const std::string& spec, const ContainerFileReader& read, UserSpec* user,
                         std::string* home = nullptr);

// The gid of group `spec` (a number, or a name in /etc/group). InvalidArgument ("unable to find
// group NAME") when a name is not found, or for an id out of range.
absl::StatusOr<uint32_t> ResolveGroup(const std::string& spec, const ContainerFileReader& read);

// Reads `path` as the overlay of `layer_dirs` (topmost first) would show it, without mounting
// it: the topmost layer holding it wins; a whiteout of it, or an opaque parent directory, ends
// the search. Symlinks resolve inside each layer (see OpenInRoot), not across layers.
absl::StatusOr<std::string> ReadFromLayers(const std::vector<std::string>& layer_dirs,
                                           const std::string& path);

}  // namespace mydocker

#endif  // MYDOCKER_USER_LOOKUP_H_
