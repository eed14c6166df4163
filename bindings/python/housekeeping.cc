// Housekeeping as docker-py spells it: containers/images/networks prune(filters=), Runtime.prune()
// (`system prune`), Runtime.df() and Runtime.events() with its EventStream, over the same
// Runtime calls as the CLI and the C API (mydocker/housekeeping.h, mydocker/events.h).
#include "mydocker/housekeeping.h"

#include <pybind11/stl.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bindings.h"
#include "mydocker/events.h"
#include "mydocker/views.h"
#include "reader_queue.h"
#include "status.h"

namespace mydocker::python {
namespace py = pybind11;
namespace {

std::string FilterValue(const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  return py::str(value).cast<std::string>();
}

py::object EventValue(const std::string& json, bool decode) {
  return decode ? JsonToPython(json) : py::str(json);
}

// A ReaderQueue running ReadEvents, which polls cancelled() about every 200 ms.
class EventStream {
 public:
  EventStream(RuntimePtr runtime, EventQuery query, EventFilter filter, bool decode)
      : runtime_(std::move(runtime)), filter_(std::move(filter)), decode_(decode) {
    queue_.emplace([this, query](const ReaderQueue::Push& push, const ReaderQueue& self) mutable {
      query.cancel = [&self] { return self.cancelled(); };
      return ReadEvents(runtime_->state().root(), query, [&](const Event& e) {
        return !filter_.Matches(e) || push(EventToJson(e));
      });
    });
  }

  py::object Next() {
    std::optional<std::string> line = queue_->Next();
    if (!line) throw py::stop_iteration();
    return EventValue(*line, decode_);
  }

  void Close() { queue_->Close(); }

 private:
  RuntimePtr runtime_;
  EventFilter filter_;
  bool decode_;
  std::optional<ReaderQueue> queue_;  // last: its reader uses the members above
};

}  // namespace

std::vector<std::string> FilterSpecs(const py::object& filters) {
  std::vector<std::string> specs;
  if (filters.is_none()) return specs;
  if (py::isinstance<py::dict>(filters)) {
    for (const auto& [key, value] : filters.cast<py::dict>()) {
      std::string k = py::str(key).cast<std::string>();
      if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
        for (const py::handle& v : value) specs.push_back(absl::StrCat(k, "=", FilterValue(v)));
      } else {
        specs.push_back(absl::StrCat(k, "=", FilterValue(value)));
      }
    }
    return specs;
  }
  if (py::isinstance<py::str>(filters)) {
    throw py::type_error("filters must be a dict or a list of 'KEY=VALUE' strings, not a str");
  }
  for (const py::handle& spec : filters) {
    if (!py::isinstance<py::str>(spec)) {
      throw py::type_error("filters must be a dict or a list of 'KEY=VALUE' strings");
    }
    specs.push_back(spec.cast<std::string>());
  }
  return specs;
}

py::object PruneWith(const RuntimePtr& runtime, unsigned sections, const py::object& filters,
                     bool all, bool volumes) {
  std::vector<std::string> specs = FilterSpecs(filters);
  if (sections == views::kPruneImages) {
    // The Engine API's image prune takes dangling=false for -a.
    std::erase_if(specs, [&all](const std::string& spec) {
      if (spec.rfind("dangling=", 0) != 0) return false;
      std::string value = spec.substr(9);
      if (value != "true" && value != "false" && value != "1" && value != "0") {
        ThrowStatus(InvalidFilter("dangling", value));
      }
      all = all || value == "false" || value == "0";
      return true;
    });
  }
  PruneFilters parsed = ValueOrThrow(PruneFilters::Parse(specs));
  PruneReport report;
  WithoutGil([&]() -> absl::Status {
    Runtime& rt = *runtime;
    switch (sections) {
      case views::kPruneContainers:
        return rt.PruneContainers(parsed, &report);
      case views::kPruneImages:
        return rt.PruneImages(all, parsed, &report);
      case views::kPruneNetworks:
        return rt.PruneNetworks(parsed, &report);
      default:
        return rt.PruneSystem({all, volumes, parsed}, &report);
    }
  });
  return JsonToPython(views::PruneReportJson(report, sections));
}

py::object DiskUsageOf(const RuntimePtr& runtime, bool verbose) {
  DiskUsage du = WithoutGil([&] { return runtime->GetDiskUsage(); });
  return JsonToPython(views::DiskUsageJson(du, verbose));
}

py::object EventsOf(const RuntimePtr& runtime, const py::object& since, const py::object& until,
                    const py::object& filters, bool decode) {
  EventFilter filter = ValueOrThrow(EventFilter::Parse(FilterSpecs(filters)));
  absl::Time now = absl::Now();
  EventQuery query;
  query.since = ToLogTime(since, "since", absl::InfinitePast());
  query.until = ToLogTime(until, "until", absl::InfiniteFuture());
  // docker-py's: without since or until only what happens from now on; until not yet passed
  // streams until it does.
  if (since.is_none() && until.is_none()) query.since = now;
  query.follow = query.until > now;
  if (query.follow) {
    return py::cast(std::make_unique<EventStream>(runtime, query, std::move(filter), decode));
  }
  std::vector<std::string> lines;
  WithoutGil([&] {
    return ReadEvents(runtime->state().root(), query, [&](const Event& e) {
      if (filter.Matches(e)) lines.push_back(EventToJson(e));
      return true;
    });
  });
  py::list out;
  for (const std::string& line : lines) out.append(EventValue(line, decode));
  return py::iter(out);
}

void RegisterEventStream(py::module_& m) {
  py::class_<EventStream>(m, "EventStream",
                          "An iterator over events as they are recorded, returned by "
                          "Runtime.events() when it follows. It ends when `until` passes; "
                          "close() (or leaving a with block) stops it early.")
      .def("__iter__", [](EventStream& self) -> EventStream& { return self; })
      .def("__next__", &EventStream::Next)
      .def("close", &EventStream::Close, "Stops following; the iteration ends.")
      .def("__enter__", [](EventStream& self) -> EventStream& { return self; })
      .def("__exit__", [](EventStream& self, py::args) { self.Close(); });
}

}  // namespace mydocker::python
