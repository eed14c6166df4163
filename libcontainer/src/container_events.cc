#include "container_events.h"

#include "mydocker/events.h"
#include "mydocker/network_store.h"

namespace mydocker {

void RecordContainerEvent(const StateStore& store, const ContainerState& state,
                          absl::string_view action, std::map<std::string, std::string> extra) {
  std::map<std::string, std::string> labels;
  if (auto config = store.LoadConfig(state.id); config.ok()) labels = std::move(config->labels);
  RecordContainerEventWithLabels(store, state, labels, action, std::move(extra));
}

void RecordContainerEventWithLabels(const StateStore& store, const ContainerState& state,
                                    const std::map<std::string, std::string>& labels,
                                    absl::string_view action,
                                    std::map<std::string, std::string> extra) {
  Event e;
  e.type = "container";
  e.action = std::string(action);
  e.id = state.id;
  // Docker puts the labels among the attributes; name and image win over a label so named.
  e.attributes = labels;
  for (auto& [k, v] : extra) e.attributes[k] = std::move(v);
  e.attributes["name"] = state.name;
  e.attributes["image"] = state.image;
  RecordEvent(store.root(), std::move(e));
}

void RecordNetworkEvents(const StateStore& store, const std::string& container_id,
                         const std::vector<NetworkAttachment>& networks, absl::string_view action) {
  network::NetworkStore records(store.root());
  for (const NetworkAttachment& a : networks) {
    if (a.network.empty()) continue;  // --network host, none or container:ID
    absl::StatusOr<NetworkRecord> record = records.Get(a.network);
    RecordEvent(store.root(), {"network",
                               std::string(action),
                               record.ok() ? record->id : a.network,
                               {{"container", container_id},
                                {"name", a.network},
                                {"type", record.ok() ? record->driver : "bridge"}}});
  }
}

}  // namespace mydocker
