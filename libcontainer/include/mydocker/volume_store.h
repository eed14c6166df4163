// Named volumes under a state root:
//
//   <root>/volumes/<name>/_data         the volume's content (bind-mounted into containers)
//   <root>/volumes/<name>/volume.json   {"Name", "CreatedAt", "Anonymous", "Labels"}
//
// Volumes outlive the containers that use them; anonymous ones (made for `-v /path`) are
// removed with their container by `rm -v`. Thread-safe; creation and removal of one name are
// serialised across processes by a lock file under volumes/.
#ifndef MYDOCKER_VOLUME_STORE_H_
#define MYDOCKER_VOLUME_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mydocker {

struct Volume {
  std::string name;
  std::string mountpoint;  // <root>/volumes/<name>/_data
  absl::Time created;
  bool anonymous = false;
  std::map<std::string, std::string> labels;  // volume create --label
};

// Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters).
bool IsVolumeName(absl::string_view name);

// One -v argument: HOST_PATH:CONTAINER_PATH[:ro|rw] (a bind mount), NAME:CONTAINER_PATH[:...]
// (a named volume) or CONTAINER_PATH alone (an anonymous volume).
// --mount and --tmpfs give the same kinds and a tmpfs.
struct VolumeSpec {
  enum Kind { kBind, kNamed, kAnonymous, kTmpfs } kind = kBind;
  std::string source;       // host path (kBind) or volume name (kNamed)
  std::string destination;  // absolute, without ".." components
  bool readonly = false;
  // --mount type=bind: the host path must exist (-v creates a missing one), the propagation
  // of the container's copy (bind-propagation; empty: rprivate) and bind-nonrecursive.
  bool source_must_exist = false;
  std::string propagation;
  bool nonrecursive = false;
  // A volume that is empty when the container is made gets the image's content at the
  // destination, as Docker's do, unless volume-nocopy.
  bool nocopy = false;
  std::string mode;  // the -v's mode as given ("ro", "rw"), inspect's Mounts[].Mode
  // kTmpfs: mount options after Docker's nosuid,nodev,noexec ("size=<bytes>", "mode=1777",
  // "exec", ...), each checked.
  std::vector<std::string> tmpfs_options;
};
absl::StatusOr<VolumeSpec> ParseVolumeSpec(absl::string_view spec);

// Docker's --mount: comma-separated key=value fields (CSV quoting as Docker's), type=bind|
// volume|tmpfs (default volume), source/src, target/dst/destination, readonly/ro[=BOOL],
// bind-propagation, bind-nonrecursive, volume-nocopy (the volume does not get the image's content),
// tmpfs-size, tmpfs-mode, consistency (ignored, as on Linux). volume-opt, volume-driver other
// than "local", volume-label and volume-subpath are refused (not supported). Errors are
// Docker's words.
absl::StatusOr<VolumeSpec> ParseMountSpec(absl::string_view spec);

// Docker's --tmpfs PATH[:OPTIONS]: OPTIONS a comma-separated list of mount flags (ro, rw,
// exec, noexec, suid, dev, ...) and tmpfs data (size with Docker's units or a percentage,
// mode in octal, uid, gid, nr_inodes, nr_blocks, mpol), each checked.
absl::StatusOr<VolumeSpec> ParseTmpfsSpec(absl::string_view spec);

// Docker's --volumes-from CONTAINER[:MODE], MODE "ro" or "rw" (Docker's "invalid mode: X").
struct VolumesFrom {
  std::string container;
  std::string mode;  // "", "ro" or "rw"
};
absl::StatusOr<VolumesFrom> ParseVolumesFrom(absl::string_view spec);

class VolumeStore {
 public:
  static absl::StatusOr<std::unique_ptr<VolumeStore>> Open(const std::string& root);

  // Creates the volume, or returns the existing one of that name (as it is: `labels` are a
  // new volume's, as in Docker).
  absl::StatusOr<Volume> Ensure(absl::string_view name, bool anonymous = false,
                                const std::map<std::string, std::string>& labels = {});
  absl::StatusOr<Volume> Get(absl::string_view name) const;
  absl::StatusOr<std::vector<Volume>> List() const;
  // Removes the volume and its content. NotFound if it does not exist.
  absl::Status Remove(absl::string_view name);

 private:
  explicit VolumeStore(std::string dir) : dir_(std::move(dir)) {}
  // The state root (dir_ is <root>/volumes), whose journal gets the volume events.
  std::string StateRoot() const { return dir_.substr(0, dir_.rfind('/')); }
  std::string dir_;
};

}  // namespace mydocker

#endif  // MYDOCKER_VOLUME_STORE_H_
