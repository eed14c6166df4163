#include "list_cache.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
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
#include "random_seed.h"

namespace mydocker {
namespace {

#if defined(__x86_64__) && defined(__GLIBCXX__)
// Every field of ContainerState must be in EncodeStateForCache and DecodeStateFromCache: a field
// added to the struct changes its size, and this reminds whoever adds it.
static_assert(sizeof(ContainerState) == 512,
              "ContainerState changed: encode the new field in list_cache.cc, then update this");
// The same for the attachments (EncodeNetworksForCache and DecodeNetworksFromCache).
static_assert(sizeof(NetworkAttachment) == 352 && sizeof(PortMapping) == 72,
              "NetworkAttachment changed: encode the new field in list_cache.cc, then update this");
#endif

// Before 1.6 the cache was <root>/containers/.list-cache; it now lives outside that directory,
// so that the directory's own times say whether any container came or went.
constexpr char kOldCacheFile[] = ".list-cache";
constexpr absl::string_view kMagic = "mydocker list cache\n";
// 3: attachments in binary form; 4: the containers directory's stamp, entries in its order;
// 5: every record change touches the containers directory (MarkRecordsChanging), so a complete
// cache whose directory stamp still matches is used without looking at each container.
constexpr uint32_t kVersion = 5;
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

// The stamp of directory `name` in `dirfd` ("" for `dirfd` itself).
bool StampOf(int dirfd, const char* name, DirStamp* out) {
  struct statx st;
  int flags = AT_SYMLINK_NOFOLLOW | (name[0] == '\0' ? AT_EMPTY_PATH : 0);
  if (::statx(dirfd, name, flags, STATX_INO | STATX_MTIME | STATX_CTIME, &st) != 0 ||
      !S_ISDIR(st.stx_mode)) {
    return false;
  }
  *out = {st.stx_ino, Nanos(st.stx_mtime), Nanos(st.stx_ctime)};
  return true;
}

struct CachedEntry {
  absl::string_view id;
  DirStamp stamp;
  absl::string_view state;     // encoded
  absl::string_view networks;  // encoded
};

// A cache file's contents: the containers directory as it was when the entries were read, and
// the entries in directory order. `complete`: they are every container there was.
struct ParsedCache {
  DirStamp dir;
  bool complete = false;
  std::vector<CachedEntry> entries;
};

// The cache in a file's contents; empty if it is not a whole, current cache.
ParsedCache ParseCache(absl::string_view data) {
  ParsedCache cache;
  if (!absl::ConsumePrefix(&data, kMagic)) return {};
  Decoder d(&data);
  if (d.Get<uint32_t>() != kVersion || d.Get<uint32_t>() != sizeof(ContainerState)) return {};
  cache.dir.ino = d.Get<uint64_t>();
  cache.dir.mtime_ns = d.Get<int64_t>();
  cache.dir.ctime_ns = d.Get<int64_t>();
  cache.complete = d.Get<uint8_t>() != 0;
  uint32_t count = d.Get<uint32_t>();
  if (!d.ok() || count > data.size() / kContainerIdLength) return {};
  cache.entries.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (data.size() < kContainerIdLength) return {};
    CachedEntry& e = cache.entries.emplace_back();
    e.id = data.substr(0, kContainerIdLength);
    data.remove_prefix(kContainerIdLength);
    e.stamp.ino = d.Get<uint64_t>();
    e.stamp.mtime_ns = d.Get<int64_t>();
    e.stamp.ctime_ns = d.Get<int64_t>();
    e.state = d.View();
    e.networks = d.View();
    if (!d.ok() || !IsFullContainerId(e.id)) return {};
  }
  if (!data.empty()) return {};
  return cache;
}

void AppendEntry(Encoder& e, absl::string_view id, const DirStamp& stamp, absl::string_view state,
                 absl::string_view networks) {
  e.out().append(id.data(), id.size());
  e.Put(stamp.ino);
  e.Put(stamp.mtime_ns);
  e.Put(stamp.ctime_ns);
  e.Str(state);
  e.Str(networks);
}

// A cache file's bytes, mapped: no copy and no pages of our own for what is read once. The
// file is only ever replaced by rename, never truncated, so the mapping stays whole.
class CacheBytes {
 public:
  CacheBytes() = default;
  CacheBytes(void* data, size_t size) : data_(data), size_(size) {}
  CacheBytes(const CacheBytes&) = delete;
  CacheBytes& operator=(const CacheBytes&) = delete;
  ~CacheBytes() {
    if (size_ != 0) ::munmap(data_, size_);
  }
  size_t size() const { return size_; }
  absl::string_view view() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

// The cache file's contents, empty if there is none or it cannot be mapped.
std::unique_ptr<CacheBytes> ReadCacheFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    return std::make_unique<CacheBytes>();
  }
  void* data = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                      MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
  if (data == MAP_FAILED) return std::make_unique<CacheBytes>();
  return std::make_unique<CacheBytes>(data, static_cast<size_t>(st.st_size));
}

// What versions before 1.6 kept in the containers directory: the cache file, which is deleted,
// and dead writers' temporary files.
void SweepOldCacheFile(int dirfd, absl::string_view name) {
  if (name == kOldCacheFile || IsDeadWritersFile(name, kOldCacheFile)) {
    ::unlinkat(dirfd, std::string(name).c_str(), 0);
  }
}

// Replaces the cache file (making its directory if needed) and deletes the temporary files of
// dead writers beside it; no fsync: a cache torn by a crash is detected and ignored.
void WriteCache(const std::string& path, const std::string& data) {
  thread_local std::mt19937_64 rng{RandomSeed()};
  const size_t slash = path.rfind('/');
  const std::string dir = path.substr(0, slash);
  const std::string file = path.substr(slash + 1);
  std::string tmp = absl::StrCat(path, ".tmp-", ::getpid(), "-", rng() % 1000000000);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd && errno == ENOENT && (::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST)) {
    fd.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  }
  if (!fd) return;
  bool ok = WriteAll(fd.get(), data, tmp).ok();
  fd.reset();
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) ::unlink(tmp.c_str());
  RemoveDeadWritersFiles(dir, file);
}

}  // namespace

void MarkRecordsChanging(const std::string& container_dir) {
  // Both times become the current time; failing (a read-only state root cannot change anyway)
  // leaves them as they were.
  std::string containers_dir = container_dir.substr(0, container_dir.find_last_of('/'));
  (void)::utimensat(AT_FDCWD, containers_dir.c_str(), nullptr, 0);
}

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
  ContainerState s;
  MYDOCKER_RETURN_IF_ERROR(DecodeStateInto(in, &s));
  return s;
}

absl::Status DecodeStateInto(absl::string_view* in, ContainerState* out) {
  Decoder d(in);
  ContainerState& s = *out;
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
  return absl::OkStatus();
}

std::string EncodeNetworksForCache(const std::vector<NetworkAttachment>& networks) {
  Encoder e;
  e.Put(static_cast<uint32_t>(networks.size()));
  for (const NetworkAttachment& a : networks) {
    for (const std::string* f : {&a.network, &a.bridge, &a.subnet, &a.ip, &a.gateway, &a.mac,
                                 &a.host_veth, &a.interface, &a.join_container}) {
      e.Str(*f);
    }
    e.Put(static_cast<uint8_t>(a.internal));
    e.Put(static_cast<uint8_t>(a.host));
    e.Put(static_cast<uint32_t>(a.aliases.size()));
    for (const std::string& alias : a.aliases) e.Str(alias);
    e.Put(static_cast<uint32_t>(a.ports.size()));
    for (const PortMapping& p : a.ports) {
      e.Str(p.host_ip);
      e.Put(p.host_port);
      e.Put(p.container_port);
      e.Str(p.protocol);
    }
  }
  return std::move(e.out());
}

absl::StatusOr<std::vector<NetworkAttachment>> DecodeNetworksFromCache(absl::string_view* in) {
  Decoder d(in);
  std::vector<NetworkAttachment> networks;
  // Each attachment takes at least 46 bytes: a count past that is damage, not a reservation.
  uint32_t count = d.Get<uint32_t>();
  if (count > in->size() / 46) return absl::InvalidArgumentError("bad cached attachment count");
  networks.resize(count);
  for (NetworkAttachment& a : networks) {
    for (std::string* f : {&a.network, &a.bridge, &a.subnet, &a.ip, &a.gateway, &a.mac,
                           &a.host_veth, &a.interface, &a.join_container}) {
      *f = d.Str();
    }
    a.internal = d.Get<uint8_t>() != 0;
    a.host = d.Get<uint8_t>() != 0;
    uint32_t aliases = d.Get<uint32_t>();
    for (uint32_t i = 0; i < aliases && d.ok(); ++i) a.aliases.push_back(d.Str());
    uint32_t ports = d.Get<uint32_t>();
    for (uint32_t i = 0; i < ports && d.ok(); ++i) {
      PortMapping& p = a.ports.emplace_back();
      p.host_ip = d.Str();
      p.host_port = d.Get<uint16_t>();
      p.container_port = d.Get<uint16_t>();
      p.protocol = d.Str();
    }
    if (!d.ok()) break;
  }
  if (!d.ok()) return absl::InvalidArgumentError("truncated cached attachments");
  return networks;
}

absl::StatusOr<std::vector<ListedRecord>> ListRecordsCached(
    const std::string& containers_dir, const std::string& cache_path,
    const std::function<absl::StatusOr<ListedRecord>(const std::string& id)>& load,
    std::vector<std::string>* bad) {
  UniqueFd dirfd(::open(containers_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dirfd) return LastErrnoError(absl::StrCat("open ", containers_dir));
  // The directory's stamp before its entries are read: a container made or removed after this
  // changes it, and the next listing reads the directory again.
  DirStamp dir_stamp;
  if (!StampOf(dirfd.get(), "", &dir_stamp)) return LastErrnoError("stat " + containers_dir);
  std::unique_ptr<CacheBytes> cache_data = ReadCacheFile(cache_path);
  ParsedCache cache = ParseCache(cache_data->view());  // points into cache_data

  // The containers: the cache's list while the directory is as it was when that list was
  // read, else the directory's entries.
  std::vector<std::string> entries;
  std::vector<absl::string_view> ids;
  absl::flat_hash_map<absl::string_view, const CachedEntry*> by_id;
  const bool listed_by_cache = cache.complete && cache.dir == dir_stamp;
  if (listed_by_cache) {
    ids.reserve(cache.entries.size());
    for (const CachedEntry& e : cache.entries) ids.push_back(e.id);
  } else {
    MYDOCKER_ASSIGN_OR_RETURN(entries, ListDir(containers_dir));
    ids.reserve(entries.size());
    for (const std::string& name : entries) {
      if (name[0] == '.') SweepOldCacheFile(dirfd.get(), name);
      if (IsFullContainerId(name)) ids.push_back(name);
    }
    by_id.reserve(cache.entries.size());
    for (const CachedEntry& e : cache.entries) by_id.emplace(e.id, &e);
  }

  const int64_t racy_after = absl::ToUnixNanos(absl::Now() - kRacyWindow);
  std::vector<ListedRecord> out;
  out.reserve(ids.size());
  // What the cache should hold now: for each listed container, its stamp and whether its
  // record came from the cache (then unchanged) or was read afresh.
  struct Kept {
    absl::string_view id;
    DirStamp stamp;
    size_t index;  // in `out`
  };
  std::vector<Kept> kept;
  kept.reserve(ids.size());
  bool changed = false;
  bool complete = true;  // every container listed is kept
  for (size_t i = 0; i < ids.size(); ++i) {
    absl::string_view id = ids[i];
    char name[kContainerIdLength + 1];
    std::memcpy(name, id.data(), kContainerIdLength);
    name[kContainerIdLength] = '\0';
    DirStamp stamp;
    const CachedEntry* hit = nullptr;
    if (listed_by_cache) {
      // No record changed since the cache was written: each change touches the containers
      // directory before and after it, and its stamp is the one the cache holds.
      hit = &cache.entries[i];
      stamp = hit->stamp;
    } else {
      if (!StampOf(dirfd.get(), name, &stamp)) {
        complete = false;  // gone since, or not a directory
        continue;
      }
      if (auto it = by_id.find(id); it != by_id.end()) hit = it->second;
    }
    if (hit != nullptr && hit->stamp == stamp) {
      // Decoded where it is returned, not moved there.
      absl::string_view blob = hit->state;
      absl::string_view networks_blob = hit->networks;
      ListedRecord& r = out.emplace_back();
      absl::StatusOr<std::vector<NetworkAttachment>> networks;
      if (DecodeStateInto(&blob, &r.state).ok() && blob.empty() && r.state.id == id &&
          (networks = DecodeNetworksFromCache(&networks_blob)).ok() && networks_blob.empty()) {
        r.networks = *std::move(networks);
        kept.push_back({id, stamp, out.size() - 1});
        continue;
      }
      out.pop_back();
    }
    changed = true;
    if (listed_by_cache && !StampOf(dirfd.get(), name, &stamp)) {
      complete = false;
      continue;
    }
    absl::StatusOr<ListedRecord> record = load(std::string(id));
    if (!record.ok()) {
      complete = false;
      if (bad != nullptr && StampOf(dirfd.get(), name, &stamp)) bad->emplace_back(id);
      continue;
    }
    if (stamp.ctime_ns < racy_after && stamp.mtime_ns < racy_after) {
      kept.push_back({id, stamp, out.size()});
    } else {
      complete = false;
    }
    out.push_back(*std::move(record));
  }
  // The directory's stamp is kept only with every container it held, and not while a change
  // to it may still be within the same clock tick.
  complete = complete && dir_stamp.ctime_ns < racy_after && dir_stamp.mtime_ns < racy_after;
  if (kept.empty()) {
    if (cache_data->size() != 0) ::unlink(cache_path.c_str());
  } else if (changed || kept.size() != cache.entries.size() || complete != cache.complete ||
             !(dir_stamp == cache.dir)) {
    Encoder e;
    e.out().append(kMagic.data(), kMagic.size());
    e.Put(kVersion);
    e.Put(static_cast<uint32_t>(sizeof(ContainerState)));
    e.Put(dir_stamp.ino);
    e.Put(dir_stamp.mtime_ns);
    e.Put(dir_stamp.ctime_ns);
    e.Put(static_cast<uint8_t>(complete));
    e.Put(static_cast<uint32_t>(kept.size()));
    // In the order listings give (newest first): the next one from the cache needs no sort.
    std::stable_sort(kept.begin(), kept.end(), [&](const Kept& a, const Kept& b) {
      return ListedBefore(out[a.index], out[b.index]);
    });
    for (const Kept& k : kept) {
      const ListedRecord& r = out[k.index];
      AppendEntry(e, k.id, k.stamp, EncodeStateForCache(r.state),
                  EncodeNetworksForCache(r.networks));
    }
    WriteCache(cache_path, e.out());
  }
  return out;
}

}  // namespace mydocker
