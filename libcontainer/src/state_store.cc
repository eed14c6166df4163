#include "mydocker/state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "json_util.h"
#include "list_cache.h"
#include "mydocker/network_store.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

constexpr char kStateFile[] = "state.json";
// The container's network attachments (network/attach.cc writes it): listed with the state.
constexpr char kNetworkFile[] = "network.json";
constexpr char kConfigFile[] = "config.json";
constexpr size_t kShortIdLength = 12;
constexpr size_t kMaxNameLength = 128;
// Records and logs may hold secrets from the environment: owner only.
constexpr int kPrivateFileMode = 0600;
constexpr int kPrivateDirMode = 0700;
// Where Create writes a container's records before renaming them into place (under containers/;
// the leading '.' keeps it from ever being taken for an id).
constexpr absl::string_view kStagingPrefix = ".creating-";
// Creators hold this file locked shared from before their mkdir until they hold their staging
// directory's own lock; PruneStaging holds it exclusively, so a staging directory it then finds
// unlocked is a dead creator's, however young.
constexpr char kStagingGuard[] = "/.creating.lock";

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool IsIdPrefix(absl::string_view s) {
  return !s.empty() && s.size() <= kContainerIdLength &&
         std::all_of(s.begin(), s.end(), IsLowerHex);
}

// Quotes a value for a one-line message even if it holds newlines or control characters.
std::string Quote(absl::string_view s) { return absl::StrCat("\"", absl::CHexEscape(s), "\""); }

absl::Status NoSuchContainer(absl::string_view ref) {
  return absl::NotFoundError(absl::StrCat("no such container: ", absl::CHexEscape(ref)));
}

absl::Status CheckId(absl::string_view id) {
  if (IsFullContainerId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("invalid container id ", Quote(id)));
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string ContainersDir(const std::string& root) { return root + "/containers"; }
std::string ListCachePath(const std::string& root) { return root + "/cache/containers.list"; }
std::string NamesDir(const std::string& root) { return root + "/names"; }
std::string TrashDir(const std::string& root) { return root + "/trash"; }
// The staging guard (kStagingGuard) locked with `how` (LOCK_SH, or LOCK_EX | LOCK_NB); an empty
// descriptor with errno set if it could not be.
UniqueFd LockStagingGuard(const std::string& root, int how) {
  UniqueFd fd(::open((root + kStagingGuard).c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                     kPrivateFileMode));
  while (fd && ::flock(fd.get(), how) != 0) {
    if (errno != EINTR) fd.reset();
  }
  return fd;
}

std::string NamePath(const std::string& root, absl::string_view name) {
  return absl::StrCat(NamesDir(root), "/", name);
}

absl::StatusOr<std::string> ReadLink(const std::string& path) {
  char buf[256];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) return LastErrnoError(absl::StrCat("readlink ", path));
  return std::string(buf, static_cast<size_t>(n));
}

void SyncDir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd) ::fsync(fd.get());
}

// The id a name is reserved for, or "" if the name is free or its link is stale: it points at
// no container directory (a crash between reservation and creation, or during removal).
absl::StatusOr<std::string> NameOwner(const StateStore& store, absl::string_view name) {
  absl::StatusOr<std::string> target = ReadLink(NamePath(store.root(), name));
  if (!target.ok()) {
    // EINVAL: something that is not a link sits there; it reserves nothing.
    if (absl::IsNotFound(target.status()) || absl::IsInvalidArgument(target.status())) {
      return std::string();
    }
    return target.status();
  }
  if (!IsFullContainerId(*target) || !IsDirectory(store.ContainerDir(*target))) {
    return std::string();
  }
  return *std::move(target);
}

// Points names/<name> at `id`. symlink(2) fails if the name exists, so two reservations can never
// both succeed. REQUIRES: the names lock is held, which is what makes replacing a stale link safe.
absl::Status ReserveName(const StateStore& store, absl::string_view name, absl::string_view id) {
  std::string link = NamePath(store.root(), name);
  std::string target(id);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (::symlink(target.c_str(), link.c_str()) == 0) return absl::OkStatus();
    if (errno != EEXIST) return LastErrnoError(absl::StrCat("symlink ", link));
    MYDOCKER_ASSIGN_OR_RETURN(std::string owner, NameOwner(store, name));
    if (!owner.empty()) {
      return absl::AlreadyExistsError(absl::StrCat("name ", Quote(name),
                                                   " is already in use by container ",
                                                   owner.substr(0, kShortIdLength)));
    }
    if (::unlink(link.c_str()) != 0 && errno != ENOENT) {
      return LastErrnoError(absl::StrCat("remove stale name ", link));
    }
  }
  return absl::AlreadyExistsError(absl::StrCat("name ", Quote(name), " is already in use"));
}

// Removes names/<name> if it still points at `id`. REQUIRES: the names lock is held.
absl::Status ReleaseName(const StateStore& store, absl::string_view name, absl::string_view id) {
  std::string link = NamePath(store.root(), name);
  absl::StatusOr<std::string> target = ReadLink(link);
  if (!target.ok()) return absl::IsNotFound(target.status()) ? absl::OkStatus() : target.status();
  if (*target != id) return absl::OkStatus();
  if (::unlink(link.c_str()) != 0 && errno != ENOENT) {
    return LastErrnoError(absl::StrCat("remove ", link));
  }
  return absl::OkStatus();
}

// For a container whose record is unreadable: finds its names by their targets.
absl::Status ReleaseNamesOf(const StateStore& store, absl::string_view id) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(NamesDir(store.root())));
  absl::Status result;
  for (const std::string& name : names) result.Update(ReleaseName(store, name, id));
  return result;
}

// Writes new files durably: create, write, fsync.
absl::Status WriteNewFile(const std::string& path, absl::string_view data) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kPrivateFileMode));
  if (!fd) return LastErrnoError(absl::StrCat("create ", path));
  while (!data.empty()) {
    ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError(absl::StrCat("write ", path));
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd.get()) != 0) return LastErrnoError(absl::StrCat("fsync ", path));
  return absl::OkStatus();
}

// The staging directory is private until Publish renames it into place, so its records need no
// temporary file and rename each, and one fsync of the directory covers both entries: 3
// fsyncs instead of 4, and no renames (each metadata change waits on a busy ext4 journal).
absl::Status WriteRecords(const std::string& dir, const ContainerState& state,
                          const ContainerConfig& config) {
  MYDOCKER_RETURN_IF_ERROR(WriteNewFile(absl::StrCat(dir, "/", kConfigFile), ConfigToJson(config)));
  MYDOCKER_RETURN_IF_ERROR(WriteNewFile(absl::StrCat(dir, "/", kStateFile), StateToJson(state)));
  SyncDir(dir);
  return absl::OkStatus();
}

// Reserves the name and moves the staged directory into place, both under the names lock.
absl::Status Publish(const StateStore& store, const std::string& staging,
                     const ContainerState& state) {
  MYDOCKER_ASSIGN_OR_RETURN(FileLock names_lock, FileLock::Acquire(NamesDir(store.root())));
  std::string dir = store.ContainerDir(state.id);
  if (PathExists(dir)) {
    return absl::AlreadyExistsError(absl::StrCat("container ", state.id, " already exists"));
  }
  MYDOCKER_RETURN_IF_ERROR(ReserveName(store, state.name, state.id));
  if (::rename(staging.c_str(), dir.c_str()) != 0) {
    absl::Status s = LastErrnoError(absl::StrCat("rename ", staging, " to ", dir));
    ReleaseName(store, state.name, state.id).IgnoreError();
    return s;
  }
  SyncDir(ContainersDir(store.root()));
  return absl::OkStatus();
}

// Removes everything but the records first, so that if something cannot be removed (a mount
// left behind) the container is still listed and a later remove can finish the job.
absl::Status RemoveContainerDir(const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> entries = ListDir(dir);
  if (!entries.ok())
    return absl::IsNotFound(entries.status()) ? absl::OkStatus() : entries.status();
  for (const std::string& entry : *entries) {
    if (entry == kStateFile || entry == kConfigFile) continue;
    MYDOCKER_RETURN_IF_ERROR(RemoveAll(absl::StrCat(dir, "/", entry)));
  }
  return RemoveAll(dir);
}

template <typename T>
absl::StatusOr<T> LoadRecord(const StateStore& store, absl::string_view id, const char* file,
                             absl::StatusOr<T> (*parse)(absl::string_view)) {
  MYDOCKER_RETURN_IF_ERROR(CheckId(id));
  std::string dir = store.ContainerDir(id);
  std::string path = absl::StrCat(dir, "/", file);
  absl::StatusOr<std::string> data = ReadFile(path);
  if (!data.ok()) {
    if (absl::IsNotFound(data.status()) && !IsDirectory(dir)) return NoSuchContainer(id);
    return data.status();
  }
  absl::StatusOr<T> record = parse(*data);
  if (!record.ok()) return Annotate(record.status(), path);
  return record;
}

}  // namespace

std::string NewContainerId() {
  for (;;) {
    unsigned char bytes[kContainerIdLength / 2];
    size_t got = 0;
    while (got < sizeof bytes) {
      ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    if (got < sizeof bytes) {
      // getrandom missing (old kernel) or filtered by seccomp.
      std::random_device device;
      for (unsigned char& b : bytes) b = static_cast<unsigned char>(device());
    }
    std::string id = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
    // Like Docker, avoid a short id made only of digits: tools would read it as a number.
    if (!std::all_of(id.begin(), id.begin() + kShortIdLength, absl::ascii_isdigit)) return id;
  }
}

absl::Status ValidateContainerName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("container name must not be empty");
  if (name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(absl::StrCat("container name is ", name.size(),
                                                   " characters long, at most ", kMaxNameLength,
                                                   " are allowed"));
  }
  auto allowed = [](char c) { return absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-'; };
  if (!absl::ascii_isalnum(name[0]) || !std::all_of(name.begin(), name.end(), allowed)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid container name ", Quote(name),
                                                   ": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"));
  }
  return absl::OkStatus();
}

bool IsFullContainerId(absl::string_view s) {
  return s.size() == kContainerIdLength && std::all_of(s.begin(), s.end(), IsLowerHex);
}

absl::StatusOr<std::unique_ptr<StateStore>> StateStore::Open(const std::string& root) {
  if (root.empty() || root[0] != '/' || root.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("state root must be an absolute path: ", Quote(root)));
  }
  std::string clean = root;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(clean, kPrivateDirMode));
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(ContainersDir(clean), kPrivateDirMode));
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(NamesDir(clean), kPrivateDirMode));
  MYDOCKER_RETURN_IF_ERROR(MakeDirs(TrashDir(clean), kPrivateDirMode));
  return std::unique_ptr<StateStore>(new StateStore(std::move(clean)));
}

std::string StateStore::ContainerDir(absl::string_view id) const {
  return absl::StrCat(ContainersDir(root_), "/", id);
}

absl::StatusOr<std::string> StateStore::Resolve(absl::string_view ref) const {
  if (ref.empty()) return absl::InvalidArgumentError("empty container reference");
  // Docker's order: full id, then name, then id prefix. Only values validated as an id or a
  // name ever reach a path, so a ref like "../x" cannot leave the store.
  if (IsFullContainerId(ref) && IsDirectory(ContainerDir(ref))) return std::string(ref);
  if (ValidateContainerName(ref).ok()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string owner, NameOwner(*this, ref));
    if (!owner.empty()) return owner;
  }
  if (!IsIdPrefix(ref)) return NoSuchContainer(ref);
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<std::string> entries, ListDir(ContainersDir(root_)));
  std::string match;
  size_t matches = 0;
  for (const std::string& entry : entries) {
    if (IsFullContainerId(entry) && absl::StartsWith(entry, ref)) {
      match = entry;
      ++matches;
    }
  }
  if (matches == 0) return NoSuchContainer(ref);
  if (matches > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "container prefix ", Quote(ref), " is ambiguous: matches ", matches, " containers"));
  }
  return match;
}

absl::Status StateStore::Create(const ContainerState& state, const ContainerConfig& config) {
  MYDOCKER_RETURN_IF_ERROR(CheckId(state.id));
  MYDOCKER_RETURN_IF_ERROR(ValidateContainerName(state.name));
  // The records are written in a staging directory that is renamed into place, so no reader ever
  // sees a container without them. Its name starts with '.', so it is never taken for an id.
  std::string staging = absl::StrCat(ContainersDir(root_), "/", kStagingPrefix, state.id);
  UniqueFd guard = LockStagingGuard(root_, LOCK_SH);
  if (!guard) return LastErrnoError(absl::StrCat("lock ", root_, kStagingGuard));
  if (::mkdir(staging.c_str(), kPrivateDirMode) != 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat("container ", state.id, " already exists"));
    }
    return LastErrnoError(absl::StrCat("mkdir ", staging));
  }
  // Held until the end: a staging directory nobody holds is a crashed creator's (Purge).
  UniqueFd staging_lock(::open(staging.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!staging_lock || ::flock(staging_lock.get(), LOCK_EX) != 0) {
    absl::Status s = LastErrnoError(absl::StrCat("lock ", staging));
    ::rmdir(staging.c_str());
    return s;
  }
  guard.reset();
  absl::Status s = WriteRecords(staging, state, config);
  if (s.ok()) s = Publish(*this, staging, state);
  if (!s.ok()) RemoveAll(staging).IgnoreError();
  return s;
}

absl::StatusOr<ContainerState> StateStore::LoadState(absl::string_view id) const {
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state,
                            LoadRecord<ContainerState>(*this, id, kStateFile, &StateFromJson));
  // Callers use state.id to build paths; a record must not redirect them to another container.
  if (state.id != id) {
    return absl::InvalidArgumentError(
        absl::StrCat(ContainerDir(id), "/", kStateFile, ": records another id ", Quote(state.id)));
  }
  // A missing or unreadable health record is no health check (yet), not a broken container.
  absl::StatusOr<std::string> health = ReadFile(HealthPath(id));
  if (health.ok()) {
    absl::StatusOr<HealthState> parsed = HealthStateFromJson(*health);
    if (parsed.ok()) state.health = std::move(*parsed);
  }
  return state;
}

std::string StateStore::HealthPath(absl::string_view id) const {
  return absl::StrCat(ContainerDir(id), "/health.json");
}

absl::StatusOr<ContainerConfig> StateStore::LoadConfig(absl::string_view id) const {
  return LoadRecord<ContainerConfig>(*this, id, kConfigFile, &ConfigFromJson);
}

absl::Status StateStore::SaveState(const ContainerState& state) {
  MYDOCKER_RETURN_IF_ERROR(CheckId(state.id));
  std::string dir = ContainerDir(state.id);
  if (!IsDirectory(dir)) return NoSuchContainer(state.id);
  // The record is complete on disk before it replaces the old one (no torn record after a
  // crash), but the directory is not synced: a crash may leave the previous record, which is
  // as true after a crash as the new one (every process of the container died with the host;
  // reading reconciles a "running" record with the kernel). Creation, which makes a container
  // exist, stays fully durable. One journal commit less on every start and stop.
  MarkRecordsChanging(dir);
  absl::Status written = WriteFileAtomic(absl::StrCat(dir, "/", kStateFile), StateToJson(state),
                                         kPrivateFileMode, /*sync_directory=*/false);
  MarkRecordsChanging(dir);
  return written;
}

absl::Status StateStore::SaveConfig(absl::string_view id, const ContainerConfig& config) {
  MYDOCKER_RETURN_IF_ERROR(CheckId(id));
  std::string dir = ContainerDir(id);
  if (!IsDirectory(dir)) return NoSuchContainer(id);
  return WriteFileAtomic(absl::StrCat(dir, "/", kConfigFile), ConfigToJson(config),
                         kPrivateFileMode);
}

absl::StatusOr<std::vector<ListedRecord>> StateStore::ListRecords(
    std::vector<std::string>* bad) const {
  auto load = [this](const std::string& id) -> absl::StatusOr<ListedRecord> {
    MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, LoadState(id));
    absl::StatusOr<std::string> network =
        ReadFile(absl::StrCat(ContainerDir(id), "/", kNetworkFile));
    if (!network.ok() && !absl::IsNotFound(network.status())) return network.status();
    ListedRecord record{std::move(state), {}};
    if (network.ok() && !network->empty()) {
      // A damaged record lists the container without networks (inspect names the damage).
      record.networks = network::AttachmentsFromJson(*network).value_or(record.networks);
    }
    return record;
  };
  MYDOCKER_ASSIGN_OR_RETURN(
      std::vector<ListedRecord> records,
      ListRecordsCached(ContainersDir(root_), ListCachePath(root_), load, bad));
  // The cache keeps them in this order: sorted already, unless something changed.
  if (!std::is_sorted(records.begin(), records.end(), ListedBefore)) {
    std::sort(records.begin(), records.end(), ListedBefore);
  }
  return records;
}

absl::StatusOr<std::vector<ContainerState>> StateStore::List(std::vector<std::string>* bad) const {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<ListedRecord> records, ListRecords(bad));
  std::vector<ContainerState> states;
  states.reserve(records.size());
  for (ListedRecord& r : records) states.push_back(std::move(r.state));
  return states;
}

absl::Status StateStore::Rename(absl::string_view id, absl::string_view new_name) {
  MYDOCKER_RETURN_IF_ERROR(CheckId(id));
  MYDOCKER_RETURN_IF_ERROR(ValidateContainerName(new_name));
  MYDOCKER_ASSIGN_OR_RETURN(ContainerState state, LoadState(id));
  if (state.name == new_name) {
    return absl::InvalidArgumentError(absl::StrCat("container already has name ", Quote(new_name)));
  }
  MYDOCKER_ASSIGN_OR_RETURN(FileLock names_lock, FileLock::Acquire(NamesDir(root_)));
  MYDOCKER_RETURN_IF_ERROR(ReserveName(*this, new_name, id));
  std::string old_name = std::exchange(state.name, std::string(new_name));
  absl::Status s = SaveState(state);
  if (!s.ok()) {
    ReleaseName(*this, new_name, id).IgnoreError();
    return s;
  }
  return old_name.empty() ? absl::OkStatus() : ReleaseName(*this, old_name, id);
}

absl::Status StateStore::Remove(absl::string_view id) {
  MYDOCKER_ASSIGN_OR_RETURN(std::string trash, Detach(id));
  return Purge(trash);
}

absl::StatusOr<std::string> StateStore::Detach(absl::string_view id) {
  MYDOCKER_RETURN_IF_ERROR(CheckId(id));
  absl::StatusOr<ContainerState> state = LoadState(id);
  const std::string dir = ContainerDir(id);
  std::string trash = absl::StrCat(TrashDir(root_), "/", id);
  // A file system still mounted inside the directory (a crash mid-setup) must not vanish with
  // it: then the contents go first, in place, and the records stay until that succeeds.
  struct stat top, rootfs;
  bool mounted_inside = ::lstat(dir.c_str(), &top) == 0 &&
                        ::lstat((dir + "/rootfs").c_str(), &rootfs) == 0 &&
                        rootfs.st_dev != top.st_dev;
  if (mounted_inside || ::rename(dir.c_str(), trash.c_str()) != 0) {
    MYDOCKER_RETURN_IF_ERROR(RemoveContainerDir(dir));
    trash.clear();
  }
  MYDOCKER_ASSIGN_OR_RETURN(FileLock names_lock, FileLock::Acquire(NamesDir(root_)));
  if (state.ok() && !state->name.empty()) {
    MYDOCKER_RETURN_IF_ERROR(ReleaseName(*this, state->name, id));
  } else {
    MYDOCKER_RETURN_IF_ERROR(ReleaseNamesOf(*this, id));
  }
  return trash;
}

absl::Status StateStore::Purge(const std::string& trash) {
  absl::Status result;
  if (!trash.empty()) result = RemoveAll(trash);
  // Trash a crashed remover left: each entry that no live remover holds locked (the lock of a
  // container is a flock on its directory, which keeps it across the rename).
  absl::StatusOr<std::vector<std::string>> entries = ListDir(TrashDir(root_));
  if (!entries.ok()) return result;
  for (const std::string& entry : *entries) {
    std::string path = absl::StrCat(TrashDir(root_), "/", entry);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd && ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) RemoveAll(path).IgnoreError();
  }
  PruneStaging();
  return result;
}

void StateStore::PruneStaging() {
  // A creator holds its staging directory locked from just after its mkdir until the directory
  // is renamed into place or removed, and the guard from before its mkdir until then. A creator
  // between the two holds the guard: pruning waits for another time.
  absl::StatusOr<std::vector<std::string>> entries = ListDir(ContainersDir(root_));
  if (!entries.ok()) return;
  UniqueFd guard;
  for (const std::string& entry : *entries) {
    if (!absl::StartsWith(entry, kStagingPrefix)) continue;
    if (!guard && !(guard = LockStagingGuard(root_, LOCK_EX | LOCK_NB))) return;
    std::string path = absl::StrCat(ContainersDir(root_), "/", entry);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd && ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) RemoveAll(path).IgnoreError();
  }
}

absl::StatusOr<FileLock> StateStore::Lock(absl::string_view id) const {
  return LockDir(id, /*wait=*/true);
}

absl::StatusOr<FileLock> StateStore::TryLock(absl::string_view id) const {
  return LockDir(id, /*wait=*/false);
}

absl::StatusOr<FileLock> StateStore::LockDir(absl::string_view id, bool wait) const {
  MYDOCKER_RETURN_IF_ERROR(CheckId(id));
  std::string dir = ContainerDir(id);
  if (!IsDirectory(dir)) return NoSuchContainer(id);
  MYDOCKER_ASSIGN_OR_RETURN(FileLock lock,
                            wait ? FileLock::Acquire(dir) : FileLock::TryAcquire(dir));
  // The container may have been removed while we waited: the lock then holds a deleted
  // directory, or, if the directory vanished before the open, a file FileLock created there.
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) return NoSuchContainer(id);
  if (S_ISDIR(st.st_mode)) return lock;
  if (S_ISREG(st.st_mode)) ::unlink(dir.c_str());
  return NoSuchContainer(id);
}

}  // namespace mydocker
