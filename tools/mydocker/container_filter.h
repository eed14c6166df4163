// `ps --filter` (and `container prune --filter`): Docker's container filters over listed records:
// id, name (regular expressions), label, exited, status, ancestor (the image or one built on
// it), before, since (containers created before or after one), volume (a volume's name or a
// mount's destination), network (name or id), health.
#ifndef MYDOCKER_TOOLS_CONTAINER_FILTER_H_
#define MYDOCKER_TOOLS_CONTAINER_FILTER_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "filters.h"
#include "mydocker/runtime.h"
#include "mydocker/state_store.h"

namespace mydocker::cli {

class ContainerFilter {
 public:
  // Parses and checks the values that need no runtime (status, health, exited); errors carry
  // Docker's exit status (filters.h). `extra` keys are accepted too (prune's "until").
  static absl::StatusOr<ContainerFilter> Parse(const std::vector<std::string>& specs,
                                               const std::vector<std::string>& extra = {});

  // Looks up what the filters name: the containers of before and since (NotFound "no such
  // container: X" if one is missing), the images of ancestor and their descendants (a name that
  // is no image matches nothing, as in Docker), the volumes and networks.
  absl::Status Resolve(Runtime& rt);

  const Filters& filters() const { return filters_; }
  // A status filter looks at every container, as in Docker.
  bool WantsAll() const { return filters_.Has("status"); }

  // Whether the container matches every filter; reads its configuration only for label and
  // volume filters.
  bool Matches(Runtime& rt, const ListedRecord& r) const;

 private:
  bool MatchesConfig(Runtime& rt, const ContainerState& s) const;

  Filters filters_;
  std::vector<int> exited_;
  std::optional<absl::Time> before_, since_;
  bool ancestor_ = false;
  std::set<std::string> ancestor_images_;  // image ids: the ancestors and images built on them
  std::vector<std::string> volume_sources_;
  std::set<std::string> networks_;  // network names
};

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_CONTAINER_FILTER_H_
