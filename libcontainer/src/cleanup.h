// Releasing a container's kernel resources. Every step tolerates "already gone", so the monitor,
// `rm` and a later `rm -f` after a crash can all run it and end in the same state: nothing left.
#ifndef MYDOCKER_CLEANUP_H_
#define MYDOCKER_CLEANUP_H_

#include "absl/status/status.h"
#include "mydocker/cgroup_manager.h"
#include "mydocker/container_state.h"
#include "mydocker/network.h"
#include "mydocker/state_store.h"
#include "mydocker/volume_store.h"

namespace mydocker {

class Host;

// Unmounts the root file system if it is mounted on the host and removes the cgroup; with
// `networks`, also ReleaseNetworks.
absl::Status ReleaseResources(Host& host, CgroupManager& cgroups, const std::string& container_dir,
                              const ContainerState& state, bool networks = true);

// The host's end of each of the container's veth pairs and its port rules (its addresses are
// kept until removal).
absl::Status ReleaseNetworks(const std::vector<NetworkAttachment>& attachments,
                             const std::string& id);

// Deletes a container's record and directory (its kernel resources already released) and, with
// `anonymous_volumes`, the anonymous volumes it used. Kept apart from Runtime so the monitor
// needs neither the image store nor its archive and crypto libraries.
// With `trash`, the directory is only detached (StateStore::Detach) and its trash path stored
// there for a later StateStore::Purge. With `config` (the container's, held by the caller), its
// mounts are not read again. REQUIRES: the caller holds state.Lock(id).
absl::Status DeleteContainerFiles(StateStore& state, VolumeStore& volumes, const std::string& id,
                                  bool anonymous_volumes, std::string* trash = nullptr,
                                  const ContainerConfig* config = nullptr);

}  // namespace mydocker

#endif  // MYDOCKER_CLEANUP_H_
