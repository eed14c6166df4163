#include "mydocker/runtime.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cleanup.h"
#include "container/container_internal.h"
#include "host/host.h"
#include "image/removed_images.h"
#include "monitor_liveness.h"
#include "mydocker/capabilities.h"
#include "mydocker/rootfs.h"
#include "mydocker/status_macros.h"

#ifndef MYDOCKER_HELPER_PATH
#define MYDOCKER_HELPER_PATH "/usr/local/bin/mydocker"
#endif

namespace mydocker {
namespace {

constexpr char kDefaultRoot[] = "/var/lib/mydocker";

std::string EnvOr(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

}  // namespace

std::string DefaultRoot() { return EnvOr("MYDOCKER_ROOT", kDefaultRoot); }

Runtime::~Runtime() = default;

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Open(RuntimeOptions options) {
  if (options.root.empty()) options.root = DefaultRoot();
  if (options.helper_path.empty())
    options.helper_path = EnvOr("MYDOCKER_HELPER", MYDOCKER_HELPER_PATH);
  if (options.root[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("state root \"", options.root, "\" is not an absolute path"));
  }
  // Layer paths end up in overlayfs mount options, where these characters are separators.
  if (options.root.find_first_of(",:\\") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("state root \"", options.root, "\" contains ',', ':' or '\\'"));
  }
  std::unique_ptr<Runtime> rt(new Runtime());
  rt->host_ = options.host != nullptr ? options.host : &RealHost();
  // Until rootless mode exists: said plainly, before the state root is made.
  MYDOCKER_RETURN_IF_ERROR(CheckRootPrivileges(rt->host_->EffectiveCapabilities()));
  rt->kernel_ = std::make_unique<KernelFeatures>(rt->host_->ProbeKernel());
  MYDOCKER_RETURN_IF_ERROR(CheckKernel(*rt->kernel_));
  // Found now rather than at the first start, with its own message.
  if (absl::Status helper = rt->host_->CheckExecutable(options.helper_path); !helper.ok()) {
    return absl::Status(helper.code(),
                        absl::StrCat("the mydocker helper cannot be used (", helper.message(),
                                     "): set MYDOCKER_HELPER or the runtime's "
                                     "helper path to mydocker-helper"));
  }
  if (options.storage_driver.empty()) {
    options.storage_driver = EnvOr("MYDOCKER_STORAGE_DRIVER", "");
  }
  if (!options.storage_driver.empty()) {  // a wrong name is refused before the root is made
    MYDOCKER_RETURN_IF_ERROR(ChooseStorageDriver(options.storage_driver, "/", nullptr).status());
  }
  rt->options_ = options;
  MYDOCKER_ASSIGN_OR_RETURN(rt->state_, StateStore::Open(options.root));
  MYDOCKER_ASSIGN_OR_RETURN(
      rt->storage_driver_,
      ChooseStorageDriver(options.storage_driver, options.root, &rt->storage_notice_));
  MYDOCKER_ASSIGN_OR_RETURN(rt->images_, ImageStore::Open(options.root));
  if (options.cgroup_manager != nullptr) {
    rt->cgroups_ = options.cgroup_manager;
  } else {
    MYDOCKER_ASSIGN_OR_RETURN(rt->owned_cgroups_, CgroupManager::Detect(options.cgroup));
    rt->cgroups_ = rt->owned_cgroups_.get();
  }
  MYDOCKER_ASSIGN_OR_RETURN(rt->volumes_, VolumeStore::Open(options.root));
  return rt;
}

absl::StatusOr<std::unique_ptr<Container>> Runtime::Get(absl::string_view ref) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string id, state_->Resolve(ref));
  return std::make_unique<Container>(this, id);
}

namespace {

const ContainerState& StateOf(const ContainerState& s) { return s; }
const ContainerState& StateOf(const ListedRecord& r) { return r.state; }

// Whether one of `records` (states or listed records) was made from an image.
template <typename Record>
std::function<bool(const std::string&)> UsedBy(const std::vector<Record>& records) {
  return [&records](const std::string& image_id) {
    return std::any_of(records.begin(), records.end(),
                       [&](const Record& r) { return StateOf(r).image_id == image_id; });
  };
}

}  // namespace

absl::StatusOr<std::vector<ListedRecord>> Runtime::ListRecords(bool all) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ListedRecord> records, state_->ListRecords());
  // The monitor of a --rm container removes it without the image store: an image removed while
  // that container used it goes at the next listing.
  ReleaseRemovedImages(options_.root, UsedBy(records)).IgnoreError();
  MonitorLiveness monitors(state_->root());
  size_t shown = 0;  // the records kept, moved to the front in place
  for (ListedRecord& r : records) {
    if (!r.state.committing.empty()) {
      r.state = UndoDeadCommitUnlocked(*this, std::move(r.state));
    }
    // An active container whose monitor lives is as its record says (the monitor records the
    // end); otherwise the kernel is asked about its processes.
    if (!r.state.IsActive() || !monitors.Held(r.state.monitor)) {
      r.state = ReconcileRecord(std::move(r.state), *host_, *state_);
    }
    if (!all && !r.state.IsActive()) continue;
    if (&r != &records[shown]) records[shown] = std::move(r);
    ++shown;
  }
  records.erase(records.begin() + static_cast<ptrdiff_t>(shown), records.end());
  return records;
}

absl::StatusOr<std::vector<ContainerState>> Runtime::List(bool all) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ListedRecord> records, ListRecords(all));
  std::vector<ContainerState> states;
  states.reserve(records.size());
  for (ListedRecord& r : records) states.push_back(std::move(r.state));
  return states;
}

absl::Status Runtime::DeleteContainer(const std::string& id, bool anonymous_volumes) {
  MYDOCKER_RETURN_IF_ERROR(DeleteContainerFiles(*state_, *volumes_, id, anonymous_volumes));
  // An image removed with force while this container used it goes with its last container.
  if (auto states = state_->List(); states.ok()) {
    ReleaseRemovedImages(options_.root, UsedBy(*states)).IgnoreError();
  }
  return absl::OkStatus();
}

absl::Status Runtime::RemoveVolume(absl::string_view name, bool force) {
  MYDOCKER_ASSIGN_OR_RETURN(Volume volume, volumes_->Get(name));
  if (!force) {
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> states, state_->List());
    for (const ContainerState& s : states) {
      auto config = state_->LoadConfig(s.id);
      if (!config.ok()) continue;
      for (const MountSpec& m : config->mounts) {
        if (m.source == volume.mountpoint) {
          return absl::FailedPreconditionError(
              absl::StrCat("volume ", name, " is in use by container ", s.id.substr(0, 12)));
        }
      }
    }
  }
  return volumes_->Remove(name);
}

absl::StatusOr<std::vector<std::string>> Runtime::PruneVolumes(bool all) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<Volume> volumes, volumes_->List());
  std::vector<std::string> removed;
  for (const Volume& v : volumes) {
    if (!v.anonymous && !all) continue;
    // RemoveVolume refuses one a container uses: that one stays. One gone meanwhile is fine.
    absl::Status s = RemoveVolume(v.name, /*force=*/false);
    if (s.ok()) {
      removed.push_back(v.name);
    } else if (!absl::IsFailedPrecondition(s) && !absl::IsNotFound(s)) {
      return s;
    }
  }
  return removed;
}

absl::Status Runtime::RemoveImage(absl::string_view ref, bool force) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ContainerState> states, state_->List());
  return images_->Remove(ref, force, UsedBy(states));
}

}  // namespace mydocker
