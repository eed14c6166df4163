// The C ABI over the core (see capi/include/mydocker.h for the conventions). Every exported
// function is a few lines inside Guard(), which turns an absl::Status into the returned code and
// the optional error object, and turns any C++ exception into MYDOCKER_INTERNAL: nothing thrown
// may unwind into a C caller.
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "internal.h"
#include "mydocker/helper.h"
#include "mydocker/logs.h"
#include "mydocker/network_store.h"
#include "mydocker/resources.h"
#include "mydocker/runtime.h"
#include "mydocker/status_macros.h"
#include "mydocker/views.h"

#ifndef MYDOCKER_LIB_TO_HELPER
#define MYDOCKER_LIB_TO_HELPER "../bin/mydocker-helper"
#endif

namespace mydocker::capi {

int SaveError(mydocker_error_t** errptr, const absl::Status& status) {
  if (status.ok()) return MYDOCKER_OK;
  int code = static_cast<int>(status.code());
  if (errptr != nullptr) {
    mydocker_error_free(*errptr);
    *errptr = nullptr;
    // Called from Guard's handlers too, so it must not throw: out of memory, the caller gets
    // the code without an error object.
    try {
      *errptr = new mydocker_error_t{code, ExitCodeOf(status), std::string(status.message())};
    } catch (...) {
    }
  }
  return code;
}

absl::Status Require(const void* p, const char* what) {
  if (p != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, " is NULL"));
}

namespace {

// ---- argument conversion -------------------------------------------------------------------

absl::StatusOr<std::string> Cpuset(const char* text) {
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<int> list, mydocker::ParseCpuset(text));
  return mydocker::FormatCpuset(list);
}

absl::StatusOr<mydocker::LinuxResources> ToResources(const mydocker_resources_t* in) {
  MYDOCKER_ASSIGN_OR_RETURN(mydocker_resources_t r, CopySized(in, "mydocker_resources_t"));
  mydocker::LinuxResources out;
  if (r.memory < 0 || r.memory_swap < -1 || r.pids_limit < -1 || r.cpus < 0) {
    return absl::InvalidArgumentError("negative resource limit");
  }
  if (r.memory != 0) out.memory.limit = r.memory;
  if (r.memory_swap != 0) out.memory.swap = r.memory_swap;
  if (r.cpus != 0) {
    MYDOCKER_ASSIGN_OR_RETURN(auto quota_period, mydocker::ParseCpus(absl::StrCat(r.cpus)));
    out.cpu.quota = quota_period.first;
    out.cpu.period = quota_period.second;
  }
  if (r.cpu_shares != 0) out.cpu.shares = r.cpu_shares;
  if (r.cpuset_cpus != nullptr && *r.cpuset_cpus != '\0') {
    MYDOCKER_ASSIGN_OR_RETURN(out.cpu.cpus, Cpuset(r.cpuset_cpus));
  }
  if (r.cpuset_mems != nullptr && *r.cpuset_mems != '\0') {
    MYDOCKER_ASSIGN_OR_RETURN(out.cpu.mems, Cpuset(r.cpuset_mems));
  }
  if (r.pids_limit != 0) out.pids.limit = r.pids_limit;
  MYDOCKER_RETURN_IF_ERROR(mydocker::SetCfsAndBlkio(r.cpus != 0, r.cpu_period, r.cpu_quota,
                                                    r.blkio_weight, out.cpu, out.block_io));
  return out;
}

absl::StatusOr<mydocker::HealthConfig> ToHealthConfig(const mydocker_healthcheck_t* in) {
  MYDOCKER_ASSIGN_OR_RETURN(mydocker_healthcheck_t h, CopySized(in, "mydocker_healthcheck_t"));
  mydocker::HealthConfig out;
  out.test = Strings(h.test);
  out.interval = absl::Nanoseconds(h.interval_ns);
  out.timeout = absl::Nanoseconds(h.timeout_ns);
  out.start_period = absl::Nanoseconds(h.start_period_ns);
  out.start_interval = absl::Nanoseconds(h.start_interval_ns);
  out.retries = h.retries;
  return out;  // checked with the image's by Create
}

bool IsEmpty(const mydocker::LinuxResources& r) {
  return !r.memory.limit && !r.memory.swap && !r.cpu.shares && !r.cpu.quota && !r.cpu.period &&
         r.cpu.cpus.empty() && r.cpu.mems.empty() && !r.pids.limit && !r.block_io.weight;
}

absl::StatusOr<mydocker::CreateOptions> ToCreateOptions(const mydocker_create_options_t* in) {
  MYDOCKER_RETURN_IF_ERROR(Require(in, "create options"));
  MYDOCKER_ASSIGN_OR_RETURN(mydocker_create_options_t o,
                            CopySized(in, "mydocker_create_options_t"));
  if (o.image == nullptr || *o.image == '\0') {
    return absl::InvalidArgumentError("create options: image is not set");
  }
  mydocker::CreateOptions out;
  out.image = o.image;
  out.name = Str(o.name);
  out.command = Strings(o.command);
  out.env = Strings(o.env);
  out.volumes = Strings(o.volumes);
  out.workdir = Str(o.workdir);
  out.hostname = Str(o.hostname);
  out.tty = o.tty != 0;
  out.open_stdin = o.open_stdin != 0;
  out.auto_remove = o.auto_remove != 0;
  out.cgroup_parent = Str(o.cgroup_parent);
  if (o.entrypoint != nullptr) out.entrypoint = Strings(o.entrypoint);
  out.stop_signal = Str(o.stop_signal);
  out.init = o.init != 0;
  if (o.restart_policy != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(out.restart_policy, mydocker::ParseRestartPolicy(o.restart_policy));
  }
  if (o.network != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(out.network, ToNetworkOptions(o.network));
  }
  if (o.resources != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(out.resources, ToResources(o.resources));
  }
  out.cap_add = Strings(o.cap_add);
  out.cap_drop = Strings(o.cap_drop);
  out.privileged = o.privileged != 0;
  out.mounts = Strings(o.mounts);
  out.tmpfs = Strings(o.tmpfs);
  out.read_only = o.read_only != 0;
  if (o.stop_timeout != nullptr) out.stop_timeout = *o.stop_timeout;
  if (o.healthcheck != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(out.healthcheck, ToHealthConfig(o.healthcheck));
  }
  out.log_driver = Str(o.log_driver);
  out.log_options = Strings(o.log_options);
  out.labels = Strings(o.labels);
  out.ulimits = Strings(o.ulimits);
  out.sysctls = Strings(o.sysctls);
  if (o.shm_size != 0) out.shm_size = o.shm_size;
  out.group_add = Strings(o.group_add);
  if (o.oom_score_adj != nullptr) out.oom_score_adj = *o.oom_score_adj;
  out.pid_mode = Str(o.pid_mode);
  out.ipc_mode = Str(o.ipc_mode);
  out.uts_mode = Str(o.uts_mode);
  out.volumes_from = Strings(o.volumes_from);
  if (!out.workdir.empty() && out.workdir[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("working directory \"", out.workdir, "\" is not an absolute path"));
  }
  return out;
}

absl::StatusOr<mydocker::StartOptions> ToStartOptions(const mydocker_start_options_t* in) {
  mydocker::StartOptions out;
  if (in == nullptr) return out;
  MYDOCKER_ASSIGN_OR_RETURN(mydocker_start_options_t o, CopySized(in, "mydocker_start_options_t"));
  out.attach = o.attach != 0;
  if (out.attach) out.stdio = {o.stdin_fd, o.stdout_fd, o.stderr_fd};
  if (o.console_height < 0 || o.console_width < 0 || o.console_height > 65535 ||
      o.console_width > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid terminal size ", o.console_height, "x", o.console_width));
  }
  if (o.console_height > 0 && o.console_width > 0) {
    out.console_size = mydocker::ConsoleSize{static_cast<uint16_t>(o.console_height),
                                             static_cast<uint16_t>(o.console_width)};
  }
  return out;
}

// ---- the helper binary ---------------------------------------------------------------------

std::string ResolveHelper(const char* option) {
  if (option != nullptr && *option != '\0') return option;
  const char* env = std::getenv("MYDOCKER_HELPER");
  if (env != nullptr && *env != '\0') return env;
  // The installed layout, then the build tree's (build/lib beside build/bin); the CLI holds
  // the helper's modes too, for a tree that has only it. Empty: the core falls back to the
  // build-time path.
  return mydocker::HelperBeside(
      reinterpret_cast<const void*>(&mydocker_version),
      {MYDOCKER_LIB_TO_HELPER, "../bin/mydocker-helper", "../bin/mydocker"});
}

// ---- containers ----------------------------------------------------------------------------

// The shape of the functions that give one string of a container (a name, a JSON view): the
// checks, `get`, and the copy the caller frees with mydocker_free.
int ContainerString(mydocker_container_t* container, char** out, const char* out_name,
                    mydocker_error_t** errptr,
                    const std::function<absl::StatusOr<std::string>(mydocker::Container&)>& get) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(out, out_name));
    MYDOCKER_ASSIGN_OR_RETURN(std::string value, get(*container->container));
    *out = CopyString(value);
    return absl::OkStatus();
  });
}

mydocker_container_t* NewHandle(mydocker_runtime_t* runtime, std::unique_ptr<Container> c) {
  auto* handle = new mydocker_container_t();
  handle->runtime = runtime;
  handle->container = std::move(c);
  return handle;
}

absl::Status Start(mydocker_container_t* c, const mydocker_start_options_t* options) {
  MYDOCKER_ASSIGN_OR_RETURN(mydocker::StartOptions start, ToStartOptions(options));
  MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Attachment> attachment, c->container->Start(start));
  std::lock_guard<std::mutex> lock(c->mu);
  c->attachment = std::move(attachment);
  c->reported_exit.reset();
  return absl::OkStatus();
}

std::shared_ptr<Attachment> CurrentAttachment(mydocker_container_t* c) {
  std::lock_guard<std::mutex> lock(c->mu);
  return c->attachment;
}

// Waits through the attachment of this handle's start. nullopt: there is none, or the monitor
// went away without reporting; the caller then waits on the record.
absl::StatusOr<std::optional<int>> WaitAttached(mydocker_container_t* c, int64_t timeout_ms,
                                                mydocker_cancel_t* cancel) {
  std::lock_guard<std::mutex> wait_lock(c->wait_mu);
  std::shared_ptr<Attachment> attachment;
  {
    std::lock_guard<std::mutex> lock(c->mu);
    if (c->reported_exit) return c->reported_exit;
    if (c->attachment == nullptr) return std::optional<int>();
    attachment = c->attachment;
  }
  struct pollfd pfd[2] = {{attachment->fd(), POLLIN, 0},
                          {cancel != nullptr ? cancel->event.get() : -1, POLLIN, 0}};
  int ready;
  do {
    ready = ::poll(
        pfd, 2, timeout_ms < 0 ? -1 : static_cast<int>(std::min<int64_t>(timeout_ms, INT32_MAX)));
  } while (ready < 0 && errno == EINTR);
  MYDOCKER_RETURN_IF_ERROR(CheckCancel(cancel, "wait"));
  if (ready == 0) {
    return absl::DeadlineExceededError(
        absl::StrCat("container ", mydocker::ShortId(c->container->id()), " is still running"));
  }
  auto code = attachment->Wait();
  std::lock_guard<std::mutex> lock(c->mu);
  if (c->attachment == attachment) c->attachment.reset();  // not if started again meanwhile
  if (!code.ok()) return std::optional<int>();
  c->reported_exit = *code;
  return c->reported_exit;
}

absl::Status Resize(mydocker_container_t* c, int height, int width) {
  if (height <= 0 || width <= 0 || height > 65535 || width > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid terminal size ", height, "x", width));
  }
  std::shared_ptr<Attachment> attachment = CurrentAttachment(c);
  if (attachment == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "container ", mydocker::ShortId(c->container->id()), " is not attached to this handle"));
  }
  return attachment->Resize({static_cast<uint16_t>(height), static_cast<uint16_t>(width)});
}

// How often a cancellable wait on the record (no attachment) looks at its token.
constexpr absl::Duration kCancelSlice = absl::Milliseconds(20);

absl::Status Wait(mydocker_container_t* c, int64_t timeout_ms, int* exit_code,
                  mydocker_cancel_t* cancel = nullptr) {
  MYDOCKER_RETURN_IF_ERROR(CheckCancel(cancel, "wait"));
  MYDOCKER_ASSIGN_OR_RETURN(std::optional<int> code, WaitAttached(c, timeout_ms, cancel));
  if (!code) {
    absl::Duration timeout =
        timeout_ms < 0 ? absl::InfiniteDuration() : absl::Milliseconds(timeout_ms);
    if (cancel == nullptr) {
      MYDOCKER_ASSIGN_OR_RETURN(code, c->container->Wait(timeout));
    } else {
      // The core's wait takes a deadline only: it is waited for in slices, the token looked
      // at between them.
      const absl::Time deadline = absl::Now() + timeout;
      for (;;) {
        MYDOCKER_RETURN_IF_ERROR(CheckCancel(cancel, "wait"));
        absl::StatusOr<std::optional<int>> slice =
            c->container->Wait(std::min(kCancelSlice, deadline - absl::Now()));
        if (!absl::IsDeadlineExceeded(slice.status()) || absl::Now() >= deadline) {
          MYDOCKER_ASSIGN_OR_RETURN(code, std::move(slice));
          break;
        }
      }
    }
  }
  if (exit_code != nullptr) *exit_code = code.value_or(-1);
  return absl::OkStatus();
}

// Reads the log; `streams` (MYDOCKER_LOG_STDOUT | MYDOCKER_LOG_STDERR) keeps what it names.
absl::Status Logs(mydocker_container_t* c, const mydocker::LogOptions& options, unsigned streams,
                  mydocker_log_fn fn, void* arg, const mydocker_cancel_t* cancel = nullptr) {
  MYDOCKER_RETURN_IF_ERROR(CheckCancel(cancel, "logs"));
  MYDOCKER_RETURN_IF_ERROR(c->container->Logs(options, [&](const mydocker::LogEntry& e) {
    if (cancel != nullptr && cancel->cancelled.load()) return false;
    const unsigned stream = e.stream == "stderr" ? MYDOCKER_LOG_STDERR : MYDOCKER_LOG_STDOUT;
    if ((streams & stream) == 0) return true;
    return fn(arg, static_cast<int>(stream), e.text.data(), e.text.size(),
              absl::ToUnixNanos(e.time)) == 0;
  }));
  return CheckCancel(cancel, "logs");
}

absl::Status LogsWithOptions(mydocker_container_t* c, const mydocker_logs_options_t* in,
                             mydocker_log_fn fn, void* arg) {
  mydocker_logs_options_t o;
  mydocker_logs_options_init(&o);
  if (in != nullptr) {
    MYDOCKER_ASSIGN_OR_RETURN(o, CopySized(in, "mydocker_logs_options_t"));
  }
  if ((o.streams & ~(MYDOCKER_LOG_STDOUT | MYDOCKER_LOG_STDERR)) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("logs options: unknown stream bits ", o.streams));
  }
  mydocker::LogOptions options;
  options.follow = o.follow != 0;
  if (o.tail != nullptr) {
    if (*o.tail < 0) return absl::InvalidArgumentError("logs options: tail is negative");
    options.tail = static_cast<size_t>(*o.tail);
  }
  MYDOCKER_ASSIGN_OR_RETURN(options.since,
                            OptionTime(o.since, "logs options: since", absl::InfinitePast()));
  MYDOCKER_ASSIGN_OR_RETURN(options.until,
                            OptionTime(o.until, "logs options: until", absl::InfiniteFuture()));
  if (o.cancel != nullptr) options.cancel_fd = o.cancel->event.get();
  const unsigned streams = o.streams == 0 ? MYDOCKER_LOG_STDOUT | MYDOCKER_LOG_STDERR : o.streams;
  return Logs(c, options, streams, fn, arg, o.cancel);
}

void FillStats(const mydocker::CgroupStats& s, mydocker_stats_t* out) {
  // Everything past what this library knows is zero for a newer caller.
  if (out->size > sizeof(mydocker_stats_t)) {
    std::memset(reinterpret_cast<unsigned char*>(out) + sizeof(mydocker_stats_t), 0,
                out->size - sizeof(mydocker_stats_t));
  }
  mydocker_stats_t full;
  std::memset(&full, 0, sizeof full);
  full.size = out->size;
  full.cpu_usage_ns = s.cpu_usage_ns;
  full.memory_usage = s.memory_usage;
  full.memory_limit = s.memory_limit ? static_cast<int64_t>(*s.memory_limit) : -1;
  full.pids_current = s.pids_current;
  full.pids_limit = s.pids_limit ? static_cast<int64_t>(*s.pids_limit) : -1;
  full.oom_kills = s.oom_kills;
  full.net_rx_bytes = s.net_rx_bytes;
  full.net_tx_bytes = s.net_tx_bytes;
  std::memcpy(out, &full, std::min(out->size, sizeof full));
}

std::string ListJson(const std::vector<mydocker::ContainerState>& states) {
  std::string out = "[";
  for (size_t i = 0; i < states.size(); ++i) {
    if (i > 0) out += ",";
    out += mydocker::StateToJson(states[i]);
  }
  return out + "]";
}

}  // namespace

absl::StatusOr<absl::Time> OptionTime(const char* value, const char* what, absl::Time if_unset) {
  if (value == nullptr || *value == '\0') return if_unset;
  absl::StatusOr<absl::Time> t = mydocker::ParseLogTime(value, absl::Now());
  if (!t.ok()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", t.status().message()));
  return t;
}

}  // namespace mydocker::capi

// ==== exported functions ====================================================================

// The wrappers below are written with the helpers above.
using namespace mydocker::capi;  // NOLINT(build/namespaces)
using mydocker::Container;
using mydocker::Runtime;

extern "C" {

const char* mydocker_version(void) { return MYDOCKER_VERSION; }

int mydocker_version_number(void) { return MYDOCKER_VERSION_NUMBER; }

int mydocker_features(char** json, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    *json = CopyString(mydocker::views::Features(
        {MYDOCKER_VERSION,
         absl::StrCat("MYDOCKER_", MYDOCKER_VERSION_MAJOR, ".", MYDOCKER_VERSION_MINOR)}));
    return absl::OkStatus();
  });
}

int mydocker_error_code(const mydocker_error_t* error) {
  return error != nullptr ? error->code : MYDOCKER_INVALID_ARGUMENT;
}

const char* mydocker_error_message(const mydocker_error_t* error) {
  return error != nullptr ? error->message.c_str() : "";
}

int mydocker_error_exit_code(const mydocker_error_t* error) {
  return error != nullptr ? error->exit_code : 125;
}

void mydocker_error_free(mydocker_error_t* error) { delete error; }

const char* mydocker_code_name(int code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  if (code < 0 || code >= static_cast<int>(sizeof kNames / sizeof kNames[0])) return "UNKNOWN";
  return kNames[code];
}

void mydocker_free(void* ptr) { std::free(ptr); }

int mydocker_runtime_open(const mydocker_runtime_options_t* options, mydocker_runtime_t** runtime,
                          mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime out-parameter"));
    mydocker_runtime_options_t o{};
    o.size = sizeof o;
    if (options != nullptr) {
      MYDOCKER_ASSIGN_OR_RETURN(o, CopySized(options, "mydocker_runtime_options_t"));
    }
    mydocker::RuntimeOptions core;
    core.root = Str(o.root);
    core.helper_path = ResolveHelper(o.helper_path);
    MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Runtime> rt, Runtime::Open(core));
    *runtime = new mydocker_runtime_t{std::move(rt)};
    return absl::OkStatus();
  });
}

void mydocker_runtime_close(mydocker_runtime_t* runtime) { delete runtime; }

const char* mydocker_runtime_root(const mydocker_runtime_t* runtime) {
  return runtime != nullptr ? runtime->runtime->options().root.c_str() : nullptr;
}

const char* mydocker_runtime_helper_path(const mydocker_runtime_t* runtime) {
  return runtime != nullptr ? runtime->runtime->options().helper_path.c_str() : nullptr;
}

int mydocker_image_import(mydocker_runtime_t* runtime, const char* tar_path, const char* ref,
                          char** image_id, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(tar_path, "tar path"));
    MYDOCKER_RETURN_IF_ERROR(Require(ref, "image reference"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::Image image,
                              runtime->runtime->images().Import(tar_path, ref));
    if (image_id != nullptr) *image_id = CopyString(image.id);
    return absl::OkStatus();
  });
}

int mydocker_image_list(mydocker_runtime_t* runtime, char** json, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(auto images, runtime->runtime->images().List());
    std::vector<std::string> views;
    for (const mydocker::Image& image : images)
      views.push_back(mydocker::views::ImageInspect(image, ""));
    *json = CopyString(mydocker::views::Array(views));
    return absl::OkStatus();
  });
}

int mydocker_image_remove(mydocker_runtime_t* runtime, const char* ref, int force,
                          mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(ref, "image reference"));
    return runtime->runtime->RemoveImage(ref, force != 0);
  });
}

int mydocker_image_get(mydocker_runtime_t* runtime, const char* ref, mydocker_image_t** image,
                       mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(ref, "image reference"));
    MYDOCKER_RETURN_IF_ERROR(Require(image, "image out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::Image found, runtime->runtime->images().Resolve(ref));
    MYDOCKER_ASSIGN_OR_RETURN(std::string config, runtime->runtime->images().ConfigJson(found));
    *image = new mydocker_image_t{std::move(found), std::move(config)};
    return absl::OkStatus();
  });
}

const char* mydocker_image_id(const mydocker_image_t* image) {
  return image != nullptr ? image->image.id.c_str() : nullptr;
}

int mydocker_image_inspect(const mydocker_image_t* image, char** json, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(image, "image"));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    *json = CopyString(mydocker::views::ImageInspect(image->image, image->config_json));
    return absl::OkStatus();
  });
}

void mydocker_image_destroy(mydocker_image_t* image) { delete image; }

int mydocker_container_create(mydocker_runtime_t* runtime, const mydocker_create_options_t* options,
                              mydocker_container_t** container, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::CreateOptions create, ToCreateOptions(options));
    MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Container> c, runtime->runtime->Create(create));
    *container = NewHandle(runtime, std::move(c));
    return absl::OkStatus();
  });
}

int mydocker_container_get(mydocker_runtime_t* runtime, const char* ref,
                           mydocker_container_t** container, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(ref, "container reference"));
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(std::unique_ptr<Container> c, runtime->runtime->Get(ref));
    *container = NewHandle(runtime, std::move(c));
    return absl::OkStatus();
  });
}

void mydocker_container_destroy(mydocker_container_t* container) { delete container; }

const char* mydocker_container_id(const mydocker_container_t* container) {
  return container != nullptr ? container->container->id().c_str() : nullptr;
}

int mydocker_container_start(mydocker_container_t* container,
                             const mydocker_start_options_t* options, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    return Start(container, options);
  });
}

int mydocker_container_run(mydocker_runtime_t* runtime,
                           const mydocker_create_options_t* create_options,
                           const mydocker_start_options_t* start_options,
                           mydocker_container_t** container, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::CreateOptions create, ToCreateOptions(create_options));
    // Before creating; its monitor then starts while the container is created (Runtime::Run).
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::StartOptions start, ToStartOptions(start_options));
    mydocker::Runtime::RunResult run = runtime->runtime->Run(create, start);
    if (run.container == nullptr) return run.started.status();
    std::unique_ptr<mydocker_container_t> handle(NewHandle(runtime, std::move(run.container)));
    if (!run.started.ok()) {
      handle->container->Remove(/*force=*/true, /*remove_volumes=*/true).IgnoreError();
      return run.started.status();
    }
    handle->attachment = *std::move(run.started);
    handle->reported_exit.reset();
    *container = handle.release();
    return absl::OkStatus();
  });
}

int mydocker_container_wait(mydocker_container_t* container, int64_t timeout_ms, int* exit_code,
                            mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    return Wait(container, timeout_ms, exit_code);
  });
}

int mydocker_container_wait_cancel(mydocker_container_t* container, int64_t timeout_ms,
                                   mydocker_cancel_t* cancel, int* exit_code,
                                   mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    return Wait(container, timeout_ms, exit_code, cancel);
  });
}

int mydocker_container_resize(mydocker_container_t* container, int height, int width,
                              mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    return Resize(container, height, width);
  });
}

int mydocker_container_kill(mydocker_container_t* container, int signal,
                            mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    if (signal <= 0 || signal >= 65) {
      return absl::InvalidArgumentError(absl::StrCat("invalid signal ", signal));
    }
    return container->container->Kill(signal);
  });
}

int mydocker_container_stop(mydocker_container_t* container, int timeout_seconds,
                            mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    std::optional<absl::Duration> timeout;
    if (timeout_seconds >= 0) timeout = absl::Seconds(timeout_seconds);
    return container->container->StopAsConfigured(timeout);
  });
}

int mydocker_container_remove(mydocker_container_t* container, int force,
                              mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    return container->container->Remove(force != 0);
  });
}

int mydocker_container_pause(mydocker_container_t* container, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    return container->container->Pause();
  });
}

int mydocker_container_remove_flags(mydocker_container_t* container, unsigned flags,
                                    mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    if ((flags & ~(MYDOCKER_REMOVE_FORCE | MYDOCKER_REMOVE_VOLUMES)) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("unknown remove flags ", flags));
    }
    return container->container->Remove((flags & MYDOCKER_REMOVE_FORCE) != 0,
                                        (flags & MYDOCKER_REMOVE_VOLUMES) != 0);
  });
}

int mydocker_container_restart(mydocker_container_t* container, int timeout_seconds,
                               mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    return container->container->Restart(absl::Seconds(timeout_seconds < 0 ? 10 : timeout_seconds));
  });
}

int mydocker_container_rename(mydocker_container_t* container, const char* new_name,
                              mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(new_name, "new name"));
    return container->container->Rename(new_name);
  });
}

int mydocker_container_name(mydocker_container_t* container, char** name,
                            mydocker_error_t** errptr) {
  return ContainerString(container, name, "name out-parameter", errptr,
                         [](mydocker::Container& c) -> absl::StatusOr<std::string> {
                           MYDOCKER_ASSIGN_OR_RETURN(mydocker::ContainerState s, c.State());
                           return s.name;
                         });
}

int mydocker_container_top(mydocker_container_t* container, char** json,
                           mydocker_error_t** errptr) {
  return ContainerString(container, json, "json out-parameter", errptr,
                         [](mydocker::Container& c) -> absl::StatusOr<std::string> {
                           MYDOCKER_ASSIGN_OR_RETURN(std::vector<mydocker::ProcessInfo> processes,
                                                     c.Top());
                           return mydocker::views::ProcessList(processes);
                         });
}

int mydocker_container_unpause(mydocker_container_t* container, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    return container->container->Unpause();
  });
}

int mydocker_container_update(mydocker_container_t* container,
                              const mydocker_resources_t* resources, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(resources, "resources"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::LinuxResources r, ToResources(resources));
    if (IsEmpty(r)) return absl::InvalidArgumentError("update: no resource limit is set");
    return container->container->Update(r);
  });
}

int mydocker_container_status(mydocker_container_t* container, int* status, int* pid,
                              mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(status, "status out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::ContainerState s, container->container->State());
    *status = static_cast<int>(s.status);
    if (pid != nullptr) *pid = s.IsActive() ? s.init.pid : 0;
    return absl::OkStatus();
  });
}

int mydocker_container_state(mydocker_container_t* container, char** json,
                             mydocker_error_t** errptr) {
  return ContainerString(container, json, "json out-parameter", errptr,
                         [](mydocker::Container& c) -> absl::StatusOr<std::string> {
                           MYDOCKER_ASSIGN_OR_RETURN(mydocker::ContainerState s, c.State());
                           return mydocker::StateToJson(s);
                         });
}

int mydocker_container_inspect(mydocker_container_t* container, char** json,
                               mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::ContainerState s, container->container->State());
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::ContainerConfig config, container->container->Config());
    *json = CopyString(mydocker::views::ContainerInspect(
        s, config, mydocker::views::JsonStyle::kCompact, container->container->Networks()));
    return absl::OkStatus();
  });
}

int mydocker_container_list(mydocker_runtime_t* runtime, int all, char** json,
                            mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(runtime, "runtime"));
    MYDOCKER_RETURN_IF_ERROR(Require(json, "json out-parameter"));
    MYDOCKER_ASSIGN_OR_RETURN(auto states, runtime->runtime->List(all != 0));
    *json = CopyString(ListJson(states));
    return absl::OkStatus();
  });
}

int mydocker_container_logs(mydocker_container_t* container, int follow, int64_t tail,
                            mydocker_log_fn fn, void* arg, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(reinterpret_cast<void*>(fn), "log callback"));
    mydocker::LogOptions options;
    options.follow = follow != 0;
    if (tail >= 0) options.tail = static_cast<size_t>(tail);
    return Logs(container, options, MYDOCKER_LOG_STDOUT | MYDOCKER_LOG_STDERR, fn, arg);
  });
}

int mydocker_container_logs_with_options(mydocker_container_t* container,
                                         const mydocker_logs_options_t* options, mydocker_log_fn fn,
                                         void* arg, mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(reinterpret_cast<void*>(fn), "log callback"));
    return LogsWithOptions(container, options, fn, arg);
  });
}

int mydocker_container_stats(mydocker_container_t* container, mydocker_stats_t* stats,
                             mydocker_error_t** errptr) {
  return Guard(errptr, [&]() -> absl::Status {
    MYDOCKER_RETURN_IF_ERROR(Require(container, "container"));
    MYDOCKER_RETURN_IF_ERROR(Require(stats, "stats out-parameter"));
    // An output struct: what the caller's buffer holds beyond what we know is not looked at.
    MYDOCKER_RETURN_IF_ERROR(
        CheckSize<mydocker_stats_t>(stats->size, /*in=*/nullptr, "mydocker_stats_t"));
    MYDOCKER_ASSIGN_OR_RETURN(mydocker::CgroupStats s, container->container->Stats());
    FillStats(s, stats);
    return absl::OkStatus();
  });
}

}  // extern "C"
