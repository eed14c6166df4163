// ps, list, spec, features.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "args.h"
#include "commands.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"
#include "oci/runtime.h"

namespace mydocker::runc {
namespace {

absl::StatusOr<Parsed> ParseArgs(Context& ctx, const FlagSpec& spec, size_t count) {
  size_t next = 0;
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, ParseFlags(ctx.argv, ctx.next, spec, &next));
  p.args.assign(ctx.argv.begin() + static_cast<long>(next), ctx.argv.end());
  if (p.args.size() != count) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.argv[ctx.next - 1], ": expects ", count, " argument(s)"));
  }
  return p;
}

// runc spec's default: a shell on a terminal in ./rootfs, the namespaces, mounts, masked and
// read-only paths of a container.
constexpr char kDefaultSpec[] = R"({
  "ociVersion": "1.0.2",
  "process": {
    "terminal": true,
    "user": {"uid": 0, "gid": 0},
    "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "ambient": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "mydocker",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
     "options": ["nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                   {"type": "mount"}, {"type": "cgroup"}],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                    "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
)";

std::string ListTable(const std::vector<std::pair<oci::Record, oci::Status>>& all) {
  std::string out = "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n";
  for (const auto& [r, s] : all) {
    absl::StrAppend(&out, r.id, "\t", s == oci::Status::kStopped ? 0 : r.init.pid, "\t",
                    oci::StatusName(s), "\t", r.bundle, "\t",
                    absl::FormatTime(absl::RFC3339_full, r.created, absl::UTCTimeZone()),
                    "\troot\n");
  }
  return out;
}

}  // namespace

absl::Status CmdList(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, ParseArgs(ctx, {{"format", "f"}, {"quiet", "q"}}, 0));
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  MYDOCKER_ASSIGN_OR_RETURN(auto all, runtime.List());
  std::string format = p.Get("format", p.Get("f", "table"));
  std::string out;
  if (p.Has("quiet") || p.Has("q")) {
    for (const auto& [r, s] : all) absl::StrAppend(&out, r.id, "\n");
  } else if (format == "json") {
    std::vector<std::string> states;
    for (const auto& [r, s] : all) states.push_back(oci::StateJson(r, s));
    out = absl::StrCat("[", absl::StrJoin(states, ","), "]\n");
  } else {
    out = ListTable(all);
  }
  std::fputs(out.c_str(), stdout);
  return absl::OkStatus();
}

absl::Status CmdPs(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, ParseArgs(ctx, {{"format", "f"}, {}}, 1));
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<pid_t> pids, runtime.Pids(p.args[0]));
  if (p.Get("format", p.Get("f", "table")) == "json") {
    std::printf("[%s]\n", absl::StrJoin(pids, ",").c_str());
    return absl::OkStatus();
  }
  std::string out = "PID\tCMD\n";
  for (pid_t pid : pids) {
    absl::StatusOr<std::string> comm = ReadFile(absl::StrCat("/proc/", pid, "/comm"));
    absl::StrAppend(&out, pid, "\t", comm.ok() ? *comm : "?\n");
  }
  std::fputs(out.c_str(), stdout);
  return absl::OkStatus();
}

absl::Status CmdSpec(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, ParseArgs(ctx, {{"bundle", "b"}, {"rootless"}}, 0));
  std::string path = absl::StrCat(p.Get("bundle", p.Get("b", ".")), "/config.json");
  if (PathExists(path)) return absl::AlreadyExistsError(path + " already exists");
  return WriteFileAtomic(path, kDefaultSpec, 0644);
}

absl::Status CmdFeatures(Context& ctx) {
  MYDOCKER_RETURN_IF_ERROR(ParseArgs(ctx, {}, 0).status());
  std::printf("%s\n",
              views::Features({MYDOCKER_RUNC_VERSION, ""}, views::JsonStyle::kIndented).c_str());
  return absl::OkStatus();
}

}  // namespace mydocker::runc
