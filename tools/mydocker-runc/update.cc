// update [--resources F | resource flags] ID, and events [--stats] [--interval D] ID.
#include <unistd.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "args.h"
#include "commands.h"
#include "mydocker/fs_util.h"
#include "mydocker/resources.h"
#include "mydocker/status_macros.h"
#include "oci/runtime.h"

namespace mydocker::runc {
namespace {

// runc's update flags this runtime has no cgroup driver support for.
constexpr const char* kUnsupported[] = {"kernel-memory", "kernel-memory-tcp", "blkio-weight",
                                        "cpu-rt-period", "cpu-rt-runtime",    "l3-cache-schema",
                                        "mem-bw-schema"};

FlagSpec UpdateFlags() {
  FlagSpec spec{{"resources", "r", "memory", "memory-swap", "memory-reservation", "cpu-shares",
                 "cpu-quota", "cpu-period", "cpuset-cpus", "cpuset-mems", "pids-limit"},
                {}};
  for (const char* flag : kUnsupported) spec.with_value.insert(flag);
  return spec;
}

template <typename T>
absl::Status Number(const Parsed& p, const char* flag, std::optional<T>* out) {
  if (!p.Has(flag)) return absl::OkStatus();
  T value{};
  if (!absl::SimpleAtoi(p.Get(flag), &value)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, " must be a number"));
  }
  *out = value;
  return absl::OkStatus();
}

// A size ("512m") or -1 (unlimited).
absl::Status Size(const Parsed& p, const char* flag, std::optional<int64_t>* out) {
  if (!p.Has(flag)) return absl::OkStatus();
  if (p.Get(flag) == "-1") {
    *out = -1;
    return absl::OkStatus();
  }
  absl::StatusOr<int64_t> size = ParseMemorySize(p.Get(flag));
  if (!size.ok()) return Annotate(size.status(), absl::StrCat("--", flag));
  *out = *size;
  return absl::OkStatus();
}

// --resources (a file, "-" for stdin), then the flags on top, as runc.
absl::StatusOr<LinuxResources> ResourcesOf(const Parsed& p) {
  for (const char* flag : kUnsupported) {
    if (p.Has(flag)) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag, " is not supported"));
    }
  }
  LinuxResources r;
  const std::string file = p.Get("resources", p.Get("r"));
  if (!file.empty()) {
    MYDOCKER_ASSIGN_OR_RETURN(std::string text, ReadFile(file == "-" ? "/dev/stdin" : file));
    MYDOCKER_ASSIGN_OR_RETURN(r, oci::ParseResources(text, file == "-" ? "stdin" : file));
  }
  MYDOCKER_RETURN_IF_ERROR(Size(p, "memory", &r.memory.limit));
  MYDOCKER_RETURN_IF_ERROR(Size(p, "memory-swap", &r.memory.swap));
  MYDOCKER_RETURN_IF_ERROR(Size(p, "memory-reservation", &r.memory.reservation));
  MYDOCKER_RETURN_IF_ERROR(Number(p, "cpu-shares", &r.cpu.shares));
  MYDOCKER_RETURN_IF_ERROR(Number(p, "cpu-quota", &r.cpu.quota));
  MYDOCKER_RETURN_IF_ERROR(Number(p, "cpu-period", &r.cpu.period));
  MYDOCKER_RETURN_IF_ERROR(Number(p, "pids-limit", &r.pids.limit));
  if (p.Has("cpuset-cpus")) r.cpu.cpus = p.Get("cpuset-cpus");
  if (p.Has("cpuset-mems")) r.cpu.mems = p.Get("cpuset-mems");
  return r;
}

absl::StatusOr<Parsed> ParseWithId(Context& ctx, const FlagSpec& spec) {
  size_t next = 0;
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, ParseFlags(ctx.argv, ctx.next, spec, &next));
  p.args.assign(ctx.argv.begin() + static_cast<long>(next), ctx.argv.end());
  if (p.args.size() != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(ctx.argv[ctx.next - 1], ": expects 1 argument (the container id)"));
  }
  return p;
}

}  // namespace

absl::Status CmdUpdate(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, ParseWithId(ctx, UpdateFlags()));
  MYDOCKER_ASSIGN_OR_RETURN(LinuxResources resources, ResourcesOf(p));
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  return runtime.Update(p.args[0], resources);
}

// --stats: one stats event; else one every --interval (5s) while the container runs.
absl::Status CmdEvents(Context& ctx) {
  MYDOCKER_ASSIGN_OR_RETURN(Parsed p, ParseWithId(ctx, {{"interval"}, {"stats"}}));
  absl::Duration interval = absl::Seconds(5);
  if (p.Has("interval") &&
      (!absl::ParseDuration(p.Get("interval"), &interval) || interval <= absl::ZeroDuration())) {
    return absl::InvalidArgumentError("--interval must be a positive duration (\"5s\")");
  }
  MYDOCKER_ASSIGN_OR_RETURN(oci::Runtime runtime, oci::Runtime::Open(ctx.root));
  for (bool first = true;; first = false) {
    absl::StatusOr<std::string> event = runtime.StatsEvent(p.args[0]);
    if (!event.ok() && !first) return absl::OkStatus();  // the container ended
    if (!event.ok()) return event.status();
    std::printf("%s\n", event->c_str());
    std::fflush(stdout);
    if (p.Has("stats")) return absl::OkStatus();
    absl::SleepFor(interval);
  }
}

}  // namespace mydocker::runc
