// Docker's event stream (`docker events`): what happened to containers, images, volumes and
// networks, recorded by the process that made it happen (the client for create, kill, pause,
// rm; the container's monitor for start, die, oom and the removal of a --rm container) in a
// bounded journal under the state root, and read back or followed by `events`.
//
// The journal is <root>/events/journal, one JSON line an event (Docker's message: status, id,
// from, Type, Action, Actor{ID, Attributes}, scope, time, timeNano), each written with one
// write(2) of at most kMaxEventLine bytes to a file opened O_APPEND, so that writers in several
// processes never interleave. Past kMaxJournalBytes the journal is renamed journal.1 (the older
// one dropped) under <root>/events/lock: the journal takes at most about twice that.
#ifndef MYDOCKER_EVENTS_H_
#define MYDOCKER_EVENTS_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mydocker/filters.h"

namespace mydocker {

inline constexpr size_t kMaxEventLine = 4000;  // below PIPE_BUF (4096)
inline constexpr size_t kMaxJournalBytes = size_t{1} << 20;

struct Event {
  std::string type;    // "container", "image", "volume", "network"
  std::string action;  // "create", "start", "die", "exec_start: sh -c ...", "tag", ...
  std::string id;      // the container's or network's id, the image's reference, the volume's name
  std::map<std::string, std::string> attributes;  // "name", "image", "exitCode", labels, ...
  absl::Time time = absl::UnixEpoch();
};

// The event as one JSON line (without the newline), shortened to kMaxEventLine bytes: the
// longest attribute values are cut first.
std::string EventToJson(const Event& event);
// A journal line back; InvalidArgument for one that is not an event.
absl::StatusOr<Event> EventFromJson(absl::string_view line);

// Appends `event` (its time set to now if it has none) to the journal of the state root
// `root`, rotating it past kMaxJournalBytes. Best effort, as Docker's: an event that cannot be
// written is lost and the operation that caused it goes on, so this returns nothing.
// Async-signal-unsafe (it allocates): never call it between fork and exec.
void RecordEvent(const std::string& root, Event event);

// Docker's events filters (daemon/events/filter.go): type, event, container, image, label,
// volume, network; every key given must match.
class EventFilter {
 public:
  // Errors as Filters::Parse's (exit status 125 or 1, ExitCodeOf), and "invalid filter
  // 'type=X'" for a type Docker does not know.
  static absl::StatusOr<EventFilter> Parse(const std::vector<std::string>& specs);
  bool Matches(const Event& event) const;

 private:
  Filters filters_;
};

struct EventQuery {
  absl::Time since = absl::InfinitePast();    // events at or after it
  absl::Time until = absl::InfiniteFuture();  // events at or before it
  // Keep reading new events as they are written, until `until` passes or `cancel` says so.
  bool follow = false;
  // Checked between reads while following (about every 200 ms); true ends the read.
  std::function<bool()> cancel;
};

// Gives `sink` the events of the journal of `root` that `query` selects, oldest first (the
// rotated file, then the journal), then, when following, each new one as it is written
// (inotify on the journal's directory). `sink` returns false to stop. Lines that are not events
// (a journal damaged by hand) are skipped.
absl::Status ReadEvents(const std::string& root, const EventQuery& query,
                        const std::function<bool(const Event&)>& sink);

}  // namespace mydocker

#endif  // MYDOCKER_EVENTS_H_
