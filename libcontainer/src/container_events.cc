#include "container_events.h"

#include "mydocker/events.h"

namespace mydocker {

void RecordContainerEvent(const StateStore& store, const ContainerState& state,
                          absl::string_view action, std::map<std::string, std::string> extra) {
  Event e;
  e.type = "container";
  e.action = std::string(action);
  e.id = state.id;
  // Docker puts the labels among the attributes; name and image win over a label so named.
  if (auto config = store.LoadConfig(state.id); config.ok()) e.attributes = config->labels;
  for (auto& [k, v] : extra) e.attributes[k] = std::move(v);
  e.attributes["name"] = state.name;
  e.attributes["image"] = state.image;
  RecordEvent(store.root(), std::move(e));
}

}  // namespace mydocker
