// The entry point of the library: a Runtime bound to one state root. It owns the stores and the
// cgroup driver and creates Container handles.
//
// Thread-safety: a Runtime may be shared by many threads; every method is safe to call
// concurrently. Containers started from it are owned by their monitor processes, not by the
// calling process, so a caller that exits or crashes never orphans a container.
#ifndef MYDOCKER_RUNTIME_H_
#define MYDOCKER_RUNTIME_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mydocker/cgroup_manager.h"
#include "mydocker/container.h"
#include "mydocker/container_state.h"
#include "mydocker/housekeeping.h"
#include "mydocker/image_store.h"
#include "mydocker/state_store.h"
#include "mydocker/volume_store.h"

namespace mydocker {

class Host;             // the seam in front of the kernel (src/host/host.h)
struct KernelFeatures;  // what the kernel offers (src/host/kernel_features.h)

struct RuntimeOptions {
  // State root. Empty: $MYDOCKER_ROOT, else /var/lib/mydocker.
  std::string root;
  // The binary holding the monitor mode and the nsenter stub (normally the mydocker CLI).
  // Empty: $MYDOCKER_HELPER, else the path fixed at build time (the installed CLI).
  std::string helper_path;
  CgroupOptions cgroup;
  // How containers' layers are assembled (mydocker/rootfs.h): "overlay" or "fuse-overlayfs".
  // Empty: $MYDOCKER_STORAGE_DRIVER, else automatic (fuse-overlayfs when the state root is on
  // overlayfs, where the kernel's overlay cannot be stacked; overlay otherwise).
  std::string storage_driver;
  // For tests: the host seam and the cgroup driver to use instead of the real host and
  // CgroupManager::Detect(cgroup). Not owned; they must outlive the Runtime.
  Host* host = nullptr;
  CgroupManager* cgroup_manager = nullptr;
};

// The default state root: $MYDOCKER_ROOT or /var/lib/mydocker.
std::string DefaultRoot();

// `commit`'s options (docker commit -a -c -m -p).
struct CommitOptions {
  std::string ref;                   // NAME[:TAG]; empty: untagged
  std::string comment;               // -m
  std::string author;                // -a
  bool pause = true;                 // -p: freeze a running container meanwhile (Docker's default)
  std::vector<std::string> changes;  // -c: Dockerfile instructions (see ApplyChange)
};

class Runtime {
 public:
  // Refused before anything is created (the state root included): PermissionDenied when the
  // caller lacks a capability a container's setup uses ("mydocker needs root: this process
  // lacks CAP_SYS_ADMIN ..."; rootless mode does not exist), Unimplemented when the
  // kernel lacks a system call mydocker needs ("mydocker needs Linux 5.10 or later ...").
  static absl::StatusOr<std::unique_ptr<Runtime>> Open(RuntimeOptions options = {});
  ~Runtime();

  const RuntimeOptions& options() const { return options_; }
  StateStore& state() { return *state_; }
  ImageStore& images() { return *images_; }
  CgroupManager& cgroups() { return *cgroups_; }
  Host& host() { return *host_; }
  VolumeStore& volumes() { return *volumes_; }
  // The kernel's features, probed once by Open through the host seam.
  const KernelFeatures& kernel() const { return *kernel_; }
  // The storage driver new containers get, and the line saying why when it was chosen
  // automatically as a fallback (empty otherwise): callers show it to their user.
  const std::string& storage_driver() const { return storage_driver_; }
  const std::string& storage_notice() const { return storage_notice_; }

  // Creates a container from an image: validates the options, records it (status "created"),
  // prepares its directories. Nothing runs until Container::Start.
  absl::StatusOr<std::unique_ptr<Container>> Create(const CreateOptions& options);

  // What Run made: the container (nullptr when its creation failed: `started` then says why)
  // and its start (as Container::Start returns it).
  struct RunResult {
    std::unique_ptr<Container> container;
    absl::StatusOr<std::unique_ptr<Attachment>> started;
  };
  // Create then Container::Start, with the monitor's process started first: it gets going (the
  // helper's execution, its stores opened) while the container is created, and begins once
  // told the new container's id. A failed create ends it with nothing made. `run`'s path.
  RunResult Run(const CreateOptions& create, const StartOptions& start);
  // The same in two halves, for a caller with more to do before the create (`run` resolves or
  // pulls the image meanwhile): the monitor for a start with `start`, then Run with it.
  absl::StatusOr<PendingMonitor> StartMonitorAhead(const StartOptions& start);
  RunResult Run(const CreateOptions& create, PendingMonitor monitor);

  // By name, full id or unique id prefix.
  absl::StatusOr<std::unique_ptr<Container>> Get(absl::string_view ref);

  // Every container's state, reconciled with the kernel; `all` = false keeps running/paused.
  absl::StatusOr<std::vector<ContainerState>> List(bool all);
  // The same, each with its network.json (what `ps` shows), read through the listing cache.
  absl::StatusOr<std::vector<ListedRecord>> ListRecords(bool all);

  // Deletes a container's record and directory (its kernel resources already released) and,
  // with `anonymous_volumes`, the anonymous volumes it used (as `rm -v` and `--rm` do).
  // REQUIRES: the caller holds state().Lock(id).
  absl::Status DeleteContainer(const std::string& id, bool anonymous_volumes);

  // `volume ls [--filter]`: the volumes `filters` (ParseVolumeFilters) select.
  absl::StatusOr<std::vector<Volume>> ListVolumes(const Filters& filters);

  // Removes a named volume; refused (FailedPrecondition) while a container uses it, unless
  // `force`.
  absl::Status RemoveVolume(absl::string_view name, bool force);
  // `volume prune [-a]`: removes every anonymous volume no container uses (`all`: named ones
  // too) and returns their names.
  absl::StatusOr<std::vector<std::string>> PruneVolumes(bool all);

  // Docker's prunes (mydocker/housekeeping.h). Each adds what it removed to `report` as it goes,
  // so that after a failure the report still says what went. One that changed meanwhile (a
  // container started, an image used) is not an error: it is simply not pruned.
  // `container prune`: every container that is not running, paused or restarting.
  absl::Status PruneContainers(const PruneFilters& filters, PruneReport* report);
  // `image prune [-a]`: untagged images no container uses (`all`: every image no container
  // uses); `reclaimed` counts the layers that went.
  absl::Status PruneImages(bool all, const PruneFilters& filters, PruneReport* report);
  // `network prune`: every user network no container is on.
  absl::Status PruneNetworks(const PruneFilters& filters, PruneReport* report);
  // `system prune [-a] [--volumes]`: containers, networks, (volumes,) then images.
  absl::Status PruneSystem(const SystemPruneOptions& options, PruneReport* report);
  // `system df [-v]`.
  absl::StatusOr<DiskUsage> GetDiskUsage();

  // Makes an image of a container's changes on top of its image (see ImageStore::Commit),
  // tagged `ref` unless empty. A running container is paused while its upper layer is read and
  // resumed afterwards, whether or not the commit succeeds; the container's lock is held
  // meanwhile, so it cannot be started, paused or removed half-way. If the image is stored but
  // the container cannot be resumed, the commit still succeeds: `*warning` (when given) says so
  // and the container stays recorded as paused.
  absl::StatusOr<Image> CommitContainer(absl::string_view container, absl::string_view ref,
                                        absl::string_view comment, std::string* warning = nullptr);
  // The same with every option; the image records the container's configuration (Env, Cmd,
  // Entrypoint, WorkingDir, User, StopSignal) and then the changes, as Docker does. Changes are
  // validated before anything is done (InvalidArgument).
  absl::StatusOr<Image> CommitContainer(absl::string_view container, const CommitOptions& options,
                                        std::string* warning = nullptr);

  // Removes an image tag (see ImageStore::Remove); refused while a container uses the image
  // unless `force`.
  absl::Status RemoveImage(absl::string_view ref, bool force);

 private:
  Runtime() = default;
  // Create's second half: volumes, the record (retrying generated names), the directories.
  // `mounts`: the container's own mounts, planned (create.cc's PlanMounts).
  absl::StatusOr<std::unique_ptr<Container>> Record(ContainerState state,
                                                    const CreateOptions& options,
                                                    const std::vector<VolumeSpec>& mounts,
                                                    ContainerConfig& config);
  RuntimeOptions options_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<ImageStore> images_;
  std::unique_ptr<CgroupManager> owned_cgroups_;
  CgroupManager* cgroups_ = nullptr;
  Host* host_ = nullptr;
  std::unique_ptr<KernelFeatures> kernel_;
  std::string storage_driver_;
  std::string storage_notice_;
  std::unique_ptr<VolumeStore> volumes_;
};

}  // namespace mydocker

#endif  // MYDOCKER_RUNTIME_H_
