// mydocker info [--format TEMPLATE] and mydocker version [--format TEMPLATE]: what this runtime
// is and runs on, with Docker's field names for templates.
#include <sys/utsname.h>
#include <unistd.h>

#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "commands.h"
#include "format.h"
#include "mydocker/fs_util.h"
#include "template/formatter.h"
#include "usage_format.h"

#ifndef MYDOCKER_GIT_COMMIT
#define MYDOCKER_GIT_COMMIT "unknown"
#endif

namespace mydocker::cli {

namespace {

// The C++ compiler, where Docker names its Go version.
std::string CompilerVersion() {
#if defined(__clang__)
  return absl::StrCat("clang ", __clang_major__, ".", __clang_minor__, ".", __clang_patchlevel__);
#elif defined(__GNUC__)
  return absl::StrCat("gcc ", __GNUC__, ".", __GNUC_MINOR__, ".", __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

// Go's GOARCH for the machine: amd64, arm64, ...
std::string GoArch(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine == "i686" || machine == "i386") return "386";
  return machine;
}

std::string OsRelease() {
  auto text = ReadFile("/etc/os-release");
  if (!text.ok()) return "Linux";
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (absl::ConsumePrefix(&line, "PRETTY_NAME=")) {
      std::string v(line);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "Linux";
}

// Prints `value` through `format` (a template; empty: `plain`); false after failing ctx.
void PrintWith(Context& ctx, const std::string& format, const tmpl::Value& value,
               const std::string& plain) {
  if (format.empty()) {
    std::cout << plain;
    return;
  }
  std::string text = format == "json" ? "{{json .}}" : format;
  auto t = tmpl::Template::Parse(text);
  std::string out;
  absl::Status s = t.ok() ? t->Execute(value, &out) : t.status();
  if (!s.ok()) return ctx.Fail(tmpl::TemplateParsingError(s), 1);
  std::cout << out << "\n";
}

struct InfoFlags {
  std::string format;
};

void Info(Context& ctx, const std::string& version, const std::string& format) {
  // A template that does not parse is refused before anything is looked at.
  if (!format.empty() && format != "json") {
    if (auto t = tmpl::Template::Parse(format); !t.ok()) {
      return ctx.Fail(tmpl::TemplateParsingError(t.status()), 1);
    }
  }
  Runtime* rt = ctx.OpenRuntime();
  if (rt == nullptr) return;
  auto containers = rt->List(/*all=*/true);
  auto images = rt->images().List();
  if (!containers.ok()) return ctx.Fail(containers.status(), 1);
  if (!images.ok()) return ctx.Fail(images.status(), 1);
  int running = 0, paused = 0, stopped = 0;
  for (const ContainerState& s : *containers) {
    if (s.status == ContainerStatus::kPaused) {
      ++paused;
    } else if (s.IsActive()) {
      ++running;
    } else {
      ++stopped;
    }
  }
  struct utsname u;
  ::uname(&u);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  auto meminfo = ReadFile("/proc/meminfo");
  uint64_t mem = meminfo.ok() ? ParseMemTotal(*meminfo).value_or(0) : 0;
  int cgroup_version = rt->cgroups().version() == CgroupVersion::kV2 ? 2 : 1;
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  using tmpl::Value;
  Value info = Value::Struct(
      "info",
      {{"Containers", Value::Int(static_cast<int64_t>(containers->size()))},
       {"ContainersRunning", Value::Int(running)},
       {"ContainersPaused", Value::Int(paused)},
       {"ContainersStopped", Value::Int(stopped)},
       {"Images", Value::Int(static_cast<int64_t>(images->size()))},
       {"Driver", Value::String(rt->storage_driver())},
       {"LoggingDriver", Value::String("local")},
       {"CgroupDriver", Value::String("cgroupfs")},
       {"CgroupVersion", Value::String(absl::StrCat(cgroup_version))},
       {"KernelVersion", Value::String(u.release)},
       {"OperatingSystem", Value::String(OsRelease())},
       {"OSType", Value::String("linux")},
       {"Architecture", Value::String(u.machine)},
       {"NCPU", Value::Int(cpus)},
       {"MemTotal", Value::Int(static_cast<int64_t>(mem))},
       {"Name", Value::String(host)},
       {"DockerRootDir", Value::String(rt->state().root())},
       {"ServerVersion", Value::String(version)},
       {"DefaultRuntime", Value::String("mydocker")},
       {"SecurityOptions",
        Value::List({Value::String("name=seccomp,profile=builtin"),
                     Value::String(cgroup_version == 2 ? "name=cgroupns" : "name=no-cgroupns")})}});
  std::string plain = absl::StrCat(
      "Server:\n Containers: ", containers->size(), "\n  Running: ", running,
      "\n  Paused: ", paused, "\n  Stopped: ", stopped, "\n Images: ", images->size(),
      "\n Server Version: ", version, "\n Storage Driver: ", rt->storage_driver(),
      "\n Logging Driver: local", "\n Cgroup Driver: cgroupfs\n Cgroup Version: ", cgroup_version,
      "\n Runtimes: mydocker\n Default Runtime: mydocker\n Security Options:\n  seccomp\n   "
      "Profile: builtin\n",
      cgroup_version == 2 ? "  cgroupns\n" : "", " Kernel Version: ", u.release,
      "\n Operating System: ", OsRelease(), "\n OSType: linux\n Architecture: ", u.machine,
      "\n CPUs: ", cpus, "\n Total Memory: ", BinarySize(mem), "\n Name: ", host,
      "\n Root Dir: ", rt->state().root(), "\n");
  PrintWith(ctx, format, info, plain);
}

void Version(Context& ctx, const std::string& version, const std::string& format) {
  struct utsname u;
  ::uname(&u);
  using tmpl::Value;
  std::string os_arch = absl::StrCat("linux/", GoArch(u.machine));
  Value v = Value::Struct(
      "version",
      {{"Client", Value::Struct("Client", {{"Version", Value::String(version)},
                                           {"ApiVersion", Value::String("1.0")},
                                           {"GitCommit", Value::String(MYDOCKER_GIT_COMMIT)},
                                           {"GoVersion", Value::String(CompilerVersion())},
                                           {"Os", Value::String("linux")},
                                           {"Arch", Value::String(GoArch(u.machine))},
                                           {"BuildTime", Value::String(__DATE__ " " __TIME__)},
                                           {"KernelVersion", Value::String(u.release)}})}});
  std::string plain =
      absl::StrCat("Client:\n Version:           ", version,
                   "\n API version:       1.0\n Compiler:          ", CompilerVersion(),
                   "\n Git commit:        ", MYDOCKER_GIT_COMMIT,
                   "\n Built:             ", __DATE__ " " __TIME__,
                   "\n OS/Arch:           ", os_arch, "\n Kernel:            ", u.release, "\n");
  PrintWith(ctx, format, v, plain);
}

// "mydocker 1.2.0" -> "1.2.0"
std::string VersionNumber(const std::string& version) {
  size_t space = version.rfind(' ');
  return space == std::string::npos ? version : version.substr(space + 1);
}

}  // namespace

void RegisterInfo(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<InfoFlags>();
  CLI::App* info = app.add_subcommand("info", "Display system-wide information");
  info->add_option("-f,--format", flags->format,
                   "Format the output using the given Go template, or json");
  info->callback([&ctx, flags] { Info(ctx, VersionNumber(ctx.version), flags->format); });
}

void RegisterVersion(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<InfoFlags>();
  CLI::App* cmd = app.add_subcommand("version", "Show the mydocker version information");
  cmd->add_option("-f,--format", flags->format,
                  "Format the output using the given Go template, or json");
  cmd->callback([&ctx, flags] { Version(ctx, VersionNumber(ctx.version), flags->format); });
}

}  // namespace mydocker::cli
