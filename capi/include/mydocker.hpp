/* mydocker.hpp: the C++17 API of libmydocker, header-only, over the stable C ABI (mydocker.h).
 *
 * RAII owns every handle; a failed call throws mydocker::api::Error, which carries the C
 * API's code, message and exit code (126 cannot invoke, 127 not found, 125 other). Callbacks
 * are std::function. Strings in, strings out; JSON results are the views mydocker_*_inspect
 * documents (parse them with the JSON library of your choice). See docs/cpp-api.md.
 *
 * Thread-safety: as the C API's. A Runtime may be shared by threads; a Container or Exec
 * object is used by one thread at a time. A Container must not outlive its Runtime.
 */
#ifndef MYDOCKER_HPP_
#define MYDOCKER_HPP_

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mydocker.h"

namespace mydocker::api {

/* A failed call: code() is a mydocker_code (MYDOCKER_NOT_FOUND, ...), what() its message,
 * exit_code() the exit status a CLI would report for it. */
class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& message, int exit_code)
      : std::runtime_error(message), code_(code), exit_code_(exit_code) {}
  int code() const noexcept { return code_; }
  /* "NOT_FOUND", "FAILED_PRECONDITION", ... */
  const char* code_name() const noexcept { return mydocker_code_name(code_); }
  int exit_code() const noexcept { return exit_code_; }

 private:
  int code_;
  int exit_code_;
};

namespace detail {

/* Calls a C function with a fresh error out-parameter (passed after the others), and throws
 * its error. The error object is read after the call and freed here, whatever happens. */
template <typename Fn, typename... Args>
void Call(Fn fn, Args... args) {
  mydocker_error_t* err = nullptr;
  if (fn(args..., &err) == MYDOCKER_OK) return;
  int code = mydocker_error_code(err);
  std::string message = mydocker_error_message(err) != nullptr ? mydocker_error_message(err) : "";
  int exit_code = mydocker_error_exit_code(err);
  mydocker_error_free(err);
  throw Error(code, message, exit_code);
}

/* A string the library allocated, copied and freed. */
inline std::string Take(char* s) {
  std::unique_ptr<char, void (*)(void*)> owned(s, &mydocker_free);
  return s != nullptr ? std::string(s) : std::string();
}

inline const char* OrNull(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

/* A NULL-terminated array of C strings viewing `values` (which must outlive it). */
class CStrings {
 public:
  CStrings() : ptrs_{nullptr} {}
  explicit CStrings(const std::vector<std::string>& values) {
    for (const std::string& v : values) ptrs_.push_back(v.c_str());
    ptrs_.push_back(nullptr);
  }
  const char* const* get() const { return ptrs_.size() > 1 ? ptrs_.data() : nullptr; }
  const char* const* list() const { return ptrs_.data(); } /* {NULL} when empty */

 private:
  std::vector<const char*> ptrs_;
};

/* A C wait function (handle, timeout_ms, &exit_code, errptr): the exit code, or nullopt when
 * the timeout passed first (MYDOCKER_DEADLINE_EXCEEDED is not an error here). */
template <typename Fn, typename Handle>
std::optional<int> WaitCall(Fn fn, Handle* handle,
                            std::optional<std::chrono::milliseconds> timeout) {
  int code = -1;
  try {
    Call(fn, handle, timeout ? static_cast<int64_t>(timeout->count()) : int64_t{-1}, &code);
  } catch (const Error& e) {
    if (e.code() == MYDOCKER_DEADLINE_EXCEEDED) return std::nullopt;
    throw;
  }
  return code;
}

}  // namespace detail

/* A cancellation token (mydocker_cancel_t): Cancel() from any thread ends the waits given it
 * (Container::Wait, ExecOptions::cancel, LogsOptions::cancel), which then throw Error with
 * code() MYDOCKER_CANCELLED; it stays cancelled. Must outlive the calls given it. Since 1.6. */
class CancelToken {
 public:
  CancelToken() : handle_(New(), &mydocker_cancel_destroy) {}
  void Cancel() noexcept { mydocker_cancel(handle_.get()); }
  bool cancelled() const noexcept { return mydocker_cancel_requested(handle_.get()) != 0; }
  mydocker_cancel_t* get() const noexcept { return handle_.get(); }

 private:
  static mydocker_cancel_t* New() {
    mydocker_cancel_t* token = nullptr;
    detail::Call(mydocker_cancel_create, &token);
    return token;
  }
  std::unique_ptr<mydocker_cancel_t, void (*)(mydocker_cancel_t*)> handle_;
};

/* Resource limits; zero leaves one unset (see mydocker_resources_t). */
struct Resources {
  int64_t memory = 0;      /* bytes */
  int64_t memory_swap = 0; /* memory + swap; -1 unlimited */
  double cpus = 0;         /* e.g. 1.5 */
  uint64_t cpu_shares = 0;
  std::string cpuset_cpus; /* "0-1,3" */
  std::string cpuset_mems;
  int64_t pids_limit = 0; /* -1 unlimited */
  /* --cpu-period, --cpu-quota (microseconds; not with cpus) and --blkio-weight. Since 1.7. */
  int64_t cpu_period = 0;
  int64_t cpu_quota = 0;
  int blkio_weight = 0;

  mydocker_resources_t ToC() const {
    mydocker_resources_t r;
    mydocker_resources_init(&r);
    r.memory = memory;
    r.memory_swap = memory_swap;
    r.cpus = cpus;
    r.cpu_shares = cpu_shares;
    r.cpuset_cpus = detail::OrNull(cpuset_cpus);
    r.cpuset_mems = detail::OrNull(cpuset_mems);
    r.pids_limit = pids_limit;
    r.cpu_period = cpu_period;
    r.cpu_quota = cpu_quota;
    r.blkio_weight = blkio_weight;
    return r;
  }
};

/* A container's network (see mydocker_network_options_t); empty means unset. Since 1.2. */
struct NetworkOptions {
  std::string mode;                 /* "bridge", a network's name, "none", "host", "container:ID" */
  std::vector<std::string> publish; /* -p specs */
  bool publish_all = false;         /* -P */
  std::vector<std::string> expose;
  std::string ip;
  std::string mac_address;
  std::vector<std::string> aliases;
  std::vector<std::string> add_hosts; /* "NAME:IP" */
  std::vector<std::string> dns, dns_search, dns_options;
};

/* A user network (see mydocker_network_create_options_t). Since 1.2. */
struct NetworkCreateOptions {
  std::string subnet;  /* CIDR; empty: a free one */
  std::string gateway; /* empty: the subnet's first address */
  bool internal = false;
  std::vector<std::string> labels; /* "KEY=VALUE" */
};

/* A health check (mydocker_healthcheck_t): zero durations and retries are the image's, then
 * Docker's defaults. Since 1.5. */
struct Healthcheck {
  /* {"CMD", arg...}, {"CMD-SHELL", command} or {"NONE"}; empty: the image's test. */
  std::vector<std::string> test;
  std::chrono::nanoseconds interval{0};
  std::chrono::nanoseconds timeout{0};
  std::chrono::nanoseconds start_period{0};
  std::chrono::nanoseconds start_interval{0};
  int retries = 0;
};

/* What a container is made of (see mydocker_create_options_t); empty means the default. */
struct CreateOptions {
  std::string image; /* required */
  std::string name;
  std::vector<std::string> command; /* empty: the image's */
  std::vector<std::string> env;     /* "KEY=VALUE" */
  std::vector<std::string> volumes; /* "/host:/ctr[:ro]", "name:/ctr", "/ctr" */
  std::string workdir;
  std::string hostname;
  bool tty = false;
  bool open_stdin = false;
  bool auto_remove = false;
  std::optional<Resources> resources;
  std::string cgroup_parent;
  /* nullopt: the image's ENTRYPOINT; else replaces it ({} clears it; see the C struct) */
  std::optional<std::vector<std::string>> entrypoint;
  std::string stop_signal;    /* empty: the image's STOPSIGNAL, else SIGTERM */
  bool init = false;          /* a minimal init as PID 1 */
  std::string restart_policy; /* "always", "on-failure:3", ...; empty: "no" */
  /* nullopt: its own namespace with only lo (the library's default). Since 1.2. */
  std::optional<NetworkOptions> network;
  /* --cap-add, --cap-drop ("NET_ADMIN", "ALL"), --privileged, --mount specs, --tmpfs specs
   * and --read-only. Since 1.4. */
  std::vector<std::string> cap_add, cap_drop;
  bool privileged = false;
  std::vector<std::string> mounts, tmpfs;
  bool read_only = false;
  /* --stop-timeout in seconds; nullopt: 10. Since 1.5. */
  std::optional<int> stop_timeout;
  /* --health-*; nullopt: the image's HEALTHCHECK. Since 1.5. */
  std::optional<Healthcheck> healthcheck;
  /* --log-driver ("local", "json-file", "none"; empty: "local") and --log-opt "KEY=VALUE".
   * Since 1.6. */
  std::string log_driver;
  std::vector<std::string> log_options;
  /* --label "KEY=VALUE" (or "KEY": an empty value), on top of the image's. Since 1.7. */
  std::vector<std::string> labels;
  /* --ulimit, --sysctl, --shm-size (bytes; 0: 64 MiB), --group-add and --oom-score-adj.
   * Since 1.7. */
  std::vector<std::string> ulimits, sysctls;
  int64_t shm_size = 0;
  std::vector<std::string> group_add;
  std::optional<int> oom_score_adj;
  /* --pid, --ipc, --uts ("host", "container:NAME", "shareable"); empty: its own. Since 1.7. */
  std::string pid_mode, ipc_mode, uts_mode;
  /* --volumes-from "CONTAINER[:ro|rw]". Since 1.8. */
  std::vector<std::string> volumes_from;
};

/* How a container is started. Detached by default; attached, the container's stdio are these
 * descriptors (-1: not connected). */
struct StartOptions {
  bool attach = false;
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  int console_height = 0;
  int console_width = 0;

  mydocker_start_options_t ToC() const {
    mydocker_start_options_t s;
    mydocker_start_options_init(&s);
    s.attach = attach ? 1 : 0;
    s.stdin_fd = stdin_fd;
    s.stdout_fd = stdout_fd;
    s.stderr_fd = stderr_fd;
    s.console_height = console_height;
    s.console_width = console_width;
    return s;
  }
};

/* A command to run in a running container (see mydocker_exec_options_t). */
struct ExecOptions {
  std::vector<std::string> args; /* required */
  std::vector<std::string> env;
  std::string workdir;
  std::string user;
  bool detach = false;
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool tty = false;        /* a terminal of the container (exec -t). Since 1.5. */
  std::string detach_keys; /* with tty and stdin_fd: "ctrl-p,ctrl-q" detaches. Since 1.5. */
  /* Cancelled: the command gets SIGTERM and RunExec / Exec::Wait throw MYDOCKER_CANCELLED.
   * Since 1.6. */
  const CancelToken* cancel = nullptr;
};

/* `logs` and its flags (mydocker_logs_options_t). Since 1.6. */
struct LogsOptions {
  bool follow = false;
  std::optional<int64_t> tail; /* nullopt: every line */
  std::string since;           /* Docker's --since: RFC 3339, Unix seconds or "10m"; empty: any */
  std::string until;
  bool stdout_lines = true; /* the streams read */
  bool stderr_lines = true;
  const CancelToken* cancel = nullptr; /* Cancelled: Logs throws MYDOCKER_CANCELLED */
};

/* The prunes' options (mydocker_prune_options_t). Since 1.9. */
struct PruneOptions {
  std::vector<std::string> filters; /* "until=24h", "label=K[=V]", "label!=K[=V]" */
  bool all = false;                 /* image and system prune: every unused image */
  bool volumes = false;             /* system prune: anonymous volumes too */
};

/* `events` options (mydocker_events_options_t). Since 1.9. */
struct EventsOptions {
  std::string since; /* Docker's --since: RFC 3339, Unix seconds or "10m"; empty: any */
  std::string until;
  std::vector<std::string> filters;    /* "type=container", "event=start", "container=web", ... */
  bool follow = false;                 /* then new events until `until` or `cancel` */
  const CancelToken* cancel = nullptr; /* Cancelled: Events throws MYDOCKER_CANCELLED */
};

/* How a client attaches to a running container (see mydocker_attach_options_t). Since 1.5. */
struct AttachOptions {
  int stdin_fd = -1; /* -1: no input */
  int stdout_fd = -1;
  int stderr_fd = -1;
  std::string detach_keys; /* Docker's format; empty: none */
};

/* One line of `diff` (mydocker_change_t). Since 1.5. */
struct Change {
  std::string path;
  int kind = 0; /* a mydocker_change_kind */
};

/* `commit`'s options (mydocker_commit_options_t). Since 1.5. */
struct CommitOptions {
  std::string ref; /* "name[:tag]"; empty: untagged */
  std::string comment;
  std::string author;
  std::vector<std::string> changes; /* Dockerfile instructions */
  bool pause = true;
};

enum class Status {
  kCreated = MYDOCKER_STATUS_CREATED,
  kRunning = MYDOCKER_STATUS_RUNNING,
  kPaused = MYDOCKER_STATUS_PAUSED,
  kStopped = MYDOCKER_STATUS_STOPPED,
};

struct Stats {
  uint64_t cpu_usage_ns = 0;
  uint64_t memory_usage = 0;
  int64_t memory_limit = -1; /* -1 unlimited */
  uint64_t pids_current = 0;
  int64_t pids_limit = -1;
  uint64_t oom_kills = 0;
  uint64_t net_rx_bytes = 0; /* since 1.2 */
  uint64_t net_tx_bytes = 0;
};

/* One line of a container's log: stream 1 (stdout) or 2 (stderr), the text with its newline,
 * the Unix time in nanoseconds it was written. Return false to stop reading. */
using LogFn = std::function<bool(int stream, std::string_view text, int64_t time_ns)>;

/* A command started by Container::StartExec, running while the caller goes on. */
class Exec {
 public:
  explicit Exec(mydocker_exec_t* handle) : handle_(handle, &mydocker_exec_destroy) {}

  void Signal(int signal) { detail::Call(mydocker_exec_signal, handle_.get(), signal); }
  /* Its exit code; nullopt if `timeout` passed first. Throws the error of a command that
   * could not be run (exit_code() 126 or 127). */
  std::optional<int> Wait(std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    return detail::WaitCall(mydocker_exec_wait, handle_.get(), timeout);
  }

 private:
  std::unique_ptr<mydocker_exec_t, void (*)(mydocker_exec_t*)> handle_;
};

/* A handle on one container; destroying it leaves the container as it is. */
class Container {
 public:
  explicit Container(mydocker_container_t* handle) : handle_(handle, &mydocker_container_destroy) {}

  std::string id() const { return mydocker_container_id(handle_.get()); }
  mydocker_container_t* get() const { return handle_.get(); }

  void Start(const StartOptions& options = {}) {
    mydocker_start_options_t start = options.ToC();
    detail::Call(mydocker_container_start, handle_.get(), &start);
  }
  /* The exit code once the container has ended and its resources are released (-1 if it is
   * not known); nullopt if `timeout` passed first. */
  std::optional<int> Wait(std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    return detail::WaitCall(mydocker_container_wait, handle_.get(), timeout);
  }
  /* The same, ended from another thread by `cancel` (throws Error MYDOCKER_CANCELLED). Since
   * 1.6. */
  std::optional<int> Wait(const CancelToken& cancel,
                          std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    int code = -1;
    try {
      detail::Call(mydocker_container_wait_cancel, handle_.get(),
                   timeout ? static_cast<int64_t>(timeout->count()) : int64_t{-1}, cancel.get(),
                   &code);
    } catch (const Error& e) {
      if (e.code() == MYDOCKER_DEADLINE_EXCEEDED) return std::nullopt;
      throw;
    }
    return code;
  }
  void Kill(int signal) { detail::Call(mydocker_container_kill, handle_.get(), signal); }
  void Stop(int timeout_seconds = 10) {
    detail::Call(mydocker_container_stop, handle_.get(), timeout_seconds);
  }
  /* `volumes`: also its anonymous volumes (docker rm -v). */
  void Remove(bool force = false, bool volumes = false) {
    unsigned flags =
        (force ? MYDOCKER_REMOVE_FORCE : 0u) | (volumes ? MYDOCKER_REMOVE_VOLUMES : 0u);
    detail::Call(mydocker_container_remove_flags, handle_.get(), flags);
  }
  void Restart(int timeout_seconds = 10) {
    detail::Call(mydocker_container_restart, handle_.get(), timeout_seconds);
  }
  void Rename(const std::string& new_name) {
    detail::Call(mydocker_container_rename, handle_.get(), new_name.c_str());
  }
  std::string name() {
    char* name = nullptr;
    detail::Call(mydocker_container_name, handle_.get(), &name);
    return detail::Take(name);
  }
  /* The processes, as a JSON array of {"pid", "ppid", "uid", "state", "cpuSeconds",
   * "command"}. */
  std::string Top() {
    char* json = nullptr;
    detail::Call(mydocker_container_top, handle_.get(), &json);
    return detail::Take(json);
  }
  void Pause() { detail::Call(mydocker_container_pause, handle_.get()); }
  void Unpause() { detail::Call(mydocker_container_unpause, handle_.get()); }
  void Update(const Resources& resources) {
    mydocker_resources_t r = resources.ToC();
    detail::Call(mydocker_container_update, handle_.get(), &r);
  }
  void Resize(int height, int width) {
    detail::Call(mydocker_container_resize, handle_.get(), height, width);
  }

  /* The status, reconciled with the kernel; *pid (optional) gets init's host pid or 0. */
  Status status(int* pid = nullptr) {
    int status = 0;
    detail::Call(mydocker_container_status, handle_.get(), &status, pid);
    return static_cast<Status>(status);
  }
  /* `docker inspect` of the container, as JSON. */
  std::string Inspect() {
    char* json = nullptr;
    detail::Call(mydocker_container_inspect, handle_.get(), &json);
    return detail::Take(json);
  }
  Stats stats() {
    mydocker_stats_t s;
    mydocker_stats_init(&s);
    detail::Call(mydocker_container_stats, handle_.get(), &s);
    return Stats{s.cpu_usage_ns, s.memory_usage, s.memory_limit, s.pids_current,
                 s.pids_limit,   s.oom_kills,    s.net_rx_bytes, s.net_tx_bytes};
  }
  /* `network connect [--ip IP] [--alias A]... NETWORK` of this container. Since 1.2. */
  void Connect(const std::string& network, const std::string& ip = "",
               const std::vector<std::string>& aliases = {}) {
    detail::CStrings list(aliases);
    detail::Call(mydocker_container_connect, handle_.get(), network.c_str(), detail::OrNull(ip),
                 list.get());
  }
  /* `network disconnect NETWORK` of this container. Since 1.2. */
  void Disconnect(const std::string& network) {
    detail::Call(mydocker_container_disconnect, handle_.get(), network.c_str());
  }

  /* Reads the log (the last `tail` lines, or all when negative); with `follow`, until the
   * container ends or `fn` returns false. An exception thrown by `fn` stops the reading and
   * propagates from here. */
  void Logs(const LogFn& fn, bool follow = false, int64_t tail = -1) {
    LogsOptions options;
    options.follow = follow;
    if (tail >= 0) options.tail = tail;
    Logs(fn, options);
  }
  /* Reads the log with every option of `logs`. Since 1.6. */
  void Logs(const LogFn& fn, const LogsOptions& options) {
    struct Context {
      const LogFn* fn;
      std::exception_ptr error;
    } context{&fn, nullptr};
    auto trampoline = [](void* arg, int stream, const char* data, size_t len,
                         int64_t time_ns) -> int {
      auto* c = static_cast<Context*>(arg);
      try {
        return (*c->fn)(stream, std::string_view(data, len), time_ns) ? 0 : 1;
      } catch (...) {
        c->error = std::current_exception();
        return 1;
      }
    };
    mydocker_logs_options_t o;
    mydocker_logs_options_init(&o);
    int64_t tail = options.tail.value_or(0);
    o.follow = options.follow ? 1 : 0;
    o.tail = options.tail ? &tail : nullptr;
    o.since = detail::OrNull(options.since);
    o.until = detail::OrNull(options.until);
    o.streams = (options.stdout_lines ? MYDOCKER_LOG_STDOUT : 0u) |
                (options.stderr_lines ? MYDOCKER_LOG_STDERR : 0u);
    if (o.streams == 0) return; /* neither stream: nothing to read */
    o.cancel = options.cancel != nullptr ? options.cancel->get() : nullptr;
    detail::Call(mydocker_container_logs_with_options, handle_.get(),
                 static_cast<const mydocker_logs_options_t*>(&o),
                 static_cast<mydocker_log_fn>(trampoline), static_cast<void*>(&context));
    if (context.error) std::rethrow_exception(context.error);
  }

  /* `attach`: relays until the container ends (its exit code) or the caller detaches (the
   * detach keys: nullopt; the container goes on). Since 1.5. */
  std::optional<int> Attach(const AttachOptions& options = {}) {
    mydocker_attach_options_t a;
    mydocker_attach_options_init(&a);
    a.stdin_fd = options.stdin_fd;
    a.stdout_fd = options.stdout_fd;
    a.stderr_fd = options.stderr_fd;
    a.detach_keys = detail::OrNull(options.detach_keys);
    int code = -1;
    try {
      detail::Call(mydocker_container_attach, handle_.get(), &a, &code);
    } catch (const Error& e) {
      if (e.code() == MYDOCKER_CANCELLED) return std::nullopt;
      throw;
    }
    return code;
  }
  /* `cp` out: `path` as a tar stream written to out_fd. Since 1.5. */
  void CopyFrom(const std::string& path, int out_fd, bool follow_link = false) {
    detail::Call(mydocker_container_copy_from, handle_.get(), path.c_str(), follow_link ? 1 : 0,
                 out_fd);
  }
  /* `cp` in: the tar stream read from in_fd unpacked into the directory `dir`. Since 1.5. */
  void CopyTo(const std::string& dir, int in_fd, bool keep_owner = false) {
    detail::Call(mydocker_container_copy_to, handle_.get(), dir.c_str(), keep_owner ? 1 : 0, in_fd);
  }
  /* `export`: the root file system as a tar stream written to out_fd. Since 1.5. */
  void Export(int out_fd) { detail::Call(mydocker_container_export, handle_.get(), out_fd); }
  /* `diff`: the changes against the image, sorted by path. Since 1.5. */
  std::vector<Change> Diff() {
    mydocker_change_t* changes = nullptr;
    size_t count = 0;
    detail::Call(mydocker_container_diff, handle_.get(), &changes, &count);
    std::unique_ptr<mydocker_change_t, void (*)(void*)> owned(changes, &mydocker_free);
    std::vector<Change> out;
    for (size_t i = 0; i < count; ++i) out.push_back(Change{changes[i].path, changes[i].kind});
    return out;
  }
  /* `commit`: returns the new image's id. Since 1.5. */
  std::string Commit(const CommitOptions& options = {}) {
    detail::CStrings changes(options.changes);
    mydocker_commit_options_t c;
    mydocker_commit_options_init(&c);
    c.ref = detail::OrNull(options.ref);
    c.comment = detail::OrNull(options.comment);
    c.author = detail::OrNull(options.author);
    c.changes = changes.get();
    c.no_pause = options.pause ? 0 : 1;
    char* id = nullptr;
    detail::Call(mydocker_container_commit, handle_.get(), &c, &id);
    return detail::Take(id);
  }
  /* `update --restart`. Since 1.5. */
  void UpdateRestartPolicy(const std::string& policy) {
    detail::Call(mydocker_container_update_restart_policy, handle_.get(), policy.c_str());
  }

  /* Runs a command in the running container and returns its exit code; throws Error with
   * exit_code() 126/127 when it cannot be run. */
  int RunExec(const ExecOptions& options) {
    ExecArgs c(options);
    int code = -1;
    detail::Call(mydocker_container_exec, handle_.get(), &c.options, &code);
    return code;
  }
  /* Starts a command and returns at once (options.detach must be false). */
  Exec StartExec(const ExecOptions& options) {
    ExecArgs c(options);
    mydocker_exec_t* exec = nullptr;
    detail::Call(mydocker_exec_start, handle_.get(), &c.options, &exec);
    return Exec(exec);
  }

 private:
  // The C view of ExecOptions, valid while `from` lives.
  struct ExecArgs {
    explicit ExecArgs(const ExecOptions& from) : args(from.args), env(from.env) {
      mydocker_exec_options_init(&options);
      options.args = args.get();
      options.env = env.get();
      options.workdir = detail::OrNull(from.workdir);
      options.user = detail::OrNull(from.user);
      options.detach = from.detach ? 1 : 0;
      options.stdin_fd = from.stdin_fd;
      options.stdout_fd = from.stdout_fd;
      options.stderr_fd = from.stderr_fd;
      options.tty = from.tty ? 1 : 0;
      options.detach_keys = detail::OrNull(from.detach_keys);
      options.cancel = from.cancel != nullptr ? from.cancel->get() : nullptr;
    }
    detail::CStrings args, env;
    mydocker_exec_options_t options;
  };

  std::unique_ptr<mydocker_container_t, void (*)(mydocker_container_t*)> handle_;
};

/* One progress event of a pull or push (mydocker_progress_t). Since 1.3. */
struct Progress {
  int kind = 0;       /* a mydocker_progress_kind */
  std::string status; /* Docker's words: "Downloading", "Pull complete", "Pushing", ... */
  std::string id;     /* the layer's short id; empty for MYDOCKER_PROGRESS_RESOLVED */
  int64_t current = 0;
  int64_t total = 0;
  std::string from; /* MYDOCKER_PROGRESS_MOUNTED: the source repository */
};

/* Called on the calling thread for each event; returning false (or throwing, the exception
 * then propagates from the call) cancels the transfer. Since 1.3. */
using ProgressFn = std::function<bool(const Progress&)>;

/* Options of Pull, Push and Login (mydocker_registry_options_t); empty strings are the
 * defaults. Since 1.3. */
struct RegistryOptions {
  std::string platform; /* pull: "os/arch[/variant]" */
  ProgressFn progress;
  std::string insecure_registries; /* empty: $MYDOCKER_INSECURE_REGISTRIES */
  std::string certs_dir;           /* empty: $MYDOCKER_CERTS_D, else /etc/mydocker/certs.d */
  std::string config_path;         /* empty: $MYDOCKER_CONFIG/config.json or ~/.mydocker/... */
};

namespace detail {

/* RegistryOptions as the C API takes them, relaying events to the std::function and keeping
 * an exception it threw for after the call. */
class ProgressRelay {
 public:
  explicit ProgressRelay(const RegistryOptions& o) : fn_(o.progress) {
    mydocker_registry_options_init(&options_);
    options_.platform = OrNull(o.platform);
    options_.insecure_registries = OrNull(o.insecure_registries);
    options_.certs_dir = OrNull(o.certs_dir);
    options_.config_path = OrNull(o.config_path);
    if (fn_) {
      options_.progress = &ProgressRelay::Relay;
      options_.progress_data = this;
    }
  }
  const mydocker_registry_options_t* get() const { return &options_; }
  /* Runs the C call `call(options)`; the callback's exception wins over the Cancelled error. */
  template <typename Call>
  void Run(Call&& call) {
    try {
      call(get());
    } catch (const Error&) {
      if (error_) std::rethrow_exception(error_);
      throw;
    }
  }

 private:
  static int Relay(const mydocker_progress_t* e, void* data) noexcept {
    auto* self = static_cast<ProgressRelay*>(data);
    try {
      Progress p{e->kind, e->status, e->id, e->current, e->total, e->from};
      return self->fn_(p) ? 0 : 1;
    } catch (...) {
      self->error_ = std::current_exception();
      return 1;
    }
  }
  ProgressFn fn_;
  mydocker_registry_options_t options_;
  std::exception_ptr error_;
};

}  // namespace detail

/* The runtime of one state root. Movable, not copyable; closes on destruction. */
class Runtime {
 public:
  /* `root` empty: $MYDOCKER_ROOT or /var/lib/mydocker; `helper` empty: see
   * mydocker_runtime_options_t. */
  static Runtime Open(const std::string& root = "", const std::string& helper = "") {
    mydocker_runtime_options_t options;
    mydocker_runtime_options_init(&options);
    options.root = detail::OrNull(root);
    options.helper_path = detail::OrNull(helper);
    mydocker_runtime_t* runtime = nullptr;
    detail::Call(mydocker_runtime_open, &options, &runtime);
    return Runtime(runtime);
  }

  std::string root() const { return mydocker_runtime_root(handle_.get()); }
  std::string helper_path() const { return mydocker_runtime_helper_path(handle_.get()); }
  mydocker_runtime_t* get() const { return handle_.get(); }

  /* Imports a root file system tarball as image `ref`; returns the image id. */
  std::string ImportImage(const std::string& tar_path, const std::string& ref) {
    char* id = nullptr;
    detail::Call(mydocker_image_import, handle_.get(), tar_path.c_str(), ref.c_str(), &id);
    return detail::Take(id);
  }
  /* `docker image inspect` of every image, as a JSON array. */
  std::string ListImages() {
    char* json = nullptr;
    detail::Call(mydocker_image_list, handle_.get(), &json);
    return detail::Take(json);
  }
  /* `docker image inspect` of one image, as JSON. */
  std::string InspectImage(const std::string& ref) {
    mydocker_image_t* image = nullptr;
    detail::Call(mydocker_image_get, handle_.get(), ref.c_str(), &image);
    std::unique_ptr<mydocker_image_t, void (*)(mydocker_image_t*)> owned(image,
                                                                         &mydocker_image_destroy);
    char* json = nullptr;
    detail::Call(mydocker_image_inspect, static_cast<const mydocker_image_t*>(image), &json);
    return detail::Take(json);
  }
  void RemoveImage(const std::string& ref, bool force = false) {
    detail::Call(mydocker_image_remove, handle_.get(), ref.c_str(), force ? 1 : 0);
  }
  /* `tag SOURCE TARGET`. Since 1.6. */
  void TagImage(const std::string& source, const std::string& target) {
    detail::Call(mydocker_image_tag, handle_.get(), source.c_str(), target.c_str());
  }
  /* `save`: the images as one tar written to out_fd. Since 1.6. */
  void SaveImages(const std::vector<std::string>& refs, int out_fd) {
    detail::CStrings list(refs);
    detail::Call(mydocker_image_save, handle_.get(), list.list(), out_fd);
  }
  /* `load -i PATH`: the loaded images as a JSON array of {"Id", "RepoTags"}. Since 1.6. */
  std::string LoadImages(const std::string& path) {
    char* json = nullptr;
    detail::Call(mydocker_image_load, handle_.get(), path.c_str(), &json);
    return detail::Take(json);
  }
  /* `history`: the steps, newest first, as a JSON array (mydocker_image_history). Since 1.6. */
  std::string ImageHistory(const std::string& ref) {
    char* json = nullptr;
    detail::Call(mydocker_image_history, handle_.get(), ref.c_str(), &json);
    return detail::Take(json);
  }

  /* `volume create [NAME]` (empty: a generated name): the volume as JSON. Since 1.6. */
  std::string CreateVolume(const std::string& name = "") {
    char* json = nullptr;
    detail::Call(mydocker_volume_create, handle_.get(), detail::OrNull(name), &json);
    return detail::Take(json);
  }
  /* `volume ls`, as a JSON array of `volume inspect` objects. Since 1.6. */
  std::string ListVolumes() {
    char* json = nullptr;
    detail::Call(mydocker_volume_list, handle_.get(), &json);
    return detail::Take(json);
  }
  /* `volume inspect NAME`, as a JSON object. Since 1.6. */
  std::string InspectVolume(const std::string& name) {
    char* json = nullptr;
    detail::Call(mydocker_volume_inspect, handle_.get(), name.c_str(), &json);
    return detail::Take(json);
  }
  /* `volume rm [-f] NAME`. Since 1.6. */
  void RemoveVolume(const std::string& name, bool force = false) {
    detail::Call(mydocker_volume_remove, handle_.get(), name.c_str(), force ? 1 : 0);
  }
  /* `volume prune [-a]`: the names removed, as a JSON array. Since 1.6. */
  std::string PruneVolumes(bool all = false) {
    char* json = nullptr;
    detail::Call(mydocker_volume_prune, handle_.get(), all ? 1 : 0, &json);
    return detail::Take(json);
  }
  /* `volume create [--label K=V]... [NAME]`: the volume as JSON. Since 1.9. */
  std::string CreateVolume(const std::string& name, const std::vector<std::string>& labels) {
    char* json = nullptr;
    detail::CStrings list(labels);
    detail::Call(mydocker_volume_create_with_labels, handle_.get(), detail::OrNull(name),
                 list.get(), &json);
    return detail::Take(json);
  }
  /* `volume ls --filter ...`, as a JSON array. Since 1.9. */
  std::string ListVolumes(const std::vector<std::string>& filters) {
    char* json = nullptr;
    detail::CStrings list(filters);
    detail::Call(mydocker_volume_list_filtered, handle_.get(), list.get(), &json);
    return detail::Take(json);
  }

  /* `container prune`, `image prune`, `network prune` and `system prune`: what was removed, as
   * the JSON object of mydocker_container_prune and the others. Since 1.9. */
  std::string PruneContainers(const PruneOptions& options = {}) {
    return Prune(mydocker_container_prune, options);
  }
  std::string PruneImages(const PruneOptions& options = {}) {
    return Prune(mydocker_image_prune, options);
  }
  std::string PruneNetworks(const PruneOptions& options) {
    return Prune(mydocker_network_prune_with_options, options);
  }
  std::string PruneSystem(const PruneOptions& options = {}) {
    return Prune(mydocker_system_prune, options);
  }
  /* `system df [-v]`, as the JSON object of mydocker_system_df. Since 1.9. */
  std::string DiskUsage(bool verbose = false) {
    char* json = nullptr;
    detail::Call(mydocker_system_df, handle_.get(), verbose ? 1 : 0, &json);
    return detail::Take(json);
  }
  /* `events`: each selected event's JSON to `fn` until it returns false (or, following, until
   * `until` passes or the token is cancelled). An exception thrown by `fn` stops the reading
   * and propagates from here. Since 1.9. */
  using EventFn = std::function<bool(std::string_view json)>;
  void Events(const EventFn& fn, const EventsOptions& options = {}) {
    struct Context {
      const EventFn* fn;
      std::exception_ptr error;
    } context{&fn, nullptr};
    auto trampoline = [](void* arg, const char* json, size_t len) -> int {
      auto* c = static_cast<Context*>(arg);
      try {
        return (*c->fn)(std::string_view(json, len)) ? 0 : 1;
      } catch (...) {
        c->error = std::current_exception();
        return 1;
      }
    };
    detail::CStrings filters(options.filters);
    mydocker_events_options_t o;
    mydocker_events_options_init(&o);
    o.since = detail::OrNull(options.since);
    o.until = detail::OrNull(options.until);
    o.filters = filters.get();
    o.follow = options.follow ? 1 : 0;
    o.cancel = options.cancel != nullptr ? options.cancel->get() : nullptr;
    detail::Call(mydocker_events, handle_.get(), static_cast<const mydocker_events_options_t*>(&o),
                 static_cast<mydocker_event_fn>(trampoline), static_cast<void*>(&context));
    if (context.error) std::rethrow_exception(context.error);
  }

  /* Pulls "NAME[:TAG|@DIGEST]"; returns the image id. Since 1.3. */
  std::string Pull(const std::string& ref, const RegistryOptions& options = {}) {
    char* id = nullptr;
    detail::ProgressRelay relay(options);
    relay.Run([&](const mydocker_registry_options_t* o) {
      detail::Call(mydocker_image_pull, handle_.get(), ref.c_str(), o, &id);
    });
    return detail::Take(id);
  }
  /* Pushes the image tagged "NAME[:TAG]"; returns the manifest's digest. Since 1.3. */
  std::string Push(const std::string& ref, const RegistryOptions& options = {}) {
    char* digest = nullptr;
    detail::ProgressRelay relay(options);
    relay.Run([&](const mydocker_registry_options_t* o) {
      detail::Call(mydocker_image_push, handle_.get(), ref.c_str(), o, &digest);
    });
    return detail::Take(digest);
  }
  /* Checks and stores credentials for `server` (empty: Docker Hub). Since 1.3. */
  void Login(const std::string& server, const std::string& username, const std::string& password,
             const RegistryOptions& options = {}) {
    detail::ProgressRelay relay(options);
    detail::Call(mydocker_login, handle_.get(), detail::OrNull(server), username.c_str(),
                 password.c_str(), relay.get());
  }
  /* Removes the credentials stored for `server`; NOT_FOUND when there were none. Since 1.3. */
  void Logout(const std::string& server, const RegistryOptions& options = {}) {
    detail::ProgressRelay relay(options);
    detail::Call(mydocker_logout, handle_.get(), detail::OrNull(server), relay.get());
  }

  Container Create(const CreateOptions& options) {
    CreateArgs c(options);
    mydocker_container_t* container = nullptr;
    detail::Call(mydocker_container_create, handle_.get(), &c.options, &container);
    return Container(container);
  }
  /* Create and start; a failed start removes the container again. */
  Container Run(const CreateOptions& options, const StartOptions& start = {}) {
    CreateArgs c(options);
    mydocker_start_options_t s = start.ToC();
    mydocker_container_t* container = nullptr;
    detail::Call(mydocker_container_run, handle_.get(), &c.options, &s, &container);
    return Container(container);
  }
  /* By name, full id or unique id prefix. */
  Container Get(const std::string& ref) {
    mydocker_container_t* container = nullptr;
    detail::Call(mydocker_container_get, handle_.get(), ref.c_str(), &container);
    return Container(container);
  }
  /* `network create`; returns the network's id. Since 1.2. */
  std::string CreateNetwork(const std::string& name, const NetworkCreateOptions& options = {}) {
    detail::CStrings labels(options.labels);
    mydocker_network_create_options_t o;
    mydocker_network_create_options_init(&o);
    o.subnet = detail::OrNull(options.subnet);
    o.gateway = detail::OrNull(options.gateway);
    o.internal = options.internal ? 1 : 0;
    o.labels = labels.get();
    char* id = nullptr;
    detail::Call(mydocker_network_create, handle_.get(), name.c_str(),
                 static_cast<const mydocker_network_create_options_t*>(&o), &id);
    return detail::Take(id);
  }
  /* `network inspect` of every network, as a JSON array. Since 1.2. */
  std::string ListNetworks() {
    char* json = nullptr;
    detail::Call(mydocker_network_list, handle_.get(), &json);
    return detail::Take(json);
  }
  /* `network inspect NETWORK`, as a JSON object. Since 1.2. */
  std::string InspectNetwork(const std::string& network) {
    char* json = nullptr;
    detail::Call(mydocker_network_inspect, handle_.get(), network.c_str(), &json);
    return detail::Take(json);
  }
  void RemoveNetwork(const std::string& network) {
    detail::Call(mydocker_network_remove, handle_.get(), network.c_str());
  }
  /* `network prune`: the names removed, as a JSON array. Since 1.2. */
  std::string PruneNetworks() {
    char* json = nullptr;
    detail::Call(mydocker_network_prune, handle_.get(), &json);
    return detail::Take(json);
  }

  /* The state records of the running and paused containers (all: of every container), as a
   * JSON array. */
  std::string ListContainers(bool all = false) {
    char* json = nullptr;
    detail::Call(mydocker_container_list, handle_.get(), all ? 1 : 0, &json);
    return detail::Take(json);
  }

 private:
  explicit Runtime(mydocker_runtime_t* runtime) : handle_(runtime, &mydocker_runtime_close) {}

  template <typename Fn>
  std::string Prune(Fn fn, const PruneOptions& options) {
    detail::CStrings filters(options.filters);
    mydocker_prune_options_t o;
    mydocker_prune_options_init(&o);
    o.filters = filters.get();
    o.all = options.all ? 1 : 0;
    o.volumes = options.volumes ? 1 : 0;
    char* json = nullptr;
    detail::Call(fn, handle_.get(), static_cast<const mydocker_prune_options_t*>(&o), &json);
    return detail::Take(json);
  }

  // The C view of CreateOptions, valid while `from` lives.
  struct CreateArgs {
    explicit CreateArgs(const CreateOptions& from)
        : command(from.command),
          env(from.env),
          volumes(from.volumes),
          entrypoint(from.entrypoint.value_or(std::vector<std::string>{})),
          cap_add(from.cap_add),
          cap_drop(from.cap_drop),
          mounts(from.mounts),
          tmpfs(from.tmpfs),
          log_options(from.log_options),
          labels(from.labels),
          ulimits(from.ulimits),
          sysctls(from.sysctls),
          group_add(from.group_add),
          volumes_from(from.volumes_from),
          oom_score_adj(from.oom_score_adj.value_or(0)),
          stop_timeout(from.stop_timeout.value_or(0)) {
      mydocker_create_options_init(&options);
      mydocker_resources_init(&resources);
      options.image = from.image.c_str();
      options.name = detail::OrNull(from.name);
      options.command = command.get();
      options.env = env.get();
      options.volumes = volumes.get();
      options.workdir = detail::OrNull(from.workdir);
      options.hostname = detail::OrNull(from.hostname);
      options.tty = from.tty ? 1 : 0;
      options.open_stdin = from.open_stdin ? 1 : 0;
      options.auto_remove = from.auto_remove ? 1 : 0;
      if (from.resources) {
        resources = from.resources->ToC();
        options.resources = &resources;
      }
      options.cgroup_parent = detail::OrNull(from.cgroup_parent);
      if (from.entrypoint) options.entrypoint = entrypoint.list();
      options.stop_signal = detail::OrNull(from.stop_signal);
      options.init = from.init ? 1 : 0;
      options.restart_policy = detail::OrNull(from.restart_policy);
      if (from.network) SetNetwork(*from.network);
      options.cap_add = cap_add.get();
      options.cap_drop = cap_drop.get();
      options.privileged = from.privileged ? 1 : 0;
      options.mounts = mounts.get();
      options.tmpfs = tmpfs.get();
      options.read_only = from.read_only ? 1 : 0;
      if (from.stop_timeout) options.stop_timeout = &stop_timeout;
      if (from.healthcheck) SetHealthcheck(*from.healthcheck);
      options.log_driver = detail::OrNull(from.log_driver);
      options.log_options = log_options.get();
      options.labels = labels.get();
      options.ulimits = ulimits.get();
      options.sysctls = sysctls.get();
      options.shm_size = from.shm_size;
      options.group_add = group_add.get();
      if (from.oom_score_adj) options.oom_score_adj = &oom_score_adj;
      options.pid_mode = detail::OrNull(from.pid_mode);
      options.ipc_mode = detail::OrNull(from.ipc_mode);
      options.uts_mode = detail::OrNull(from.uts_mode);
      options.volumes_from = volumes_from.get();
    }
    void SetHealthcheck(const Healthcheck& h) {
      health_test = detail::CStrings(h.test);
      mydocker_healthcheck_init(&healthcheck);
      healthcheck.test = health_test.get();
      healthcheck.interval_ns = static_cast<int64_t>(h.interval.count());
      healthcheck.timeout_ns = static_cast<int64_t>(h.timeout.count());
      healthcheck.start_period_ns = static_cast<int64_t>(h.start_period.count());
      healthcheck.start_interval_ns = static_cast<int64_t>(h.start_interval.count());
      healthcheck.retries = h.retries;
      options.healthcheck = &healthcheck;
    }
    void SetNetwork(const NetworkOptions& n) {
      publish = detail::CStrings(n.publish);
      expose = detail::CStrings(n.expose);
      aliases = detail::CStrings(n.aliases);
      add_hosts = detail::CStrings(n.add_hosts);
      dns = detail::CStrings(n.dns);
      dns_search = detail::CStrings(n.dns_search);
      dns_options = detail::CStrings(n.dns_options);
      mydocker_network_options_init(&network);
      network.mode = detail::OrNull(n.mode);
      network.publish = publish.get();
      network.publish_all = n.publish_all ? 1 : 0;
      network.expose = expose.get();
      network.ip = detail::OrNull(n.ip);
      network.mac_address = detail::OrNull(n.mac_address);
      network.aliases = aliases.get();
      network.add_hosts = add_hosts.get();
      network.dns = dns.get();
      network.dns_search = dns_search.get();
      network.dns_options = dns_options.get();
      options.network = &network;
    }
    detail::CStrings command, env, volumes, entrypoint;
    detail::CStrings cap_add, cap_drop, mounts, tmpfs, log_options, labels;
    detail::CStrings ulimits, sysctls, group_add, volumes_from;
    int oom_score_adj;
    int stop_timeout;
    detail::CStrings publish, expose, aliases, add_hosts, dns, dns_search, dns_options;
    detail::CStrings health_test;
    mydocker_healthcheck_t healthcheck;
    mydocker_resources_t resources;
    mydocker_network_options_t network;
    mydocker_create_options_t options;
  };

  std::unique_ptr<mydocker_runtime_t, void (*)(mydocker_runtime_t*)> handle_;
};

}  // namespace mydocker::api

#endif /* MYDOCKER_HPP_ */
