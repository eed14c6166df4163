// Runtime::CommitContainer: a container's upper layer as a new image layer.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "container/container_internal.h"
#include "container_events.h"
#include "host/host.h"
#include "mydocker/container.h"
#include "mydocker/rootfs.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

// Marks the record with this process and freezes a running container (recorded paused, as
// pause does), or the reverse. The mark is written before the freeze: a commit killed at any
// point leaves a mark whose process is gone, and whoever reads the record next thaws the
// container and removes the temporary layer (UndoDeadCommit).
// REQUIRES: the caller holds the container's lock.
absl::Status BeginCommit(Runtime& runtime, ContainerState& state, bool freeze) {
  state.committing = runtime.host().Self();
  state.commit_froze = freeze;
  if (freeze) state.status = ContainerStatus::kPaused;
  MYDOCKER_RETURN_IF_ERROR(runtime.state().SaveState(state));
  if (!freeze) return absl::OkStatus();
  absl::Status frozen = runtime.cgroups().Freeze(state.cgroup_path, true);
  if (!frozen.ok()) runtime.cgroups().Freeze(state.cgroup_path, false).IgnoreError();
  return frozen;
}

absl::Status EndCommit(Runtime& runtime, ContainerState& state, bool thaw) {
  if (thaw) {
    MYDOCKER_RETURN_IF_ERROR(runtime.cgroups().Freeze(state.cgroup_path, false));
    state.status = ContainerStatus::kRunning;
  }
  state.committing = ProcessRef{};
  state.commit_froze = false;
  return runtime.state().SaveState(state);
}

// What Docker's commit records of a container: its environment, command (the image's
// entrypoint kept when the command still starts with it), working directory, user and stop
// signal; then the --change instructions on top.
absl::StatusOr<CommitConfig> RecordedConfig(const ContainerConfig& container, const Image& parent,
                                            const CommitOptions& options) {
  CommitConfig config;
  config.comment = options.comment;
  config.author = options.author;
  // Without what the runtime adds at start (Docker keeps them out of Config.Env as well).
  config.env.emplace();
  for (const std::string& e : container.process.env) {
    if (e.rfind("HOSTNAME=", 0) != 0 && e.rfind("TERM=", 0) != 0) config.env->push_back(e);
  }
  const std::vector<std::string>& args = container.process.args;
  const std::vector<std::string>& entrypoint = parent.config.entrypoint;
  if (!entrypoint.empty() && args.size() >= entrypoint.size() &&
      std::equal(entrypoint.begin(), entrypoint.end(), args.begin())) {
    config.entrypoint = entrypoint;
    config.cmd =
        std::vector<std::string>(args.begin() + static_cast<long>(entrypoint.size()), args.end());
  } else {
    config.entrypoint = std::vector<std::string>{};
    config.cmd = args;
  }
  config.working_dir = container.process.cwd;
  const UserSpec& user = container.process.user;
  if (user.uid != 0 || user.gid != 0 || !parent.config.user.empty()) {
    config.user = absl::StrCat(user.uid, ":", user.gid);
  }
  if (!container.stop_signal.empty()) config.stop_signal = container.stop_signal;
  config.healthcheck = container.healthcheck;
  config.labels = container.labels;  // the image's and the container's own, as Docker's Config
  for (const std::string& change : options.changes) {
    MYDOCKER_RETURN_IF_ERROR(ApplyChange(change, &config));
  }
  return config;
}

absl::StatusOr<Image> CommitLocked(Runtime& runtime, const std::string& id,
                                   const CommitOptions& options, std::string* warning) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock, runtime.state().Lock(id));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, runtime.state().LoadState(id));
  state = ReconcileState(UndoDeadCommit(runtime, std::move(state)));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerConfig config, runtime.state().LoadConfig(id));
  // By id: the container's image may have lost its tags since (rmi -f keeps it while used).
  MYDOCKER_ASSIGN_OR_RETURN(Image parent, runtime.images().Resolve(state.image_id));
  MYDOCKER_ASSIGN_OR_RETURN(CommitConfig recorded, RecordedConfig(config, parent, options));
  Rootfs rootfs = Rootfs::FromSpec(runtime.state().ContainerDir(id), config.root);
  // Like Docker: a running container is frozen so the layer is one consistent moment (unless
  // -p=false). The status is read under the lock, so no start, pause or unpause slips in.
  const bool freeze = options.pause && state.status == ContainerStatus::kRunning;
  if (absl::Status begun = BeginCommit(runtime, state, freeze); !begun.ok()) {
    EndCommit(runtime, state, freeze).IgnoreError();
    return begun;
  }
  absl::StatusOr<Image> image =
      runtime.images().Commit(parent, rootfs.upper_dir(), options.ref, recorded);
  absl::Status thawed = EndCommit(runtime, state, freeze);
  if (thawed.ok()) return image;
  std::string stuck = absl::StrCat("container ", ShortId(id), " could not be resumed (",
                                   thawed.message(), "): `unpause` it");
  if (!image.ok()) {
    return absl::Status(image.status().code(), absl::StrCat(image.status().message(), "; ", stuck));
  }
  // The image is stored and complete: the commit succeeded, only the resume did not.
  if (warning != nullptr) *warning = stuck;
  return image;
}

}  // namespace

absl::StatusOr<Image> Runtime::CommitContainer(absl::string_view container, absl::string_view ref,
                                               absl::string_view comment, std::string* warning) {
  CommitOptions options;
  options.ref = std::string(ref);
  options.comment = std::string(comment);
  return CommitContainer(container, options, warning);
}

absl::StatusOr<Image> Runtime::CommitContainer(absl::string_view container,
                                               const CommitOptions& options, std::string* warning) {
  CommitConfig scratch;  // bad changes are refused before anything is done
  for (const std::string& change : options.changes) {
    MYDOCKER_RETURN_IF_ERROR(ApplyChange(change, &scratch));
  }
  if (!options.ref.empty()) MYDOCKER_RETURN_IF_ERROR(ParseImageReference(options.ref).status());
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Container> c, Get(container));
  MYDOCKER_ASSIGN_OR_RETURN(Image image, CommitLocked(*this, c->id(), options, warning));
  if (auto state = c->State(); state.ok()) {
    RecordContainerEvent(
        *state_, *state, "commit",
        {{"comment", options.comment}, {"imageID", image.id}, {"imageRef", options.ref}});
  }
  return image;
}

}  // namespace mydocker
