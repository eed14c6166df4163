// Named volumes under a state root:
//
//   <root>/volumes/<name>/_data         the volume's content (bind-mounted into containers)
//   <root>/volumes/<name>/volume.json   {"Name", "CreatedAt", "Anonymous"}
//
// Volumes outlive the containers that use them; anonymous ones (made for `-v /path`) are
// removed with their container by `rm -v`. Thread-safe; creation and removal of one name are
// serialised across processes by a lock file under volumes/.
#ifndef MYDOCKER_VOLUME_STORE_H_
#define MYDOCKER_VOLUME_STORE_H_

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
};

// Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (at least two characters).
bool IsVolumeName(absl::string_view name);

// One -v argument: HOST_PATH:CONTAINER_PATH[:ro|rw] (a bind mount), NAME:CONTAINER_PATH[:...]
// (a named volume) or CONTAINER_PATH alone (an anonymous volume).
struct VolumeSpec {
  enum Kind { kBind, kNamed, kAnonymous } kind = kBind;
  std::string source;       // host path (kBind) or volume name (kNamed)
  std::string destination;  // absolute, without ".." components
  bool readonly = false;
};
absl::StatusOr<VolumeSpec> ParseVolumeSpec(absl::string_view spec);

class VolumeStore {
 public:
  static absl::StatusOr<std::unique_ptr<VolumeStore>> Open(const std::string& root);

  // Creates the volume, or returns the existing one of that name.
  absl::StatusOr<Volume> Ensure(absl::string_view name, bool anonymous = false);
  absl::StatusOr<Volume> Get(absl::string_view name) const;
  absl::StatusOr<std::vector<Volume>> List() const;
  // Removes the volume and its content. NotFound if it does not exist.
  absl::Status Remove(absl::string_view name);

 private:
  explicit VolumeStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace mydocker

#endif  // MYDOCKER_VOLUME_STORE_H_
