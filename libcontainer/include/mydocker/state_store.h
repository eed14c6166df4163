// On-disk records of containers under a state root:
//
//   <root>/containers/<id>/config.json   ContainerConfig (OCI-shaped), written once at create
//   <root>/containers/<id>/state.json    ContainerState, replaced atomically on every change
//   <root>/containers/<id>/{upper,work,rootfs}/   overlay layers and mount point
//   <root>/containers/<id>/container.log          json-lines log
//   <root>/cache/containers.list         what List() read, for reuse while unchanged (a cache:
//                                        deleting it loses nothing; see src/list_cache.h)
//   <root>/names/<name> -> <id>          symlink; symlink(2) makes reservation atomic
//   <root>/trash/<id>/                   a removed container's directory, being deleted
//
// Thread-safe: every method may be called from any thread; writes of one container's state are
// serialised across processes by the per-container lock (flock on its directory).
#ifndef MYDOCKER_STATE_STORE_H_
#define MYDOCKER_STATE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/container_config.h"
#include "mydocker/container_state.h"
#include "mydocker/fs_util.h"
#include "mydocker/network.h"

namespace mydocker {

// A new random container id: 64 lowercase hex digits.
std::string NewContainerId();
// Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 128 characters here.
absl::Status ValidateContainerName(absl::string_view name);
// A container id: kContainerIdLength lowercase hex digits.
inline constexpr size_t kContainerIdLength = 64;
bool IsFullContainerId(absl::string_view s);

// A container's records as listed: its state and its network attachments (network.json's;
// none when it has none, or when that record cannot be read).
struct ListedRecord {
  ContainerState state;
  std::vector<NetworkAttachment> networks;
};

// The order of listings: newest first, then by id.
inline bool ListedBefore(const ListedRecord& a, const ListedRecord& b) {
  if (a.state.created != b.state.created) return a.state.created > b.state.created;
  return a.state.id < b.state.id;
}

class StateStore {
 public:
  // Opens (creating if needed) the store under `root`, an absolute path.
  static absl::StatusOr<std::unique_ptr<StateStore>> Open(const std::string& root);

  const std::string& root() const { return root_; }
  std::string ContainerDir(absl::string_view id) const;

  // Finds a container by full id, name, or unique id prefix. NotFound ("no such container: x");
  // InvalidArgument when a prefix matches several ("ambiguous ... matches N containers").
  absl::StatusOr<std::string> Resolve(absl::string_view ref) const;

  // Creates the container's directory and records, and reserves its name. AlreadyExists if the
  // name is taken. On failure nothing is left behind.
  absl::Status Create(const ContainerState& state, const ContainerConfig& config);

  // With the health record (HealthPath) in `health`, if there is one.
  absl::StatusOr<ContainerState> LoadState(absl::string_view id) const;
  // health.json: State.Health, replaced atomically by the container's monitor alone (the only
  // writer, so without the lock; docs/health.md).
  std::string HealthPath(absl::string_view id) const;
  absl::StatusOr<ContainerConfig> LoadConfig(absl::string_view id) const;
  // Atomic replace. REQUIRES: the caller holds Lock(state.id).
  absl::Status SaveState(const ContainerState& state);
  // Atomic replace of config.json (live updates of limits). REQUIRES: the caller holds Lock(id).
  absl::Status SaveConfig(absl::string_view id, const ContainerConfig& config);

  // All containers, sorted by creation time, newest first. Records that cannot be read are
  // skipped (and reported through `bad` if given), so one bad record never hides the others.
  absl::StatusOr<std::vector<ContainerState>> List(std::vector<std::string>* bad = nullptr) const;
  // The same, with each container's network attachments (through the listing cache,
  // list_cache.h).
  absl::StatusOr<std::vector<ListedRecord>> ListRecords(
      std::vector<std::string>* bad = nullptr) const;

  // Changes a container's name. REQUIRES: the caller holds Lock(id).
  absl::Status Rename(absl::string_view id, absl::string_view new_name);

  // Removes the container's directory and name. REQUIRES: the caller holds Lock(id) and has
  // released the container's kernel resources.
  // Detach followed by Purge.
  absl::Status Remove(absl::string_view id);

  // The first half of Remove, one atomic step for readers: renames the container's directory
  // into <root>/trash/ and releases its name, so it is no longer listed, resolved or named.
  // Returns the trash path for Purge ("" when the directory had to be emptied in place, because
  // something is still mounted in it). REQUIRES: as Remove.
  absl::StatusOr<std::string> Detach(absl::string_view id);
  // The second half: deletes `trash` (from Detach; may be "") and any trash whose remover died
  // before deleting it, and the staging directories of creators that died before publishing.
  // Unlinking a container's files is the slow part of removal on a busy journal; the monitor of a
  // --rm container does it after telling the client the exit code.
  absl::Status Purge(const std::string& trash);

  // The per-container lock, exclusive across threads and processes.
  absl::StatusOr<FileLock> Lock(absl::string_view id) const;
  // The same without waiting: FailedPrecondition if someone holds it.
  absl::StatusOr<FileLock> TryLock(absl::string_view id) const;

 private:
  explicit StateStore(std::string root) : root_(std::move(root)) {}
  // Deletes staging directories of creators that died before publishing (part of Purge).
  void PruneStaging();
  absl::StatusOr<FileLock> LockDir(absl::string_view id, bool wait) const;
  std::string root_;
};

}  // namespace mydocker

#endif  // MYDOCKER_STATE_STORE_H_
