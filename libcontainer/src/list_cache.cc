#include "list_cache.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "mydocker/fs_util.h"
#include "mydocker/state_store.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker {
namespace {

#if defined(__x86_64__) && defined(__GLIBCXX__)
// Every field of ContainerState must be in EncodeStateForCache and DecodeStateFromCache: a field
// added to the struct changes its size, and this reminds whoever adds it.
static_assert(sizeof(ContainerState) == 512,
              "ContainerState changed: encode the new field in list_cache.cc, then update this");
#endif

constexpr char kCacheFile[] = ".list-cache";
constexpr absl::string_view kMagic = "mydocker list cache\n";
constexpr uint32_t kVersion = 2;
constexpr size_t kIdLength = 64;
// Coarse file timestamps advance once per clock tick (at most 10 ms with HZ=100): an entry
// whose directory changed less than this long before it was read may hide a second change made
// in the same tick, so it is not kept.
constexpr absl::Duration kRacyWindow = absl::Milliseconds(100);

class Encoder {
 public:
  template <typename T>
  void Put(T v) {
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void Str(absl::string_view s) {
    Put(static_cast<uint32_t>(s.size()));
    out_.append(s.data(), s.size());
  }
  void Time(absl::Time t) {
    uint8_t kind = t == absl::InfinitePast() ? 0 : t == absl::InfiniteFuture() ? 1 : 2;
    Put(kind);
    Put(kind == 2 ? absl::ToUnixNanos(t) : int64_t{0});
  }
  void Ref(const ProcessRef& r) {
    Put(r.pid);
    Put(r.start_time);
    Put(r.pidfs_ino);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(absl::string_view* in) : in_(in) {}
  template <typename T>
  T Get() {
    T v{};
    if (in_->size() < sizeof v) {
      ok_ = false;
      in_->remove_prefix(in_->size());
      return v;
    }
    std::memcpy(&v, in_->data(), sizeof v);
    in_->remove_prefix(sizeof v);
    return v;
  }
  absl::string_view View() {
    uint32_t n = Get<uint32_t>();
    if (in_->size() < n) {
      ok_ = false;
      n = static_cast<uint32_t>(in_->size());
    }
    absl::string_view s = in_->substr(0, n);
    in_->remove_prefix(n);
    return s;
  }
  std::string Str() { return std::string(View()); }
  absl::Time Time() {
    uint8_t kind = Get<uint8_t>();
    int64_t ns = Get<int64_t>();
    if (kind == 0) return absl::InfinitePast();
    if (kind == 1) return absl::InfiniteFuture();
    return absl::FromUnixNanos(ns);
  }
  ProcessRef Ref() {
    ProcessRef r;
    r.pid = Get<int>();
    r.start_time = Get<uint64_t>();
    r.pidfs_ino = Get<uint64_t>();
    return r;
  }
  bool ok() const { return ok_; }

 private:
  absl::string_view* in_;
  bool ok_ = true;
};

struct DirStamp {
  uint64_t ino = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const DirStamp& o) const {
    return ino == o.ino && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns;
  }
};

int64_t Nanos(const struct statx_timestamp& t) {
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

bool StampOf(int dirfd, const std::string& id, DirStamp* out) {
  struct statx st;
  if (::statx(dirfd, id.c_str(), AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MTIME | STATX_CTIME, &st) !=
          0 ||
      !S_ISDIR(st.stx_mode)) {
    return false;
  }
  *out = {st.stx_ino, Nanos(st.stx_mtime), Nanos(st.stx_ctime)};
  return true;
}

struct CachedEntry {
  DirStamp stamp;
  absl::string_view state;  // encoded
  absl::string_view network_json;
};

// The entries of a cache file's contents, by id; empty if it is not a whole, current cache.
absl::flat_hash_map<absl::string_view, CachedEntry> ParseCache(absl::string_view data) {
  absl::flat_hash_map<absl::string_view, CachedEntry> entries;
  if (!absl::ConsumePrefix(&data, kMagic)) return entries;
  Decoder d(&data);
  if (d.Get<uint32_t>() != kVersion || d.Get<uint32_t>() != sizeof(ContainerState)) return {};
  uint32_t count = d.Get<uint32_t>();
  if (!d.ok() || count > data.size() / kIdLength) return {};
  entries.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (data.size() < kIdLength) return {};
    absl::string_view id = data.substr(0, kIdLength);
    data.remove_prefix(kIdLength);
    CachedEntry e;
    e.stamp.ino = d.Get<uint64_t>();
    e.stamp.mtime_ns = d.Get<int64_t>();
    e.stamp.ctime_ns = d.Get<int64_t>();
    e.state = d.View();
    e.network_json = d.View();
    if (!d.ok()) return {};
    entries.emplace(id, e);
  }
  return data.empty() ? entries : absl::flat_hash_map<absl::string_view, CachedEntry>{};
}

void AppendEntry(Encoder& e, const std::string& id, const DirStamp& stamp, absl::string_view state,
                 absl::string_view network_json) {
  e.out().append(id.data(), id.size());
  e.Put(stamp.ino);
  e.Put(stamp.mtime_ns);
  e.Put(stamp.ctime_ns);
  e.Str(state);
  e.Str(network_json);
}

// The cache file's contents, "" if there is none: one read of its whole size.
std::string ReadCacheFile(int dirfd) {
  UniqueFd fd(::openat(dirfd, kCacheFile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  std::string data(static_cast<size_t>(st.st_size), '\0');
  ssize_t n = ::pread(fd.get(), data.data(), data.size(), 0);
  if (n != st.st_size) return "";  // changing under us: read records afresh
  return data;
}

// Deletes `name` if it is the temporary file of a cache writer that died before its rename
// (WriteCache names it after the writer's pid).
void SweepDeadWritersFile(int dirfd, absl::string_view name) {
  absl::string_view rest = name;
  if (!absl::ConsumePrefix(&rest, kCacheFile) || !absl::ConsumePrefix(&rest, ".tmp-")) return;
  pid_t pid = 0;
  if (!absl::SimpleAtoi(rest.substr(0, rest.find('-')), &pid) || pid <= 0) return;
  if (::kill(pid, 0) != 0 && errno == ESRCH) {
    ::unlinkat(dirfd, std::string(name).c_str(), 0);
  }
}

// Replaces the cache file; no fsync: a cache torn by a crash is detected and ignored.
void WriteCache(const std::string& path, const std::string& data) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = absl::StrCat(path, ".tmp-", ::getpid(), "-", rng() % 1000000000);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return;
  bool ok = WriteAll(fd.get(), data, tmp).ok();
  fd.reset();
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) ::unlink(tmp.c_str());
}

}  // namespace

std::string EncodeStateForCache(const ContainerState& s) {
  Encoder e;
  e.Str(s.id);
  e.Str(s.name);
  e.Str(s.image);
  e.Str(s.image_id);
  e.Put(static_cast<uint32_t>(s.command.size()));
  for (const std::string& arg : s.command) e.Str(arg);
  e.Put(static_cast<uint8_t>(s.status));
  e.Time(s.created);
  e.Time(s.started);
  e.Time(s.finished);
  e.Ref(s.init);
  e.Ref(s.monitor);
  e.Put(static_cast<uint8_t>(s.exit_code.has_value()));
  e.Put(s.exit_code.value_or(0));
  e.Put(static_cast<uint8_t>(s.oom_killed));
  e.Str(s.error);
  e.Put(static_cast<uint8_t>(s.auto_remove));
  e.Put(s.restart_count);
  e.Put(static_cast<uint8_t>(s.manually_stopped));
  e.Put(static_cast<uint8_t>(s.restart_cancelled));
  e.Ref(s.restarting);
  e.Ref(s.committing);
  e.Put(static_cast<uint8_t>(s.commit_froze));
  e.Str(s.log_path);
  e.Str(s.cgroup_path);
  e.Put(static_cast<uint8_t>(s.health.has_value()));
  e.Str(s.health ? HealthStateToJson(*s.health) : "");
  return std::move(e.out());
}

absl::StatusOr<ContainerState> DecodeStateFromCache(absl::string_view* in) {
  Decoder d(in);
  ContainerState s;
  s.id = d.Str();
  s.name = d.Str();
  s.image = d.Str();
  s.image_id = d.Str();
  uint32_t args = d.Get<uint32_t>();
  for (uint32_t i = 0; i < args && d.ok(); ++i) s.command.push_back(d.Str());
  uint8_t status = d.Get<uint8_t>();
  s.status = static_cast<ContainerStatus>(status);
  s.created = d.Time();
  s.started = d.Time();
  s.finished = d.Time();
  s.init = d.Ref();
  s.monitor = d.Ref();
  bool has_exit_code = d.Get<uint8_t>() != 0;
  int exit_code = d.Get<int>();
  if (has_exit_code) s.exit_code = exit_code;
  s.oom_killed = d.Get<uint8_t>() != 0;
  s.error = d.Str();
  s.auto_remove = d.Get<uint8_t>() != 0;
  s.restart_count = d.Get<int>();
  s.manually_stopped = d.Get<uint8_t>() != 0;
  s.restart_cancelled = d.Get<uint8_t>() != 0;
  s.restarting = d.Ref();
  s.committing = d.Ref();
  s.commit_froze = d.Get<uint8_t>() != 0;
  s.log_path = d.Str();
  s.cgroup_path = d.Str();
  bool has_health = d.Get<uint8_t>() != 0;
  absl::string_view health = d.View();
  if (has_health) {
    absl::StatusOr<HealthState> parsed = HealthStateFromJson(health);
    if (!parsed.ok()) return parsed.status();
    s.health = *std::move(parsed);
  }
  if (!d.ok() || ContainerStatusName(s.status) == "unknown") {
    return absl::InvalidArgumentError("truncated or invalid cached state");
  }
  return s;
}

absl::StatusOr<std::vector<ListedRecord>> ListRecordsCached(
    const std::string& containers_dir,
    const std::function<absl::StatusOr<ListedRecord>(const std::string& id)>& load,
    std::vector<std::string>* bad) {
  UniqueFd dirfd(::open(containers_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dirfd) return LastErrnoError(absl::StrCat("open ", containers_dir));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> entries, ListDir(containers_dir));
  const std::string cache_path = absl::StrCat(containers_dir, "/", kCacheFile);
  std::string cache_data = ReadCacheFile(dirfd.get());
  auto cached = ParseCache(cache_data);  // its entries point into cache_data

  const int64_t racy_after = absl::ToUnixNanos(absl::Now() - kRacyWindow);
  std::vector<ListedRecord> out;
  out.reserve(entries.size());
  // What the cache should hold now: for each listed container, its stamp and whether its
  // record came from the cache (then unchanged) or was read afresh.
  struct Kept {
    std::string id;
    DirStamp stamp;
    size_t index;  // in `out`
  };
  std::vector<Kept> kept;
  kept.reserve(entries.size());
  bool changed = false;
  for (const std::string& id : entries) {
    DirStamp stamp;
    if (id[0] == '.') SweepDeadWritersFile(dirfd.get(), id);
    if (!IsFullContainerId(id) || !StampOf(dirfd.get(), id, &stamp)) continue;
    auto it = cached.find(id);
    if (it != cached.end() && it->second.stamp == stamp) {
      absl::string_view blob = it->second.state;
      absl::StatusOr<ContainerState> state = DecodeStateFromCache(&blob);
      if (state.ok() && blob.empty() && state->id == id) {
        kept.push_back({id, stamp, out.size()});
        out.push_back({*std::move(state), std::string(it->second.network_json)});
        continue;
      }
    }
    changed = true;
    absl::StatusOr<ListedRecord> record = load(id);
    if (!record.ok()) {
      if (bad != nullptr && StampOf(dirfd.get(), id, &stamp)) bad->push_back(id);
      continue;
    }
    if (stamp.ctime_ns < racy_after && stamp.mtime_ns < racy_after) {
      kept.push_back({id, stamp, out.size()});
    }
    out.push_back(*std::move(record));
  }
  if (kept.empty()) {
    if (!cached.empty() || !cache_data.empty()) ::unlinkat(dirfd.get(), kCacheFile, 0);
  } else if (changed || kept.size() != cached.size()) {
    Encoder e;
    e.out().append(kMagic.data(), kMagic.size());
    e.Put(kVersion);
    e.Put(static_cast<uint32_t>(sizeof(ContainerState)));
    e.Put(static_cast<uint32_t>(kept.size()));
    for (const Kept& k : kept) {
      const ListedRecord& r = out[k.index];
      AppendEntry(e, k.id, k.stamp, EncodeStateForCache(r.state), r.network_json);
    }
    WriteCache(cache_path, e.out());
  }
  return out;
}

}  // namespace mydocker
