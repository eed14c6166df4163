// Housekeeping through the C ABI (1.9): the prunes, `system df`, the event journal, volume
// labels and volume ls filters, over the same Runtime calls as the CLI's.
#include <string>
#include <vector>

#include "internal.h"
#include "mydocker/container_config.h"
#include "mydocker/events.h"
#include "mydocker/housekeeping.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"

namespace mydocker::capi {
namespace {

namespace views = mydocker::views;

// The options (NULL: the defaults) and their filters, parsed.
struct Prune {
  mydocker_prune_options_t options;
  mydocker::PruneFilters filters;
};

absl::StatusOr<Prune> ReadPrune(const mydocker_prune_options_t* in) {
  Prune p;
  mydocker_prune_options_init(&p.options);
  if (in != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(p.options, CopySized(in, "mydocker_prune_options_t"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(p.filters, mydocker::PruneFilters::Parse(Strings(p.options.filters)));
  return p;
}

// Runs `prune` with the options; *json (if wanted) the report's `sections`. What was removed
// before a failure is reported only through the error.
template <typename Fn>
int RunPrune(mydocker_runtime_t* runtime, const mydocker_prune_options_t* options, char** json,
             mydocker_error_t** errptr, unsigned sections, Fn&& prune) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_ASSIGN_OR_RETURN(Prune p, ReadPrune(options));
    mydocker::PruneReport report;
    MYDOCKER_RETURN_IF_ERROR(prune(*runtime->runtime, p, &report));
    if (json != nullptr) *json = CopyString(views::PruneReportJson(report, sections));
    return absl::OkStatus();
  });
}

absl::Status Events(mydocker_runtime_t* runtime, const mydocker_events_options_t* in,
                    mydocker_event_fn fn, void* arg) {
  mydocker_events_options_t o;
  mydocker_events_options_init(&o);
  if (in != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(o, CopySized(in, "mydocker_events_options_t"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(mydocker::EventFilter filter,
                            mydocker::EventFilter::Parse(Strings(o.filters)));
  mydocker::EventQuery query;
  MYDOCKER_ASSIGN_OR_RETURN(query.since,
                            OptionTime(o.since, "events options: since", absl::InfinitePast()));
  MYDOCKER_ASSIGN_OR_RETURN(query.until,
                            OptionTime(o.until, "events options: until", absl::InfiniteFuture()));
  query.follow = o.follow != 0;
  mydocker_cancel_t* cancel = o.cancel;
  query.cancel = [cancel] { return cancel != nullptr && cancel->cancelled.load(); };
  MYDOCKER_RETURN_IF_ERROR(CheckCancel(cancel, "events"));
  bool stopped = false;
  MYDOCKER_RETURN_IF_ERROR(
      mydocker::ReadEvents(runtime->runtime->state().root(), query, [&](const mydocker::Event& e) {
        if (!filter.Matches(e)) return true;
        std::string line = mydocker::EventToJson(e);
        stopped = fn(arg, line.c_str(), line.size()) != 0;
        return !stopped;
      }));
  return stopped ? absl::OkStatus() : CheckCancel(cancel, "events");
}

}  // namespace
}  // namespace mydocker::capi

using namespace mydocker::capi;  // NOLINT(build/namespaces)

extern "C" {

int mydocker_volume_create_with_labels(mydocker_runtime_t* runtime, const char* name,
                                       const char* const* labels, char** json,
                                       mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    std::map<std::string, std::string> parsed;
    for (const std::string& spec : Strings(labels)) {
      MYDOCKER_ASSIGN_OR_RETURN(auto label, mydocker::ParseLabel(spec));
      parsed[label.first] = label.second;
    }
    std::string chosen = Str(name);
    if (chosen.empty()) chosen = mydocker::NewContainerId();  // as the CLI names one
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::Volume v, runtime->runtime->volumes().Ensure(
                                                      chosen, /*anonymous=*/false, parsed));
    if (json != nullptr) *json = CopyString(mydocker::views::VolumeInspect(v));
    return absl::OkStatus();
  });
}

int mydocker_volume_list_filtered(mydocker_runtime_t* runtime, const char* const* filters,
                                  char** json, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::Filters f, mydocker::ParseVolumeFilters(Strings(filters)));
    MYDOCKER_ASSIGN_OR_RETURN(std::vector<mydocker::Volume> volumes,
                              runtime->runtime->ListVolumes(f));
    std::vector<std::string> views;
    for (const mydocker::Volume& v : volumes) views.push_back(mydocker::views::VolumeInspect(v));
    *json = CopyString(mydocker::views::Array(views));
    return absl::OkStatus();
  });
}

int mydocker_container_prune(mydocker_runtime_t* runtime, const mydocker_prune_options_t* options,
                             char** json, mydocker_error_t** errptr) {
  return RunPrune(runtime, options, json, errptr, views::kPruneContainers,
                  [](mydocker::Runtime& rt, const Prune& p, mydocker::PruneReport* report) {
                    return rt.PruneContainers(p.filters, report);
                  });
}

int mydocker_image_prune(mydocker_runtime_t* runtime, const mydocker_prune_options_t* options,
                         char** json, mydocker_error_t** errptr) {
  return RunPrune(runtime, options, json, errptr, views::kPruneImages,
                  [](mydocker::Runtime& rt, const Prune& p, mydocker::PruneReport* report) {
                    return rt.PruneImages(p.options.all != 0, p.filters, report);
                  });
}

int mydocker_network_prune_with_options(mydocker_runtime_t* runtime,
                                        const mydocker_prune_options_t* options, char** json,
                                        mydocker_error_t** errptr) {
  return RunPrune(runtime, options, json, errptr, views::kPruneNetworks,
                  [](mydocker::Runtime& rt, const Prune& p, mydocker::PruneReport* report) {
                    return rt.PruneNetworks(p.filters, report);
                  });
}

int mydocker_system_prune(mydocker_runtime_t* runtime, const mydocker_prune_options_t* options,
                          char** json, mydocker_error_t** errptr) {
  return RunPrune(
      runtime, options, json, errptr,
      views::kPruneContainers | views::kPruneNetworks | views::kPruneVolumes | views::kPruneImages,
      [](mydocker::Runtime& rt, const Prune& p, mydocker::PruneReport* report) {
        return rt.PruneSystem({p.options.all != 0, p.options.volumes != 0, p.filters}, report);
      });
}

int mydocker_system_df(mydocker_runtime_t* runtime, int verbose, char** json,
                       mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::DiskUsage du, runtime->runtime->GetDiskUsage());
    *json = CopyString(views::DiskUsageJson(du, verbose != 0));
    return absl::OkStatus();
  });
}

int mydocker_events(mydocker_runtime_t* runtime, const mydocker_events_options_t* options,
                    mydocker_event_fn fn, void* arg, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(reinterpret_cast<void*>(fn), "event callback"));
    return Events(runtime, options, fn, arg);
  });
}

}  // extern "C"
