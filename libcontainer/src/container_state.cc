#include "mydocker/container_state.h"

#include <poll.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "host/proc_stat.h"
#include "json_util.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker {
namespace {

constexpr std::array<std::pair<ContainerStatus, absl::string_view>, 5> kStatusNames = {{
    {ContainerStatus::kCreated, "created"},
    {ContainerStatus::kRunning, "running"},
    {ContainerStatus::kPaused, "paused"},
    {ContainerStatus::kStopped, "stopped"},
    {ContainerStatus::kRestarting, "restarting"},
}};

// Go's zero time, which Docker prints for "never".
constexpr absl::string_view kZeroTime = "0001-01-01T00:00:00Z";

void KeyInode(json::Writer& w, const char* key, const ProcessRef& ref) {
  if (ref.pidfs_ino != 0) json::KeyUint(w, key, ref.pidfs_ino);
}

void WriteState(json::Writer& w, const ContainerState& s) {
  w.StartObject();
  json::KeyString(w, "id", s.id);
  json::KeyString(w, "name", s.name);
  json::KeyString(w, "image", s.image);
  json::KeyString(w, "imageId", s.image_id);
  json::KeyStringArray(w, "command", s.command);
  json::KeyString(w, "status", ContainerStatusName(s.status));
  json::KeyString(w, "created", FormatRfc3339(s.created));
  json::KeyString(w, "started", FormatRfc3339(s.started));
  json::KeyString(w, "finished", FormatRfc3339(s.finished));
  json::Key(w, "pid");
  w.Int(s.init.pid);
  json::Key(w, "pidStartTime");
  w.Uint64(s.init.start_time);
  KeyInode(w, "pidInode", s.init);
  json::Key(w, "monitorPid");
  w.Int(s.monitor.pid);
  json::Key(w, "monitorStartTime");
  w.Uint64(s.monitor.start_time);
  KeyInode(w, "monitorPidInode", s.monitor);
  if (s.exit_code.has_value()) {
    json::Key(w, "exitCode");
    w.Int(*s.exit_code);
  }
  json::Key(w, "oomKilled");
  w.Bool(s.oom_killed);
  json::KeyString(w, "error", s.error);
  json::Key(w, "autoRemove");
  w.Bool(s.auto_remove);
  json::Key(w, "restartCount");
  w.Int(s.restart_count);
  json::Key(w, "manuallyStopped");
  w.Bool(s.manually_stopped);
  json::Key(w, "restartCancelled");
  w.Bool(s.restart_cancelled);
  if (!s.restarting.empty()) {
    json::Key(w, "restartingPid");
    w.Int(s.restarting.pid);
    json::Key(w, "restartingPidStartTime");
    w.Uint64(s.restarting.start_time);
  }
  if (!s.committing.empty()) {
    json::Key(w, "committingPid");
    w.Int(s.committing.pid);
    json::Key(w, "committingPidStartTime");
    w.Uint64(s.committing.start_time);
    json::Key(w, "commitFroze");
    w.Bool(s.commit_froze);
  }
  json::KeyString(w, "logPath", s.log_path);
  json::KeyString(w, "cgroupPath", s.cgroup_path);
  w.EndObject();
}

absl::Status ReadTime(const json::ObjectReader& r, const char* key, absl::Time* out) {
  std::string text;
  MYDOCKER_RETURN_IF_ERROR(r.GetString(key, &text));
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Time> t = ParseTime(text);
  if (!t.ok()) return Annotate(t.status(), r.FieldPath(key));
  *out = *t;
  return absl::OkStatus();
}

absl::Status ReadProcessRef(const json::ObjectReader& r, const char* pid_key, const char* start_key,
                            ProcessRef* out, const char* inode_key = nullptr) {
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger(pid_key, &out->pid));
  if (out->pid < 0)
    return absl::InvalidArgumentError(r.FieldPath(pid_key) + " must not be negative");
  if (inode_key != nullptr) MYDOCKER_RETURN_IF_ERROR(r.GetInteger(inode_key, &out->pidfs_ino));
  return r.GetInteger(start_key, &out->start_time);
}

// The fields that identify the record: a state without them is not a state.
absl::Status ReadIdentity(const json::ObjectReader& r, ContainerState* s) {
  MYDOCKER_RETURN_IF_ERROR(r.GetString("id", &s->id));
  if (s->id.empty()) return absl::InvalidArgumentError("id is required");
  std::string status;
  MYDOCKER_RETURN_IF_ERROR(r.GetString("status", &status));
  if (status.empty()) return absl::InvalidArgumentError("status is required");
  absl::StatusOr<ContainerStatus> parsed = ParseContainerStatus(status);
  if (!parsed.ok()) return Annotate(parsed.status(), "status");
  s->status = *parsed;
  return absl::OkStatus();
}

}  // namespace

absl::string_view ContainerStatusName(ContainerStatus status) {
  for (const auto& [s, name] : kStatusNames) {
    if (s == status) return name;
  }
  return "unknown";
}

absl::StatusOr<ContainerStatus> ParseContainerStatus(absl::string_view name) {
  for (const auto& [s, n] : kStatusNames) {
    if (n == name) return s;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown container status \"", absl::CHexEscape(name), "\""));
}

namespace {

constexpr long kPidfsMagic = 0x50494446;  // PID_FS_MAGIC

// pidfd_open's handle, or -1 with errno.
int OpenPidfdOf(int pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Alive() through a pidfd: no pidfd (ESRCH) or another inode is another process; a readable
// pidfd has exited (a zombie counts as ended). nullopt: the kernel cannot tell (no pidfd).
std::optional<bool> AliveByPidfs(int pid, uint64_t ino) {
  UniqueFd fd(OpenPidfdOf(pid));
  if (!fd) {
    if (errno == ESRCH) return false;
    return std::nullopt;
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return std::nullopt;
  if (st.st_ino != ino) return false;
  struct pollfd p = {fd.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

}  // namespace

ProcessRef DescribeProcess(int pid) {
  ProcessRef ref{pid, ProcessStartTime(pid).value_or(0)};
  UniqueFd fd(OpenPidfdOf(pid));
  struct statfs fs;
  struct stat st;
  if (fd && ::fstatfs(fd.get(), &fs) == 0 && fs.f_type == kPidfsMagic &&
      ::fstat(fd.get(), &st) == 0) {
    ref.pidfs_ino = st.st_ino;
  }
  return ref;
}

bool ProcessRef::Alive() const {
  if (empty()) return false;
  if (pidfs_ino != 0) {
    if (std::optional<bool> alive = AliveByPidfs(pid, pidfs_ino)) return *alive;
  }
  absl::StatusOr<ProcStat> stat = ReadProcStat(pid);
  // A zombie ('Z') or dead ('X') process has ended; only its parent's wait is missing.
  return stat.ok() && stat->start_time == start_time && stat->state != 'Z' && stat->state != 'X';
}

absl::StatusOr<uint64_t> ProcessStartTime(int pid) {
  MYDOCKER_ASSIGN_OR_RETURN(ProcStat stat, ReadProcStat(pid));
  return stat.start_time;
}

std::string StateToJson(const ContainerState& state) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  WriteState(w, state);
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<ContainerState> StateFromJson(absl::string_view text) {
  rapidjson::Document doc;
  MYDOCKER_RETURN_IF_ERROR(json::Parse(text, "state", &doc));
  MYDOCKER_ASSIGN_OR_RETURN(json::ObjectReader r, json::ObjectReader::Make(doc, ""));
  ContainerState s;
  MYDOCKER_RETURN_IF_ERROR(ReadIdentity(r, &s));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("name", &s.name));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("image", &s.image));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("imageId", &s.image_id));
  MYDOCKER_RETURN_IF_ERROR(r.GetStringArray("command", &s.command));
  MYDOCKER_RETURN_IF_ERROR(ReadTime(r, "created", &s.created));
  MYDOCKER_RETURN_IF_ERROR(ReadTime(r, "started", &s.started));
  MYDOCKER_RETURN_IF_ERROR(ReadTime(r, "finished", &s.finished));
  MYDOCKER_RETURN_IF_ERROR(ReadProcessRef(r, "pid", "pidStartTime", &s.init, "pidInode"));
  MYDOCKER_RETURN_IF_ERROR(
      ReadProcessRef(r, "monitorPid", "monitorStartTime", &s.monitor, "monitorPidInode"));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("exitCode", &s.exit_code));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("oomKilled", &s.oom_killed));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("error", &s.error));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("autoRemove", &s.auto_remove));
  MYDOCKER_RETURN_IF_ERROR(r.GetInteger("restartCount", &s.restart_count));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("manuallyStopped", &s.manually_stopped));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("restartCancelled", &s.restart_cancelled));
  MYDOCKER_RETURN_IF_ERROR(
      ReadProcessRef(r, "restartingPid", "restartingPidStartTime", &s.restarting));
  MYDOCKER_RETURN_IF_ERROR(
      ReadProcessRef(r, "committingPid", "committingPidStartTime", &s.committing));
  MYDOCKER_RETURN_IF_ERROR(r.GetBool("commitFroze", &s.commit_froze));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("logPath", &s.log_path));
  MYDOCKER_RETURN_IF_ERROR(r.GetString("cgroupPath", &s.cgroup_path));
  return s;
}

std::string FormatRfc3339(absl::Time t) {
  if (t == absl::InfinitePast()) return std::string(kZeroTime);
  // %E*S prints only the significant fraction digits, as Go's RFC3339Nano does.
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseTime(absl::string_view s) {
  if (s == kZeroTime) return absl::InfinitePast();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, s, &t, &err)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid rfc 3339 time \"", absl::CHexEscape(s), "\""));
  }
  return t;
}

}  // namespace mydocker
