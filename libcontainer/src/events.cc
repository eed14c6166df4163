#include "mydocker/events.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "json_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker {

namespace {

constexpr size_t kMaxField = 256;  // an attribute value or action before the line is shortened
constexpr int kFollowPollMs = 200;

std::string EventsDir(const std::string& root) { return root + "/events"; }
std::string JournalPath(const std::string& root) { return EventsDir(root) + "/journal"; }
std::string RotatedPath(const std::string& root) { return EventsDir(root) + "/journal.1"; }

// `s` cut to at most `n` bytes, at a UTF-8 sequence's start.
std::string Cut(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

std::string Serialize(const Event& e) {
  rapidjson::StringBuffer buf;
  json::Writer w(buf);
  w.StartObject();
  json::KeyString(w, "status", e.action);
  json::KeyString(w, "id", e.id);
  auto image = e.attributes.find("image");
  if (e.type == "container" && image != e.attributes.end())
    json::KeyString(w, "from", image->second);
  json::KeyString(w, "Type", e.type);
  json::KeyString(w, "Action", e.action);
  json::KeyObject(w, "Actor", [&] {
    json::KeyString(w, "ID", e.id);
    json::KeyObject(w, "Attributes", [&] {
      for (const auto& [k, v] : e.attributes) json::KeyString(w, k, v);
    });
  });
  json::KeyString(w, "scope", "local");
  json::KeyInt(w, "time", absl::ToUnixSeconds(e.time));
  json::KeyInt(w, "timeNano", absl::ToUnixNanos(e.time));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

absl::StatusOr<std::string> StringMember(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) {
    return absl::InvalidArgumentError(absl::StrCat("event: ", key, " must be a string"));
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// Reads whole lines from `fd` from its offset on; an incomplete last line stays in `*partial`
// for the next read.
void ReadLines(int fd, std::string* partial, const std::function<void(absl::string_view)>& line) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial->append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = partial->find('\n', start)) != std::string::npos; start = nl + 1) {
      line(absl::string_view(*partial).substr(start, nl - start));
    }
    partial->erase(0, start);
  }
}

class Follower {
 public:
  Follower(const std::string& root, const EventQuery& query,
           const std::function<bool(const Event&)>& sink)
      : root_(root), query_(query), sink_(sink) {}

  absl::Status Run() {
    // Both files are opened before either is read: a rotation meanwhile moves the journal
    // opened here to journal.1, and both are still read whole.
    UniqueFd rotated(::open(RotatedPath(root_).c_str(), O_RDONLY | O_CLOEXEC));
    current_ = UniqueFd(::open(JournalPath(root_).c_str(), O_RDONLY | O_CLOEXEC));
    if (rotated.get() >= 0) {
      std::string partial;
      ReadLines(rotated.get(), &partial, [&](absl::string_view l) { Deliver(l); });
    }
    if (current_.get() >= 0)
      ReadLines(current_.get(), &partial_, [&](absl::string_view l) { Deliver(l); });
    if (!query_.follow || stopped_) return absl::OkStatus();
    return Follow();
  }

 private:
  void Deliver(absl::string_view line) {
    if (stopped_) return;
    auto e = EventFromJson(line);
    if (!e.ok() || e->time < query_.since || e->time > query_.until) return;
    if (!sink_(*e)) stopped_ = true;
  }

  // The journal's path names another file than the one open (rotated, or created since).
  bool Replaced() const {
    struct stat by_path, open_file;
    if (::stat(JournalPath(root_).c_str(), &by_path) != 0) return false;
    if (current_.get() < 0 || ::fstat(current_.get(), &open_file) != 0) return true;
    return by_path.st_ino != open_file.st_ino || by_path.st_dev != open_file.st_dev;
  }

  void ReadNew() {
    if (current_.get() >= 0)
      ReadLines(current_.get(), &partial_, [&](absl::string_view l) { Deliver(l); });
    while (!stopped_ && Replaced()) {
      // The rest of the old file first (writers that opened it before the rename), then the
      // new one from its start.
      if (current_.get() >= 0)
        ReadLines(current_.get(), &partial_, [&](absl::string_view l) { Deliver(l); });
      partial_.clear();
      current_ = UniqueFd(::open(JournalPath(root_).c_str(), O_RDONLY | O_CLOEXEC));
      if (current_.get() < 0) break;
      ReadLines(current_.get(), &partial_, [&](absl::string_view l) { Deliver(l); });
    }
  }

  absl::Status Follow() {
    MakeDirs(EventsDir(root_), 0700).IgnoreError();
    UniqueFd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (inotify.get() < 0) return LastErrnoError("inotify_init1");
    if (::inotify_add_watch(inotify.get(), EventsDir(root_).c_str(),
                            IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
      return LastErrnoError(absl::StrCat("watch ", EventsDir(root_)));
    }
    while (!stopped_) {
      if (query_.cancel && query_.cancel()) break;
      absl::Time now = absl::Now();
      if (now > query_.until) break;
      int timeout = kFollowPollMs;
      if (query_.until != absl::InfiniteFuture()) {
        timeout = static_cast<int>(
            std::min<int64_t>(timeout, absl::ToInt64Milliseconds(query_.until - now) + 1));
      }
      struct pollfd p = {inotify.get(), POLLIN, 0};
      int ready = ::poll(&p, 1, std::max(timeout, 0));
      if (ready < 0 && errno != EINTR) return LastErrnoError("poll the events journal");
      if (ready > 0) {
        char drain[4096];
        while (::read(inotify.get(), drain, sizeof drain) > 0) {
        }
      }
      ReadNew();
    }
    return absl::OkStatus();
  }

  const std::string& root_;
  const EventQuery& query_;
  const std::function<bool(const Event&)>& sink_;
  UniqueFd current_;
  std::string partial_;
  bool stopped_ = false;
};

}  // namespace

std::string EventToJson(const Event& event) {
  Event e = event;
  e.action = Cut(e.action, kMaxField);
  e.id = Cut(e.id, kMaxField);
  for (auto& [k, v] : e.attributes) v = Cut(v, kMaxField);
  std::string line = Serialize(e);
  // Still too long (many labels): the longest values go first, then whole attributes.
  while (line.size() > kMaxEventLine && !e.attributes.empty()) {
    auto longest = std::max_element(
        e.attributes.begin(), e.attributes.end(), [](const auto& a, const auto& b) {
          return a.first.size() + a.second.size() < b.first.size() + b.second.size();
        });
    if (longest->first != "name" && longest->first != "image") {
      e.attributes.erase(longest);
    } else {
      longest->second = Cut(longest->second, longest->second.size() / 2);
    }
    line = Serialize(e);
  }
  return line;
}

absl::StatusOr<Event> EventFromJson(absl::string_view line) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(line, "event", &doc));
  Event e;
  MYDOCKER_ASSIGN_OR_RETURN(e.type, StringMember(doc, "Type"));
  MYDOCKER_ASSIGN_OR_RETURN(e.action, StringMember(doc, "Action"));
  auto actor = doc.FindMember("Actor");
  if (actor == doc.MemberEnd() || !actor->value.IsObject()) {
    return absl::InvalidArgumentError("event: Actor must be an object");
  }
  MYDOCKER_ASSIGN_OR_RETURN(e.id, StringMember(actor->value, "ID"));
  auto attributes = actor->value.FindMember("Attributes");
  if (attributes != actor->value.MemberEnd() && attributes->value.IsObject()) {
    for (const auto& m : attributes->value.GetObject()) {
      if (!m.value.IsString()) continue;
      e.attributes[std::string(m.name.GetString(), m.name.GetStringLength())] =
          std::string(m.value.GetString(), m.value.GetStringLength());
    }
  }
  auto nanos = doc.FindMember("timeNano");
  if (nanos == doc.MemberEnd() || !nanos->value.IsInt64()) {
    return absl::InvalidArgumentError("event: timeNano must be an integer");
  }
  e.time = absl::FromUnixNanos(nanos->value.GetInt64());
  return e;
}

void RecordEvent(const std::string& root, Event event) {
  if (root.empty()) return;
  if (event.time == absl::UnixEpoch()) event.time = absl::Now();
  std::string line = EventToJson(event);
  line.push_back('\n');
  std::string dir = EventsDir(root);
  if (!PathExists(dir) && !MakeDirs(dir, 0700).ok()) return;
  UniqueFd fd(::open(JournalPath(root).c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) return;
  // One write: O_APPEND places it at the end whatever other writers do, and a short line is
  // never split.
  ssize_t n;
  do {
    n = ::write(fd.get(), line.data(), line.size());
  } while (n < 0 && errno == EINTR);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || static_cast<size_t>(st.st_size) <= kMaxJournalBytes) return;
  auto lock = FileLock::Acquire(dir + "/lock");
  if (!lock.ok()) return;
  // Another writer may have rotated meanwhile: only the file still named journal is renamed.
  struct stat by_path;
  if (::stat(JournalPath(root).c_str(), &by_path) == 0 && by_path.st_ino == st.st_ino &&
      by_path.st_dev == st.st_dev) {
    ::rename(JournalPath(root).c_str(), RotatedPath(root).c_str());
  }
}

absl::Status ReadEvents(const std::string& root, const EventQuery& query,
                        const std::function<bool(const Event&)>& sink) {
  return Follower(root, query, sink).Run();
}

namespace {

// Docker's FuzzyMatch: no values, or one that starts `source`.
bool Fuzzy(const Filters& f, absl::string_view key, absl::string_view source) {
  const auto& values = f.Values(key);
  if (values.empty()) return true;
  for (const std::string& v : values) {
    if (absl::StartsWith(source, v)) return true;
  }
  return false;
}

bool Exact(const Filters& f, absl::string_view key, absl::string_view source) {
  const auto& values = f.Values(key);
  return values.empty() || std::find(values.begin(), values.end(), source) != values.end();
}

std::string StripTag(const std::string& ref) {
  size_t colon = ref.rfind(':');
  if (colon == std::string::npos || ref.find('/', colon) != std::string::npos) return ref;
  return ref.substr(0, colon);
}

std::string Attribute(const Event& e, const std::string& key) {
  auto it = e.attributes.find(key);
  return it == e.attributes.end() ? "" : it->second;
}

}  // namespace

absl::StatusOr<EventFilter> EventFilter::Parse(const std::vector<std::string>& specs) {
  EventFilter f;
  MYDOCKER_ASSIGN_OR_RETURN(
      f.filters_,
      Filters::Parse(specs, {"type", "event", "container", "image", "label", "volume", "network"}));
  MYDOCKER_RETURN_IF_ERROR(
      f.filters_.CheckValues("type", {"container", "image", "volume", "network", "daemon", "plugin",
                                      "node", "service", "secret", "config"}));
  return f;
}

bool EventFilter::Matches(const Event& e) const {
  const Filters& f = filters_;
  // "exec_start" matches "exec_start: sh -c ...", as Docker's.
  bool event = f.Values("event").empty();
  for (const std::string& v : f.Values("event")) {
    event = event || v == e.action || absl::StartsWith(e.action, v + ":");
  }
  std::string name = Attribute(e, "name");
  std::string image = Attribute(e, e.type == "image" ? "name" : "image");
  bool image_ok =
      f.Values("image").empty() || Exact(f, "image", e.id) ||
      (!image.empty() && (Exact(f, "image", image) || Exact(f, "image", StripTag(image))));
  return event && Exact(f, "type", e.type) &&
         (Fuzzy(f, "container", e.id) || Fuzzy(f, "container", name)) &&
         (Fuzzy(f, "volume", e.id) || Fuzzy(f, "volume", name)) &&
         (Fuzzy(f, "network", e.id) || Fuzzy(f, "network", name)) && image_ok &&
         f.MatchLabels("label", e.attributes);
}

}  // namespace mydocker
