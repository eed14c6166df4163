// Events about containers (events.h) as Docker writes them: the container's id, its name,
// image and labels as attributes, and what the action adds (exitCode, signal, ...).
#ifndef MYDOCKER_CONTAINER_EVENTS_H_
#define MYDOCKER_CONTAINER_EVENTS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mydocker/container_state.h"
#include "mydocker/network.h"
#include "mydocker/state_store.h"

namespace mydocker {

// Records `action` on the container `state` of `store`: its labels read from its configuration
// while it exists, then `extra` (a removed container's labels, read before). Best effort, as
// RecordEvent.
void RecordContainerEvent(const StateStore& store, const ContainerState& state,
                          absl::string_view action, std::map<std::string, std::string> extra = {});

// The same for a caller that holds the container's configuration: its `labels` are used rather
// than the configuration read again (a start and an end each save a parse of config.json).
void RecordContainerEventWithLabels(const StateStore& store, const ContainerState& state,
                                    const std::map<std::string, std::string>& labels,
                                    absl::string_view action,
                                    std::map<std::string, std::string> extra = {});

// Docker's "network connect" (a container starting) or "network disconnect" (ending) for each
// network the container has an address on: the network's id, and the container, the network's
// name and its driver as attributes.
void RecordNetworkEvents(const StateStore& store, const std::string& container_id,
                         const std::vector<NetworkAttachment>& networks, absl::string_view action);

}  // namespace mydocker

#endif  // MYDOCKER_CONTAINER_EVENTS_H_
