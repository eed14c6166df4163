// What the OCI runtime mode keeps per container under the caller's --root: <root>/<id>/ holds
// state.json (this record), config.json (the bundle's, copied at create: hooks and the cgroup
// path survive a removed bundle) and exec.fifo while the container waits for `start`.
#ifndef MYDOCKER_OCI_RECORD_H_
#define MYDOCKER_OCI_RECORD_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mydocker/cgroup_manager.h"
#include "mydocker/container_state.h"

namespace mydocker::oci {

struct Record {
  std::string id;
  ProcessRef init;  // pid in the host's namespace and its start time
  std::string bundle;
  std::string rootfs;
  std::string cgroup_path;
  absl::Time created;
  std::map<std::string, std::string> annotations;
  // No mount namespace of the container's own: the private bind of the root that `create` made
  // in its mount namespace (create.cc, SharedRoot), which `delete` detaches with every mount
  // below it. The mount's id (statx STATX_MNT_ID) and the inode of that namespace
  // (/proc/self/ns/mnt); 0: none.
  uint64_t root_mount_id = 0;
  uint64_t mount_namespace = 0;
};

enum class Status { kCreating, kCreated, kRunning, kPaused, kStopped };
const char* StatusName(Status status);

std::string RecordToJson(const Record& record);
absl::StatusOr<Record> RecordFromJson(absl::string_view text);

// The OCI state document ("ociVersion", "id", "status", "pid", "bundle", "annotations", plus
// runc's "rootfs", "created" and "owner"), indented as runc prints it.
std::string StateJson(const Record& record, Status status);

// runc's stats event for `events --stats`: {"type": "stats", "id": ..., "data": {"cpu":
// {"usage": {"total": ns}}, "memory": {"usage": {"usage", "limit"}, ...}, "pids": {...}}}.
std::string StatsJson(const std::string& id, const CgroupStats& stats);

}  // namespace mydocker::oci

#endif  // MYDOCKER_OCI_RECORD_H_
