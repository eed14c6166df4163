#include "monitor_liveness.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <optional>

#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

constexpr char kDir[] = "/monitors";
constexpr int kStartTimeBits = 40;  // clock ticks: 348 years at USER_HZ 100
constexpr int kPidBits = 22;        // PID_MAX_LIMIT is 2^22

// The byte a monitor locks; nullopt for a reference that has none.
std::optional<off_t> OffsetOf(const ProcessRef& ref) {
  if (ref.pid <= 0 || ref.pid >= (1 << kPidBits) || ref.start_time == 0 ||
      ref.start_time >= (uint64_t{1} << kStartTimeBits)) {
    return std::nullopt;
  }
  return static_cast<off_t>((static_cast<uint64_t>(ref.pid) << kStartTimeBits) | ref.start_time);
}

std::string ShardPath(const std::string& root, int pid) {
  return absl::StrCat(root, kDir, "/", pid % MonitorLiveness::kShards);
}

struct flock ByteAt(off_t offset, short type) {
  struct flock lock = {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = offset;
  lock.l_len = 1;
  return lock;
}

}  // namespace

absl::StatusOr<UniqueFd> MonitorLiveness::Hold(const std::string& root, const ProcessRef& self) {
  std::optional<off_t> offset = OffsetOf(self);
  if (!offset) return absl::InvalidArgumentError("no start time for the monitor's lock");
  if (::mkdir((root + kDir).c_str(), 0700) != 0 && errno != EEXIST) {
    return LastErrnoError(absl::StrCat("create ", root, kDir));
  }
  const std::string path = ShardPath(root, self.pid);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return LastErrnoError(absl::StrCat("open ", path));
  struct flock lock = ByteAt(*offset, F_WRLCK);
  if (::fcntl(fd.get(), F_SETLK, &lock) != 0) return LastErrnoError(absl::StrCat("lock ", path));
  return fd;
}

bool MonitorLiveness::Held(const ProcessRef& ref) {
  std::optional<off_t> offset = OffsetOf(ref);
  if (!offset) return false;
  const int shard = ref.pid % MonitorLiveness::kShards;
  UniqueFd& fd = fds_[shard];
  if (!opened_[shard]) {
    opened_[shard] = true;
    fd.reset(::open(ShardPath(root_, ref.pid).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  }
  if (!fd) return false;
  // An open file description's query: it conflicts with every process's lock, ours included.
  struct flock lock = ByteAt(*offset, F_WRLCK);
  if (::fcntl(fd.get(), F_OFD_GETLK, &lock) != 0) return false;
  return lock.l_type != F_UNLCK;
}

}  // namespace mydocker
