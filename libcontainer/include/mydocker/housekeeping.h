// Docker's housekeeping, shared by the CLI (`container prune`, `image prune [-a]`, `network
// prune`, `system prune [-a] [--volumes]`, `system df [-v]`), the C API and Python: what a
// prune removes and what `system df` counts. The Runtime methods that do it are in runtime.h.
#ifndef MYDOCKER_HOUSEKEEPING_H_
#define MYDOCKER_HOUSEKEEPING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mydocker/container_state.h"
#include "mydocker/filters.h"
#include "mydocker/image_store.h"
#include "mydocker/volume_store.h"

namespace mydocker {

// Docker's prune filters: until=TIME (created before it: RFC 3339, Unix seconds or a duration
// before now) and label=K[=V] / label!=K[=V].
struct PruneFilters {
  Filters filters;
  std::optional<absl::Time> until;

  // Errors as Filters::Parse's, and "invalid filter 'until=X'" for a time that is not one.
  static absl::StatusOr<PruneFilters> Parse(const std::vector<std::string>& specs);
  bool Matches(absl::Time created, const std::map<std::string, std::string>& labels) const;
};

// `volume ls`'s filters: dangling=true|false|1|0 (no container uses it), name (an expression
// found in the name), driver (always "local"), label=K[=V]. Errors as Filters::Parse's, and
// "invalid filter 'dangling=X'" for another dangling value.
absl::StatusOr<Filters> ParseVolumeFilters(const std::vector<std::string>& specs);

// What a prune removed, in Docker's words: container ids, networks' names, volumes' names and,
// for images, "untagged: REF" and "deleted: ID" lines; `reclaimed` the bytes freed.
struct PruneReport {
  std::vector<std::string> containers, images, networks, volumes;
  int64_t reclaimed = 0;
};

// `system prune`'s options.
struct SystemPruneOptions {
  bool all = false;      // -a: every unused image, not only untagged ones
  bool volumes = false;  // --volumes: anonymous volumes no container uses too
  PruneFilters filters;
};

// `system df [-v]`: the counts and the items behind them. Layers shared by images count once.
struct DiskUsage {
  struct Summary {
    int total = 0, active = 0;
    int64_t size = 0, reclaimable = 0;
  };
  Summary images, containers, volumes;  // the build cache is always empty
  struct ImageUsage {
    Image image;
    int containers = 0;  // how many containers use it
  };
  struct ContainerUsage {
    ContainerState state;
    int64_t size = 0;  // its upper layer
  };
  struct VolumeUsage {
    Volume volume;
    int links = 0;  // how many containers mount it
    int64_t size = 0;
  };
  std::vector<ImageUsage> image_list;
  std::vector<ContainerUsage> container_list;
  std::vector<VolumeUsage> volume_list;
};

}  // namespace mydocker

#endif  // MYDOCKER_HOUSEKEEPING_H_
