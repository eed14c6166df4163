/*
 * mydocker.h: the stable C interface of libmydocker (libmydocker.so.1).
 *
 * Conventions
 * -----------
 * Handles. Every object is an opaque pointer: mydocker_runtime_t (bound to one state root),
 * mydocker_image_t (a snapshot of one image's record), mydocker_container_t (one container of
 * a runtime), mydocker_exec_t (a command started in a container) and mydocker_error_t (a
 * failure). Functions that act on images take a reference or id string.
 * Objects are made by *_open / *_create / *_get / *_start and released by the matching
 * *_close / *_destroy / *_free; nothing else frees them. Container and exec handles must be
 * destroyed before the runtime they came from is closed; image handles are independent.
 *
 * Errors. A function that can fail returns an int: MYDOCKER_OK (0) on success, otherwise one
 * of the mydocker_code values below. Its last parameter is `mydocker_error_t** errptr`: when
 * it is not NULL and the call fails, *errptr receives a new error object carrying the same
 * code and a message (free it with mydocker_error_free). *errptr must be NULL or an earlier
 * error on entry; an earlier error is freed and replaced (by NULL only if memory for the new one
 * ran out). Pass NULL to get the code only.
 * Output parameters are written only on success. No C++ exception ever leaves the library.
 *
 * Strings. Arguments are NUL-terminated UTF-8, borrowed for the duration of the call. Strings
 * a function returns through a `char**` are allocated by the library and freed by the caller
 * with mydocker_free. A `const char*` return is owned by the object it came from and lives as
 * long as that object. String lists are NULL-terminated arrays (`const char* const*`).
 *
 * Growable structs. Option and result structs begin with a `size` field that the caller sets
 * to sizeof the struct it was compiled with (the *_INIT macros do), so fields can be added at
 * the end in later versions without breaking existing callers. A size smaller than the
 * struct's first version is MYDOCKER_INVALID_ARGUMENT. A larger one (a caller built against a
 * newer library) is read as openat2 reads its struct: the fields this library knows, and the
 * rest of an option struct must be zero (else MYDOCKER_INVALID_ARGUMENT: it asks for something
 * this library does not do); the rest of a result struct is zeroed. Zero means "not set" for
 * every field. C++ (where designated initializers draw warnings) and code that makes structs
 * at run time: the mydocker_*_init functions do what the *_INIT macros do. A struct zeroed
 * by hand has 0 in its descriptor fields, which is standard input, except in
 * mydocker_exec_options_t since 1.6 (see its `stdio_set`): use the init functions.
 *
 * Descriptors. File descriptors passed in are borrowed: the library duplicates what it keeps
 * and never closes the caller's. -1 means "not connected". A mydocker_exec_options_t zeroed
 * by hand (since 1.6) connects no descriptor at all: the *_INIT macro and init function set
 * its `stdio_set` flag, and without that flag a descriptor field of 0 means "not connected"
 * rather than standard input. (An explicit flag rather than "0 is none" for every struct: 0 is
 * a valid descriptor that callers built against 1.0-1.5 pass on purpose, and their binaries
 * must keep working unchanged; the flag lies beyond their struct size, so they keep the old
 * rule.) Writing to a pipe whose reader has
 * gone raises SIGPIPE in the writing process; the library does not change signal dispositions,
 * so a caller relaying exec output into pipes it may close should ignore SIGPIPE.
 *
 * Threads. A runtime may be shared by any number of threads; every function is safe to call
 * concurrently, including on the same container handle, except that a handle must not be
 * destroyed (or its runtime closed) while another thread still uses it. Containers belong to
 * their monitor processes, not to the calling process: a caller that exits or crashes never
 * leaks or orphans a container. The library never forks and runs code in the child; it starts
 * the helper binary (see mydocker_runtime_options_t.helper_path). It starts a thread only for
 * an exec handle (mydocker_exec_start), the upload threads of a push (3, joined before it
 * returns) and, during a pull, push or login, libcurl's name resolver threads; it installs no
 * signal handler.
 *
 * Privileges. Creating and running containers needs root (CAP_SYS_ADMIN and friends).
 */
#ifndef MYDOCKER_H_
#define MYDOCKER_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define MYDOCKER_EXPORT __attribute__((visibility("default")))
#else
#define MYDOCKER_EXPORT
#endif

/* The version this header belongs to: the library's (mydocker_version), whose major is the
 * SONAME's (libmydocker.so.1) and whose major.minor names the newest version node of its
 * symbols (MYDOCKER_1.11). */
#define MYDOCKER_VERSION_MAJOR 1
#define MYDOCKER_VERSION_MINOR 11
#define MYDOCKER_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH, as mydocker_version_number() gives it. */
#define MYDOCKER_VERSION_NUMBER \
  (MYDOCKER_VERSION_MAJOR * 10000 + MYDOCKER_VERSION_MINOR * 100 + MYDOCKER_VERSION_PATCH)

/* ---------------------------------------------------------------------------------------- */
/* Version and errors                                                                        */
/* ---------------------------------------------------------------------------------------- */

/* The library's version, "MAJOR.MINOR.PATCH". Static storage; thread-safe. */
MYDOCKER_EXPORT const char* mydocker_version(void);

/* The library's version as a number, MAJOR * 10000 + MINOR * 100 + PATCH (10100 for 1.1.0),
 * for comparisons at run time: `mydocker_version_number() >= 10100`. Since 1.1. */
MYDOCKER_EXPORT int mydocker_version_number(void);

/* Error codes. The values are those of absl::StatusCode (and gRPC), and never change. */
typedef enum mydocker_code {
  MYDOCKER_OK = 0,
  MYDOCKER_CANCELLED = 1,
  MYDOCKER_UNKNOWN = 2,
  MYDOCKER_INVALID_ARGUMENT = 3,  /* bad input: NULL where a value is required, bad option */
  MYDOCKER_DEADLINE_EXCEEDED = 4, /* a timeout passed */
  MYDOCKER_NOT_FOUND = 5,         /* no such container, image or file */
  MYDOCKER_ALREADY_EXISTS = 6,    /* e.g. a container name that is taken */
  MYDOCKER_PERMISSION_DENIED = 7,
  MYDOCKER_RESOURCE_EXHAUSTED = 8,
  MYDOCKER_FAILED_PRECONDITION = 9, /* wrong state, e.g. removing a running container */
  MYDOCKER_ABORTED = 10,
  MYDOCKER_OUT_OF_RANGE = 11,
  MYDOCKER_UNIMPLEMENTED = 12,
  MYDOCKER_INTERNAL = 13,    /* a bug, or an unexpected C++ exception */
  MYDOCKER_UNAVAILABLE = 14, /* e.g. the monitor died before reporting */
  MYDOCKER_DATA_LOSS = 15,
  MYDOCKER_UNAUTHENTICATED = 16 /* Since 1.3. A registry refused the credentials (or none) */
} mydocker_code;

/* A failure: a code and a message. */
typedef struct mydocker_error_t mydocker_error_t;

/* The code of `error` (MYDOCKER_INVALID_ARGUMENT if it is NULL). Thread-safe. */
MYDOCKER_EXPORT int mydocker_error_code(const mydocker_error_t* error);

/* The message, lowercase, naming the value involved. Owned by `error`; "" if it is NULL.
 * Thread-safe. */
MYDOCKER_EXPORT const char* mydocker_error_message(const mydocker_error_t* error);

/* The exit status a command-line tool should give for this failure, following Docker: 126
 * when a container's command cannot be invoked, 127 when it is not found, 125 otherwise.
 * Thread-safe. */
MYDOCKER_EXPORT int mydocker_error_exit_code(const mydocker_error_t* error);

/* Frees an error object; NULL is ignored. */
MYDOCKER_EXPORT void mydocker_error_free(mydocker_error_t* error);

/* The name of a code ("NOT_FOUND", ...); static storage, "UNKNOWN" for unknown values. */
MYDOCKER_EXPORT const char* mydocker_code_name(int code);

/* Frees a string (or other buffer) the library returned; NULL is ignored. */
MYDOCKER_EXPORT void mydocker_free(void* ptr);

/* What this library supports, as the JSON document of the OCI runtime spec's features
 * ("ociVersionMin", "ociVersionMax", "linux": {"namespaces", "cgroup", "seccomp": {"actions",
 * "operators", "archs"}, ...}) with the library's version and newest ABI node as annotations
 * ("io.mydocker.version", "io.mydocker.abi"). Free with mydocker_free. Since 1.1. */
MYDOCKER_EXPORT int mydocker_features(char** json, mydocker_error_t** errptr);

/* ---------------------------------------------------------------------------------------- */
/* Runtime                                                                                   */
/* ---------------------------------------------------------------------------------------- */

/* A runtime bound to one state root. */
typedef struct mydocker_runtime_t mydocker_runtime_t;

/* Options of mydocker_runtime_open. */
typedef struct mydocker_runtime_options_t {
  size_t size; /* sizeof(mydocker_runtime_options_t) */
  /* The state root, an absolute path. NULL: $MYDOCKER_ROOT, else /var/lib/mydocker. */
  const char* root;
  /* The binary that holds the monitor mode and the exec stub (mydocker-helper; the mydocker
   * CLI holds them too). NULL: $MYDOCKER_HELPER; else the mydocker-helper installed beside
   * this library (its path relative to the library is fixed at build time, so an installed
   * tree can be moved); else the path fixed at build time. mydocker_runtime_open checks that it
   * is an executable file (MYDOCKER_NOT_FOUND or MYDOCKER_PERMISSION_DENIED naming it). */
  const char* helper_path;
} mydocker_runtime_options_t;

#define MYDOCKER_RUNTIME_OPTIONS_INIT \
  { .size = sizeof(mydocker_runtime_options_t) }

/* What MYDOCKER_RUNTIME_OPTIONS_INIT gives, for C++ and for structs made at run time: zero, the
 * size this caller was compiled with. */
static inline void mydocker_runtime_options_init(mydocker_runtime_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Opens the runtime of a state root, creating its directories if needed. `options` may be
 * NULL for the defaults. On success *runtime receives a handle for mydocker_runtime_close.
 * Refused before anything is created: MYDOCKER_PERMISSION_DENIED ("mydocker needs root: this
 * process lacks CAP_SYS_ADMIN ...") for a caller without the capabilities a container's set-up
 * uses (rootless mode is not supported); MYDOCKER_UNIMPLEMENTED ("mydocker needs Linux 5.10 or
 * later ...") on a kernel without a system call mydocker needs. The storage driver comes from
 * $MYDOCKER_STORAGE_DRIVER, else is chosen from the state root's file system (README). */
MYDOCKER_EXPORT int mydocker_runtime_open(const mydocker_runtime_options_t* options,
                                          mydocker_runtime_t** runtime, mydocker_error_t** errptr);

/* Releases the handle; containers go on running. NULL is ignored. REQUIRES: every container
 * handle of this runtime was destroyed and no other thread uses the runtime. */
MYDOCKER_EXPORT void mydocker_runtime_close(mydocker_runtime_t* runtime);

/* The state root and the helper binary the runtime uses. Owned by the runtime; NULL if
 * `runtime` is NULL. Thread-safe. */
MYDOCKER_EXPORT const char* mydocker_runtime_root(const mydocker_runtime_t* runtime);
MYDOCKER_EXPORT const char* mydocker_runtime_helper_path(const mydocker_runtime_t* runtime);

/* ---------------------------------------------------------------------------------------- */
/* Images                                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* Imports a root file system tarball (plain, gzip, xz, ...) as a one-layer image tagged `ref`
 * ("name[:tag]", tag "latest" by default). On success, if `image_id` is not NULL, it receives
 * the image id ("sha256:...", free with mydocker_free). A failed import leaves nothing. */
MYDOCKER_EXPORT int mydocker_image_import(mydocker_runtime_t* runtime, const char* tar_path,
                                          const char* ref, char** image_id,
                                          mydocker_error_t** errptr);

/* Every image as a JSON array of `docker image inspect` objects, as mydocker_image_inspect
 * gives them (but "Config" holds only what mydocker reads from it: "Env", "Cmd", "Entrypoint",
 * "WorkingDir", "User", "ExposedPorts"). Free with mydocker_free. */
MYDOCKER_EXPORT int mydocker_image_list(mydocker_runtime_t* runtime, char** json,
                                        mydocker_error_t** errptr);

/* Removes the tag `ref` (or every tag, given an id) and, once no tag is left and no container
 * uses it, the image and its unshared layers. MYDOCKER_FAILED_PRECONDITION while a container
 * uses it, unless `force` (then it is untagged but kept until the container is gone). */
MYDOCKER_EXPORT int mydocker_image_remove(mydocker_runtime_t* runtime, const char* ref, int force,
                                          mydocker_error_t** errptr);

/* One image's record (id, tags, layers, run defaults) as it was when it was looked up. */
typedef struct mydocker_image_t mydocker_image_t;

/* Looks an image up by "name[:tag]", id ("sha256:..." or bare hex) or unique id prefix. On
 * success *image receives a handle for mydocker_image_destroy. */
MYDOCKER_EXPORT int mydocker_image_get(mydocker_runtime_t* runtime, const char* ref,
                                       mydocker_image_t** image, mydocker_error_t** errptr);

/* The image's id ("sha256:..."). Owned by the handle; NULL if `image` is NULL. Thread-safe. */
MYDOCKER_EXPORT const char* mydocker_image_id(const mydocker_image_t* image);

/* The image as `docker image inspect` shows it, a JSON object: "Id", "RepoTags", "Created",
 * "Author", "Architecture", "Os", "Size", "Config" (the image's run defaults as stored: "Env",
 * "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Labels", ...) and "RootFS"
 * ({"Type": "layers", "Layers": diff ids}). Free with mydocker_free. Thread-safe. */
MYDOCKER_EXPORT int mydocker_image_inspect(const mydocker_image_t* image, char** json,
                                           mydocker_error_t** errptr);

/* Releases the handle (not the image). NULL is ignored. */
MYDOCKER_EXPORT void mydocker_image_destroy(mydocker_image_t* image);

/* Since 1.6. `tag SOURCE TARGET`: the image `source` (reference, id or unique id prefix) is
 * also tagged `target` ("name[:tag]"), which leaves any image it named before. */
MYDOCKER_EXPORT int mydocker_image_tag(mydocker_runtime_t* runtime, const char* source,
                                       const char* target, mydocker_error_t** errptr);

/* Since 1.6. `save`: the images `refs` names (a NULL-terminated list of references or ids, at
 * least one) as one uncompressed tar written to `out_fd`, in both Docker's form
 * (manifest.json) and an OCI image layout (index.json), which mydocker_image_load and
 * `docker load` read. Every reference is resolved before anything is written. */
MYDOCKER_EXPORT int mydocker_image_save(mydocker_runtime_t* runtime, const char* const* refs,
                                        int out_fd, mydocker_error_t** errptr);

/* Since 1.6. `load -i PATH`: the images of a `docker save` archive or an OCI image layout (a
 * directory, or a tar of one; plain or compressed) at `path` ("/dev/stdin" and
 * "/proc/self/fd/N" read a descriptor). Every digest is verified before anything is stored; a
 * failed load stores nothing. On success, if `json` is not NULL, it receives the loaded images
 * as a JSON array of {"Id", "RepoTags"} (free with mydocker_free). */
MYDOCKER_EXPORT int mydocker_image_load(mydocker_runtime_t* runtime, const char* path, char** json,
                                        mydocker_error_t** errptr);

/* Since 1.6. `history`: the image's steps, newest first, as a JSON array of Docker's history
 * objects {"Id" (the image's for the newest step, else "<missing>"), "Created" (Unix seconds),
 * "CreatedBy", "Tags" (the image's tags on the newest step), "Size" (bytes of the step's
 * layer), "Comment"}; free with mydocker_free. */
MYDOCKER_EXPORT int mydocker_image_history(mydocker_runtime_t* runtime, const char* ref,
                                           char** json, mydocker_error_t** errptr);

/* ---------------------------------------------------------------------------------------- */
/* Registries: pull, push, login (since 1.3)                                                 */
/* ---------------------------------------------------------------------------------------- */

/* Since 1.3. What a progress event reports (see docs/registries.md). */
typedef enum mydocker_progress_kind {
  MYDOCKER_PROGRESS_RESOLVED = 1,          /* pull: the manifest is known; total = its layers */
  MYDOCKER_PROGRESS_ALREADY_EXISTS = 2,    /* pull: the layer is stored, not fetched */
  MYDOCKER_PROGRESS_WAITING = 3,           /* pull: to be downloaded ("Pulling fs layer") */
  MYDOCKER_PROGRESS_DOWNLOADING = 4,       /* pull: current of total bytes received */
  MYDOCKER_PROGRESS_DOWNLOAD_COMPLETE = 5, /* pull: size and digest verified */
  MYDOCKER_PROGRESS_EXTRACTING = 6,        /* pull: being unpacked */
  MYDOCKER_PROGRESS_PULL_COMPLETE = 7,     /* pull: unpacked, its diff id verified */
  MYDOCKER_PROGRESS_PREPARING = 8,         /* push: about to be sent */
  MYDOCKER_PROGRESS_LAYER_EXISTS = 9,      /* push: the registry has it (HEAD) */
  MYDOCKER_PROGRESS_MOUNTED = 10,          /* push: mounted from another repository (`from`) */
  MYDOCKER_PROGRESS_PUSHING = 11,          /* push: current of total bytes sent */
  MYDOCKER_PROGRESS_PUSHED = 12            /* push: sent */
} mydocker_progress_kind;

/* Since 1.3. One progress event of a pull or push, for one layer (or, RESOLVED, the image).
 * Every pointer is owned by the library and valid only during the callback. */
typedef struct mydocker_progress_t {
  size_t size;        /* sizeof the library's mydocker_progress_t: fields beyond it are absent */
  int kind;           /* a mydocker_progress_kind */
  const char* status; /* Docker's words: "Pulling fs layer", "Downloading", "Pull complete",
                         "Already exists", "Pushing", "Layer already exists", "Mounted from" */
  const char* id;     /* the layer: 12 hex digits of its blob's digest (push: of its diff id);
                       * "" for RESOLVED */
  int64_t current;    /* bytes received or sent so far (DOWNLOADING, PUSHING) */
  int64_t total;      /* the layer's bytes (its compressed size on a pull), or layers (RESOLVED) */
  const char* from;   /* MOUNTED: the repository it was mounted from; else "" */
} mydocker_progress_t;

/* Since 1.3. Called on the calling thread of the pull or push, for each event, in order. The
 * byte counts (DOWNLOADING, PUSHING) of a layer come at most every 100 ms, and always the
 * layer's last one (current == total); every other event always.
 * Returning nonzero cancels the transfer: the call then fails with MYDOCKER_CANCELLED, and a
 * cancelled pull stores nothing and leaves no temporary file. */
typedef int (*mydocker_progress_fn)(const mydocker_progress_t* event, void* user_data);

/* Since 1.3. Options of mydocker_image_pull, mydocker_image_push and mydocker_login. */
typedef struct mydocker_registry_options_t {
  size_t size;                   /* sizeof(mydocker_registry_options_t) */
  const char* platform;          /* pull: "os/arch[/variant]"; NULL: this machine's */
  mydocker_progress_fn progress; /* NULL: no events */
  void* progress_data;           /* passed to progress as user_data */
  /* Comma-separated "host[:port]" reachable over plain HTTP (loopback ones always are).
   * NULL: $MYDOCKER_INSECURE_REGISTRIES. */
  const char* insecure_registries;
  /* Per-registry CA certificates, <certs_dir>/<host[:port]>/ca.crt. NULL: $MYDOCKER_CERTS_D,
   * else /etc/mydocker/certs.d. */
  const char* certs_dir;
  /* The credentials file login writes and pull and push read (Docker's config.json form).
   * NULL: $MYDOCKER_CONFIG/config.json, else ~/.mydocker/config.json, as the CLI's. */
  const char* config_path;
} mydocker_registry_options_t;

#define MYDOCKER_REGISTRY_OPTIONS_INIT \
  { .size = sizeof(mydocker_registry_options_t) }

/* What MYDOCKER_REGISTRY_OPTIONS_INIT gives, for C++ and for structs made at run time. */
static inline void mydocker_registry_options_init(mydocker_registry_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Since 1.3. Pulls "NAME[:TAG|@DIGEST]" from its registry, as `mydocker pull` does: every blob
 * verified, layers already stored not fetched, 3 downloaded at once, nothing stored unless the
 * whole image is; records the tag and NAME@DIGEST. With the credentials stored for the
 * registry, if any. `options` may be NULL. On success, if `image_id` is not NULL, it receives
 * the image's id (free with mydocker_free). Threads may pull at once into the same state root;
 * a layer both fetch is stored once. MYDOCKER_CANCELLED when the progress callback asked. */
MYDOCKER_EXPORT int mydocker_image_pull(mydocker_runtime_t* runtime, const char* ref,
                                        const mydocker_registry_options_t* options, char** image_id,
                                        mydocker_error_t** errptr);

/* Since 1.3. Pushes the image tagged "NAME[:TAG]" to its registry, as `mydocker push` does:
 * blobs the registry has are skipped, a mount from another repository the image is tagged in
 * is tried, then the layers and the manifest. With the stored credentials. On success, if
 * `digest` is not NULL, it receives the manifest's digest (free with mydocker_free). */
MYDOCKER_EXPORT int mydocker_image_push(mydocker_runtime_t* runtime, const char* ref,
                                        const mydocker_registry_options_t* options, char** digest,
                                        mydocker_error_t** errptr);

/* Since 1.3. Checks `username` and `password` against `server` ("host[:port]"; NULL or "" for
 * Docker Hub) and, once the registry accepted them, stores them in the credentials file (mode
 * 0600, other entries kept), as `mydocker login` does. Refused: MYDOCKER_UNAUTHENTICATED with
 * Docker's message, "Get \"https://HOST/v2/\": unauthorized: ...", and nothing stored. */
MYDOCKER_EXPORT int mydocker_login(mydocker_runtime_t* runtime, const char* server,
                                   const char* username, const char* password,
                                   const mydocker_registry_options_t* options,
                                   mydocker_error_t** errptr);

/* Since 1.3. Removes the credentials stored for `server` (NULL or "" for Docker Hub).
 * MYDOCKER_NOT_FOUND when there were none. */
MYDOCKER_EXPORT int mydocker_logout(mydocker_runtime_t* runtime, const char* server,
                                    const mydocker_registry_options_t* options,
                                    mydocker_error_t** errptr);

/* ---------------------------------------------------------------------------------------- */
/* Cancellation (since 1.6)                                                                  */
/* ---------------------------------------------------------------------------------------- */

/* Since 1.6. A cancellation token: another thread cancels a blocking call it was given to
 * (mydocker_container_wait_cancel, mydocker_container_exec and mydocker_exec_wait through
 * mydocker_exec_options_t.cancel, mydocker_container_logs_with_options), which then returns
 * MYDOCKER_CANCELLED within milliseconds. Once cancelled it stays so: every later call given it
 * returns MYDOCKER_CANCELLED at once. One token may serve any number of calls at once. */
typedef struct mydocker_cancel_t mydocker_cancel_t;

/* Since 1.6. A new token, not cancelled; free it with mydocker_cancel_destroy. */
MYDOCKER_EXPORT int mydocker_cancel_create(mydocker_cancel_t** cancel, mydocker_error_t** errptr);

/* Since 1.6. Cancels every call waiting with `cancel` and every later one. Safe from any thread
 * (not from a signal handler); cancelling twice is harmless. NULL is ignored. */
MYDOCKER_EXPORT void mydocker_cancel(mydocker_cancel_t* cancel);

/* Since 1.6. 1 once mydocker_cancel was called on it, else 0 (and for NULL). */
MYDOCKER_EXPORT int mydocker_cancel_requested(const mydocker_cancel_t* cancel);

/* Since 1.6. Frees the token. NULL is ignored. REQUIRES: no call still uses it. */
MYDOCKER_EXPORT void mydocker_cancel_destroy(mydocker_cancel_t* cancel);

/* ---------------------------------------------------------------------------------------- */
/* Containers                                                                                */
/* ---------------------------------------------------------------------------------------- */

/* One container of a runtime, by id. Destroying the handle leaves the container as it is. */
typedef struct mydocker_container_t mydocker_container_t;

/* Resource limits, for creation and for mydocker_container_update. Zero leaves a limit unset
 * (create: no limit; update: unchanged), except that at creation a memory limit with
 * memory_swap 0 allows as much swap again (memory + swap = 2 x memory, Docker's default) where
 * the kernel limits swap; -1 leaves swap unlimited. */
typedef struct mydocker_resources_t {
  size_t size;             /* sizeof(mydocker_resources_t) */
  int64_t memory;          /* bytes (-m) */
  int64_t memory_swap;     /* memory + swap in bytes; -1 unlimited (--memory-swap) */
  double cpus;             /* number of CPUs, e.g. 1.5 (--cpus) */
  uint64_t cpu_shares;     /* relative weight (--cpu-shares) */
  const char* cpuset_cpus; /* e.g. "0-1,3" (--cpuset-cpus); NULL or "" unset */
  const char* cpuset_mems; /* (--cpuset-mems) */
  int64_t pids_limit;      /* -1 unlimited (--pids-limit) */
  /* Since 1.7. The CFS period and quota in microseconds (--cpu-period, --cpu-quota; a quota of
   * -1 is none), not with `cpus` (which sets both); and the block I/O weight, 10 to 1000
   * (--blkio-weight), where the host's I/O scheduler has one (else
   * MYDOCKER_FAILED_PRECONDITION). 0 leaves each unset. */
  int64_t cpu_period;
  int64_t cpu_quota;
  int blkio_weight;
} mydocker_resources_t;

#define MYDOCKER_RESOURCES_INIT \
  { .size = sizeof(mydocker_resources_t) }

/* What MYDOCKER_RESOURCES_INIT gives, for C++ and for structs made at run time: zero, the
 * size this caller was compiled with. */
static inline void mydocker_resources_init(mydocker_resources_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Options of mydocker_container_create and mydocker_container_run. */
/* Since 1.2. How a new container is networked: `run`'s --network and its companions (see
 * docs/networking.md). Lists are NULL-terminated; NULL and zero leave an option unset. */
typedef struct mydocker_network_options_t {
  size_t size;                    /* sizeof(mydocker_network_options_t) */
  const char* mode;               /* "bridge", a network's name, "none", "host", "container:ID" */
  const char* const* publish;     /* -p: "[IP:][HOSTPORT:]CONTAINERPORT[/tcp|udp]", ranges */
  int publish_all;                /* -P: every exposed port to a free host port */
  const char* const* expose;      /* --expose: "PORT[-END][/PROTO]" */
  const char* ip;                 /* --ip, inside the network's subnet */
  const char* mac_address;        /* --mac-address */
  const char* const* aliases;     /* --network-alias */
  const char* const* add_hosts;   /* --add-host "NAME:IP" */
  const char* const* dns;         /* --dns */
  const char* const* dns_search;  /* --dns-search */
  const char* const* dns_options; /* --dns-option */
} mydocker_network_options_t;

#define MYDOCKER_NETWORK_OPTIONS_INIT \
  { .size = sizeof(mydocker_network_options_t) }

/* What MYDOCKER_NETWORK_OPTIONS_INIT gives, for C++ and for structs made at run time. */
static inline void mydocker_network_options_init(mydocker_network_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Since 1.5. A health check (--health-cmd and companions; Docker's HealthConfig), run by the
 * container's monitor; its status is inspect's State.Health (see docs/health.md). Zero leaves a
 * field to the image's HEALTHCHECK, then Docker's default. Durations in nanoseconds: 0 or at
 * least 1 ms. */
typedef struct mydocker_healthcheck_t {
  size_t size; /* sizeof(mydocker_healthcheck_t) */
  /* {"CMD", arg, ..., NULL}, {"CMD-SHELL", command, NULL}, or {"NONE", NULL} to disable the
   * image's (--no-healthcheck); NULL: the image's test. */
  const char* const* test;
  int64_t interval_ns;       /* between probes (--health-interval); default 30 s */
  int64_t timeout_ns;        /* a probe running longer fails (--health-timeout); default 30 s */
  int64_t start_period_ns;   /* failures then do not count (--health-start-period); default 0 */
  int64_t start_interval_ns; /* between probes in the start period; default 5 s */
  int retries;               /* failures in a row that make it unhealthy; default 3 */
} mydocker_healthcheck_t;

#define MYDOCKER_HEALTHCHECK_INIT \
  { .size = sizeof(mydocker_healthcheck_t) }

/* What MYDOCKER_HEALTHCHECK_INIT gives, for C++ and for structs made at run time. */
static inline void mydocker_healthcheck_init(mydocker_healthcheck_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

typedef struct mydocker_create_options_t {
  size_t size;                           /* sizeof(mydocker_create_options_t) */
  const char* image;                     /* required: "name[:tag]" or id */
  const char* name;                      /* NULL: generated */
  const char* const* command;            /* NULL: the image's Entrypoint + Cmd */
  const char* const* env;                /* "KEY=VALUE", on top of the image's Env */
  const char* const* volumes;            /* -v specs: "/host:/ctr[:ro]", "name:/ctr", "/ctr" */
  const char* workdir;                   /* NULL: the image's, else "/" */
  const char* hostname;                  /* NULL: the first 12 digits of the id */
  int tty;                               /* give the container a pseudo-terminal (-t) */
  int open_stdin;                        /* relay the attached stdin (-i) */
  int auto_remove;                       /* remove the container when it ends (--rm) */
  const mydocker_resources_t* resources; /* NULL: no limits */
  const char* cgroup_parent;             /* NULL: "mydocker" */
  /* Since 1.1. Replaces the image's ENTRYPOINT (--entrypoint); NULL keeps it. A non-empty list
   * also drops the image's Cmd (Docker's rule); an empty one ({NULL}) clears the entrypoint and
   * keeps the image's Cmd. */
  const char* const* entrypoint;
  const char* stop_signal; /* Since 1.1. How stop ends it ("SIGQUIT"); NULL: the image's, SIGTERM */
  int init; /* Since 1.1. Nonzero: a minimal init as PID 1 that reaps and forwards signals */
  /* Since 1.2. Docker's restart policy (--restart): "no", "always", "unless-stopped",
   * "on-failure" or "on-failure:N"; NULL: "no". Carried out by the container's monitor; the
   * state's "restartCount" and inspect's "RestartCount" count the restarts. Not with
   * auto_remove. */
  const char* restart_policy;
  /* Since 1.2. Its network; NULL (or a NULL mode, as in 1.1) gives its own namespace with only
   * lo, the library's default. The CLI's default, as Docker's, is the "bridge" network. */
  const mydocker_network_options_t* network;
  /* Since 1.4. Capabilities added to and dropped from Docker's default set (--cap-add,
   * --cap-drop): "SYS_ADMIN", "cap_net_admin" (case and the CAP_ prefix do not matter), "ALL".
   * An unknown name is refused (MYDOCKER_INVALID_ARGUMENT). The default seccomp profile
   * follows the resulting set, as Docker's does (CAP_SYS_ADMIN allows mount, unshare, ...). */
  const char* const* cap_add;
  const char* const* cap_drop;
  /* Since 1.4. Nonzero (--privileged): every capability the runtime holds, every host device
   * in /dev with the device cgroup open, no seccomp filter, no masked or read-only paths and
   * /sys writable. */
  int privileged;
  /* Since 1.4. --mount specs ("type=bind,source=/srv,target=/srv,readonly",
   * "type=tmpfs,target=/run,tmpfs-size=64m", "type=volume,source=data,target=/data") and
   * --tmpfs specs ("/run:size=64m,mode=1777"; nosuid,nodev,noexec unless they say otherwise),
   * checked as Docker checks them; every target once ("Duplicate mount point"). */
  const char* const* mounts;
  const char* const* tmpfs;
  /* Since 1.4. Nonzero (--read-only): the root file system is read-only; /dev, /proc, /sys,
   * /dev/shm, volumes and tmpfs mounts stay as they are. */
  int read_only;
  /* Since 1.5. Seconds stop waits after the stop signal before SIGKILL (--stop-timeout); 0
   * kills at once. NULL: 10. */
  const int* stop_timeout;
  /* Since 1.5. Its health check, on top of the image's HEALTHCHECK; NULL: the image's. */
  const mydocker_healthcheck_t* healthcheck;
  /* Since 1.6. The log driver (--log-driver): "local" (the default: mydocker's compact
   * records), "json-file" (Docker's) or "none" (no log: reading it is
   * MYDOCKER_FAILED_PRECONDITION); and its options (--log-opt "KEY=VALUE": max-size, max-file,
   * compress=false; see docs/logs.md), each checked (MYDOCKER_INVALID_ARGUMENT). NULL: the
   * default driver, no options. Inspect shows them as HostConfig.LogConfig. */
  const char* log_driver;
  const char* const* log_options;
  /* Since 1.7. Labels (--label): "KEY=VALUE", or "KEY" for an empty value; a later one for a
   * key wins, and all are on top of the image's labels. An empty key is refused
   * (MYDOCKER_INVALID_ARGUMENT). Inspect shows them as Config.Labels. */
  const char* const* labels;
  /* Since 1.7. --ulimit "NAME=SOFT[:HARD]" with Docker's names ("nofile=1024:2048", "core=0",
   * -1 unlimited); a hard limit above the runtime's own needs CAP_SYS_RESOURCE. Exec's commands
   * get them too. */
  const char* const* ulimits;
  /* Since 1.7. --sysctl "NAME=VALUE": kernel parameters of the container's own namespaces only
   * (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.* with a network namespace of its
   * own, kernel.domainname); others are refused, as Docker and runc refuse them. */
  const char* const* sysctls;
  int64_t shm_size; /* Since 1.7. Bytes of /dev/shm (--shm-size); 0: 64 MiB */
  /* Since 1.7. --group-add: supplementary groups, names of the image's /etc/group or numbers. */
  const char* const* group_add;
  /* Since 1.7. --oom-score-adj, -1000 to 1000; NULL: the runtime's. Below the runtime's own
   * needs CAP_SYS_RESOURCE. */
  const int* oom_score_adj;
  /* Since 1.7. Namespaces (--pid, --ipc, --uts): "host"; "container:NAME" for PID and IPC (a
   * running container; for IPC one created "shareable"); IPC also "private" (the default) or
   * "shareable"; NULL: the container's own. --uts host is not with a hostname. */
  const char* pid_mode;
  const char* ipc_mode;
  const char* uts_mode;
  /* Since 1.8. --volumes-from "CONTAINER[:ro|rw]": the volumes and binds of other containers
   * (read-only with ":ro"); a volume or mount given here for the same path wins. The image's
   * VOLUMEs that nothing mounts get anonymous volumes holding the image's content there. */
  const char* const* volumes_from;
} mydocker_create_options_t;

#define MYDOCKER_CREATE_OPTIONS_INIT \
  { .size = sizeof(mydocker_create_options_t) }

/* What MYDOCKER_CREATE_OPTIONS_INIT gives, for C++ and for structs made at run time: zero, the
 * size this caller was compiled with. */
static inline void mydocker_create_options_init(mydocker_create_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Options of mydocker_container_start and mydocker_container_run. */
typedef struct mydocker_start_options_t {
  size_t size; /* sizeof(mydocker_start_options_t) */
  /* Nonzero: attached. The container's stdin (with open_stdin), stdout and stderr are the
   * descriptors below, which the monitor writes to directly; -1 leaves one unconnected
   * (0 is a valid descriptor, so MYDOCKER_START_OPTIONS_INIT sets all three to -1).
   * Zero: detached; the output goes only to the container's log. */
  int attach;
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;
  /* The initial terminal size of a tty container, in rows and columns; 0: the default. */
  int console_height;
  int console_width;
} mydocker_start_options_t;

#define MYDOCKER_START_OPTIONS_INIT \
  { .size = sizeof(mydocker_start_options_t), .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 }

/* What MYDOCKER_START_OPTIONS_INIT gives, for C++ and for structs made at run time: zero, the
 * size this caller was compiled with, and every descriptor -1 (not connected). */
static inline void mydocker_start_options_init(mydocker_start_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
  o->stdin_fd = -1;
  o->stdout_fd = -1;
  o->stderr_fd = -1;
}

/* Creates a container from an image: validates the options, records it (status "created")
 * and prepares its directories; nothing runs until mydocker_container_start. On success
 * *container receives a handle for mydocker_container_destroy. */
MYDOCKER_EXPORT int mydocker_container_create(mydocker_runtime_t* runtime,
                                              const mydocker_create_options_t* options,
                                              mydocker_container_t** container,
                                              mydocker_error_t** errptr);

/* A handle to an existing container, by name, full id or unique id prefix. */
MYDOCKER_EXPORT int mydocker_container_get(mydocker_runtime_t* runtime, const char* ref,
                                           mydocker_container_t** container,
                                           mydocker_error_t** errptr);

/* Releases the handle only: the container goes on under its monitor (an attached one then
 * writes its output only to its log, and its stdin sees end of file). NULL is ignored. */
MYDOCKER_EXPORT void mydocker_container_destroy(mydocker_container_t* container);

/* The container's full id (64 hex digits). Owned by the handle; NULL if `container` is NULL. */
MYDOCKER_EXPORT const char* mydocker_container_id(const mydocker_container_t* container);

/* Starts the container's command under a new monitor. `options` NULL: detached. Returns once
 * the command has been executed, or with the reason it could not (mydocker_error_exit_code:
 * 126 cannot invoke, 127 not found, 125 other). REQUIRES: status created or stopped. */
MYDOCKER_EXPORT int mydocker_container_start(mydocker_container_t* container,
                                             const mydocker_start_options_t* options,
                                             mydocker_error_t** errptr);

/* Create + start in one call. If the start fails, the container is removed again, so a failed
 * run leaves nothing behind. Follow with mydocker_container_wait for an attached run. */
MYDOCKER_EXPORT int mydocker_container_run(mydocker_runtime_t* runtime,
                                           const mydocker_create_options_t* create_options,
                                           const mydocker_start_options_t* start_options,
                                           mydocker_container_t** container,
                                           mydocker_error_t** errptr);

/* Blocks until the container has ended and its monitor has released its resources, or until
 * `timeout_ms` passes (negative: no limit; MYDOCKER_DEADLINE_EXCEEDED). If `exit_code` is not
 * NULL it receives the exit code (128+N when killed by signal N), or -1 when it is unknown
 * (the end was not observed) or the container never ran. Works for --rm containers started
 * through this handle even though their record is gone once they end. */
MYDOCKER_EXPORT int mydocker_container_wait(mydocker_container_t* container, int64_t timeout_ms,
                                            int* exit_code, mydocker_error_t** errptr);

/* Since 1.6. mydocker_container_wait that another thread can end early: MYDOCKER_CANCELLED
 * once `cancel` (NULL: none) is cancelled; the container goes on. */
MYDOCKER_EXPORT int mydocker_container_wait_cancel(mydocker_container_t* container,
                                                   int64_t timeout_ms, mydocker_cancel_t* cancel,
                                                   int* exit_code, mydocker_error_t** errptr);

/* Resizes the terminal of a tty container started (attached or not) through this handle.
 * MYDOCKER_FAILED_PRECONDITION if this handle did not start it or it has ended. */
MYDOCKER_EXPORT int mydocker_container_resize(mydocker_container_t* container, int height,
                                              int width, mydocker_error_t** errptr);

/* Sends `signal` to the container's init. MYDOCKER_FAILED_PRECONDITION if it is not running. */
MYDOCKER_EXPORT int mydocker_container_kill(mydocker_container_t* container, int signal,
                                            mydocker_error_t** errptr);

/* The container's stop signal (stop_signal, the image's STOPSIGNAL, else SIGTERM), then SIGKILL
 * after `timeout_seconds` (negative: the container's --stop-timeout, else 10). Returns once the
 * container has ended and its resources were released. OK if it is not running. */
MYDOCKER_EXPORT int mydocker_container_stop(mydocker_container_t* container, int timeout_seconds,
                                            mydocker_error_t** errptr);

/* Removes the container and everything it holds. MYDOCKER_FAILED_PRECONDITION while it runs,
 * unless `force` (which kills it first). The handle stays valid (for its id) and must still be
 * destroyed. */
MYDOCKER_EXPORT int mydocker_container_remove(mydocker_container_t* container, int force,
                                              mydocker_error_t** errptr);

/* Flags of mydocker_container_remove_flags. */
#define MYDOCKER_REMOVE_FORCE 1u   /* kill a running container first */
#define MYDOCKER_REMOVE_VOLUMES 2u /* also remove its anonymous volumes (docker rm -v) */

/* mydocker_container_remove with flags; an unknown flag is MYDOCKER_INVALID_ARGUMENT. Since
 * 1.1. */
MYDOCKER_EXPORT int mydocker_container_remove_flags(mydocker_container_t* container, unsigned flags,
                                                    mydocker_error_t** errptr);

/* stop (with `timeout_seconds`, negative: 10) then start, detached; a container run with
 * auto_remove is kept across it, as with Docker. Since 1.1. */
MYDOCKER_EXPORT int mydocker_container_restart(mydocker_container_t* container, int timeout_seconds,
                                               mydocker_error_t** errptr);

/* Renames the container; MYDOCKER_ALREADY_EXISTS if the name is taken. Since 1.1. */
MYDOCKER_EXPORT int mydocker_container_rename(mydocker_container_t* container, const char* new_name,
                                              mydocker_error_t** errptr);

/* The container's current name into *name (free with mydocker_free). Since 1.1. */
MYDOCKER_EXPORT int mydocker_container_name(mydocker_container_t* container, char** name,
                                            mydocker_error_t** errptr);

/* The processes of the running container as a JSON array of {"pid", "ppid", "uid", "state",
 * "cpuSeconds", "command"} (host pids, as `docker top` shows them); free with mydocker_free.
 * MYDOCKER_FAILED_PRECONDITION unless running or paused. Since 1.1. */
MYDOCKER_EXPORT int mydocker_container_top(mydocker_container_t* container, char** json,
                                           mydocker_error_t** errptr);

/* Freezes / thaws every process of the container. MYDOCKER_FAILED_PRECONDITION unless running
 * (pause) or paused (unpause). */
MYDOCKER_EXPORT int mydocker_container_pause(mydocker_container_t* container,
                                             mydocker_error_t** errptr);
MYDOCKER_EXPORT int mydocker_container_unpause(mydocker_container_t* container,
                                               mydocker_error_t** errptr);

/* Changes resource limits: at once for a running container, and for later starts. Fields left
 * zero are unchanged; MYDOCKER_INVALID_ARGUMENT if all are. */
MYDOCKER_EXPORT int mydocker_container_update(mydocker_container_t* container,
                                              const mydocker_resources_t* resources,
                                              mydocker_error_t** errptr);

/* What mydocker_container_status reports. */
typedef enum mydocker_status {
  MYDOCKER_STATUS_CREATED = 0,
  MYDOCKER_STATUS_RUNNING = 1,
  MYDOCKER_STATUS_PAUSED = 2,
  MYDOCKER_STATUS_STOPPED = 3,
  /* Since 1.2. Ended; its restart policy waits out the back-off to start it again. */
  MYDOCKER_STATUS_RESTARTING = 4
} mydocker_status;

/* The container's status, reconciled with the kernel (a process that is gone is stopped);
 * `pid` (optional) receives its init's host pid while running or paused, else 0. */
MYDOCKER_EXPORT int mydocker_container_status(mydocker_container_t* container, int* status,
                                              int* pid, mydocker_error_t** errptr);

/* The state record as a JSON object (id, name, image, status, pids, exit code, times, ...);
 * free with mydocker_free. */
MYDOCKER_EXPORT int mydocker_container_state(mydocker_container_t* container, char** json,
                                             mydocker_error_t** errptr);

/* The container as `docker inspect` shows it, a JSON object: "Id", "Created", "Path", "Args",
 * "State" ("Status", "Running", "Paused", "Restarting", "OOMKilled", "Pid", "ExitCode",
 * "StartedAt", ..., and "Health" ({"Status": "starting", "healthy" or "unhealthy",
 * "FailingStreak", "Log"}) with a health check), "RestartCount", "HostConfig" (with
 * "RestartPolicy"), "Image", "Name", "GraphDriver", "Config" ("Hostname", "Env", "Cmd",
 * "Image", "WorkingDir", "Tty", and when set "StopSignal", "StopTimeout", "Healthcheck") and
 * "Spec", the OCI-shaped configuration it runs with (the same views as the CLI's `inspect`).
 * Free with mydocker_free. */
MYDOCKER_EXPORT int mydocker_container_inspect(mydocker_container_t* container, char** json,
                                               mydocker_error_t** errptr);

/* Every container's state record as a JSON array; `all` zero keeps running and paused ones
 * only. Free with mydocker_free. */
MYDOCKER_EXPORT int mydocker_container_list(mydocker_runtime_t* runtime, int all, char** json,
                                            mydocker_error_t** errptr);

/* Receives one line of output: `stream` 1 (stdout) or 2 (stderr), `data` of `len` bytes (with
 * its newline, if the line had one; not NUL-terminated), `time_ns` the Unix time it was
 * written. Return 0 to go on, nonzero to stop reading. Called on the calling thread. */
typedef int (*mydocker_log_fn)(void* arg, int stream, const char* data, size_t len,
                               int64_t time_ns);

/* Reads the container's output from its log, in order. `tail` >= 0: only the last `tail`
 * lines; negative: all. `follow` nonzero: goes on until the container ends. */
MYDOCKER_EXPORT int mydocker_container_logs(mydocker_container_t* container, int follow,
                                            int64_t tail, mydocker_log_fn fn, void* arg,
                                            mydocker_error_t** errptr);

/* Since 1.6. Streams for mydocker_logs_options_t.streams. */
#define MYDOCKER_LOG_STDOUT 1u
#define MYDOCKER_LOG_STDERR 2u

/* Since 1.6. Options of mydocker_container_logs_with_options (`logs` and its flags). */
typedef struct mydocker_logs_options_t {
  size_t size; /* sizeof(mydocker_logs_options_t) */
  int follow;  /* nonzero (-f): goes on until the container ends */
  /* --tail: only the last *tail lines (before since/until and streams apply); NULL: all. */
  const int64_t* tail;
  /* --since and --until, Docker's values: an RFC 3339 time ("2026-12-06T10:00:00Z", a date
   * alone is midnight, no zone is local time), Unix seconds ("1700000000.5") or a duration
   * before now ("10m", "1h30m"); NULL or "": unbounded. A bad value is
   * MYDOCKER_INVALID_ARGUMENT, nothing read. */
  const char* since;
  const char* until;
  unsigned streams; /* MYDOCKER_LOG_STDOUT | MYDOCKER_LOG_STDERR; 0: both */
  /* Ends the read (a follow of a silent container too) from another thread:
   * MYDOCKER_CANCELLED. NULL: none. */
  mydocker_cancel_t* cancel;
} mydocker_logs_options_t;

#define MYDOCKER_LOGS_OPTIONS_INIT \
  { .size = sizeof(mydocker_logs_options_t) }

/* What MYDOCKER_LOGS_OPTIONS_INIT gives, for C++ and for structs made at run time. */
static inline void mydocker_logs_options_init(mydocker_logs_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Since 1.6. mydocker_container_logs with every option of `logs`; `options` may be NULL (all
 * lines, both streams). `fn` returning nonzero stops the read (MYDOCKER_OK). */
MYDOCKER_EXPORT int mydocker_container_logs_with_options(mydocker_container_t* container,
                                                         const mydocker_logs_options_t* options,
                                                         mydocker_log_fn fn, void* arg,
                                                         mydocker_error_t** errptr);

/* Options of mydocker_container_exec. */
typedef struct mydocker_exec_options_t {
  size_t size;             /* sizeof(mydocker_exec_options_t) */
  const char* const* args; /* required: the command and its arguments */
  const char* const* env;  /* "KEY=VALUE", on top of the container's environment */
  const char* workdir;     /* NULL: the container's working directory */
  const char* user;        /* "USER[:GROUP]", names or numbers; NULL: the container's */
  int detach;              /* nonzero: return (exit code 0) once the command started */
  int stdin_fd;            /* the caller's descriptors, relayed; -1 not connected */
  int stdout_fd;
  int stderr_fd;
  /* Since 1.5. Nonzero: the command gets a pseudo-terminal of the container (exec -t); stdin
   * is typed into it and stdout receives what it shows (stderr_fd is not used). */
  int tty;
  /* Since 1.5. With tty and stdin_fd: keys typed on stdin that detach the caller and leave the
   * command running, in Docker's format ("ctrl-p,ctrl-q", the default of `exec -it`); the call
   * then fails with MYDOCKER_CANCELLED (no exit code), the command's terminal is kept open and
   * its later output discarded. NULL or "": none. */
  const char* detach_keys;
  /* Since 1.6. Nonzero (MYDOCKER_EXEC_OPTIONS_INIT and mydocker_exec_options_init set it): the
   * three descriptor fields are taken as written, -1 not connected, 0 the caller's standard
   * input. Zero (a struct zeroed by hand, the usual C++ way): a descriptor field of 0 is not
   * connected either, so a zeroed struct never reads or writes descriptor 0; to connect
   * descriptor 0 use the init function (or set this to 1). A caller built against an older
   * header (a smaller size) gets the old rule: as written. */
  int stdio_set;
  /* Since 1.6. Cancels the exec from another thread: mydocker_container_exec (or
   * mydocker_exec_wait) then returns MYDOCKER_CANCELLED once the command was sent SIGTERM and
   * ended, or after 2 seconds its relay was stopped (as mydocker_exec_destroy does). NULL: none. */
  mydocker_cancel_t* cancel;
} mydocker_exec_options_t;

#define MYDOCKER_EXEC_OPTIONS_INIT                                                             \
  {                                                                                            \
    .size = sizeof(mydocker_exec_options_t), .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, \
    .stdio_set = 1                                                                             \
  }

/* What MYDOCKER_EXEC_OPTIONS_INIT gives, for C++ and for structs made at run time: zero, the
 * size this caller was compiled with, every descriptor -1 (not connected) and stdio_set. */
static inline void mydocker_exec_options_init(mydocker_exec_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
  o->stdin_fd = -1;
  o->stdout_fd = -1;
  o->stderr_fd = -1;
  o->stdio_set = 1;
}

/* Runs a command inside the running container (its namespaces, cgroup, root, environment and
 * capabilities) and blocks, relaying its stdio, until it ends. *exit_code (optional) receives
 * its exit code. A command that cannot be run fails with mydocker_error_exit_code 126/127.
 * MYDOCKER_FAILED_PRECONDITION if the container is not running or is paused. */
MYDOCKER_EXPORT int mydocker_container_exec(mydocker_container_t* container,
                                            const mydocker_exec_options_t* options, int* exit_code,
                                            mydocker_error_t** errptr);

/* A command started in a container by mydocker_exec_start, running while the caller goes on. */
typedef struct mydocker_exec_t mydocker_exec_t;

/* Starts a command in the running container like mydocker_container_exec, but returns at once
 * with a handle; the command runs (and its stdio is relayed) on a thread of the library until
 * it ends. `options->detach` must be 0. Failures to run the command (126/127) are reported by
 * mydocker_exec_wait. MYDOCKER_FAILED_PRECONDITION if the container is not running or is
 * paused. The handle is independent of `container` (which may be destroyed first) but not of
 * the runtime, which must stay open until mydocker_exec_destroy. */
MYDOCKER_EXPORT int mydocker_exec_start(mydocker_container_t* container,
                                        const mydocker_exec_options_t* options,
                                        mydocker_exec_t** exec, mydocker_error_t** errptr);

/* Delivers `signal` to the command. MYDOCKER_FAILED_PRECONDITION once it has ended. */
MYDOCKER_EXPORT int mydocker_exec_signal(mydocker_exec_t* exec, int signal,
                                         mydocker_error_t** errptr);

/* Blocks until the command ends or `timeout_ms` passes (negative: no limit;
 * MYDOCKER_DEADLINE_EXCEEDED); *exit_code (optional) receives its exit code. Returns the error
 * of a command that could not be run (mydocker_error_exit_code 126/127). May be called again. */
MYDOCKER_EXPORT int mydocker_exec_wait(mydocker_exec_t* exec, int64_t timeout_ms, int* exit_code,
                                       mydocker_error_t** errptr);

/* Releases the handle. A command still running is sent SIGTERM; if it has not ended 2 seconds
 * later, the relay is stopped (its helper is killed) and the command may go on inside the
 * container, like a process it started in the background. NULL is ignored. REQUIRES: no other
 * thread uses the handle. */
MYDOCKER_EXPORT void mydocker_exec_destroy(mydocker_exec_t* exec);

/* Resource usage, filled by mydocker_container_stats. */
typedef struct mydocker_stats_t {
  size_t size;           /* set by the caller: sizeof(mydocker_stats_t) */
  uint64_t cpu_usage_ns; /* cumulative CPU time */
  uint64_t memory_usage; /* bytes, without inactive file cache (like Docker) */
  int64_t memory_limit;  /* bytes; -1 unlimited */
  uint64_t pids_current;
  int64_t pids_limit; /* -1 unlimited */
  uint64_t oom_kills;
  uint64_t net_rx_bytes; /* Since 1.2. Received on its interfaces but lo (0: host, none) */
  uint64_t net_tx_bytes; /* Since 1.2. Sent on its interfaces but lo */
} mydocker_stats_t;

#define MYDOCKER_STATS_INIT \
  { .size = sizeof(mydocker_stats_t) }

/* What MYDOCKER_STATS_INIT gives, for C++ and for structs made at run time: zero, the
 * size this caller was compiled with. */
static inline void mydocker_stats_init(mydocker_stats_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Resource usage from the container's cgroup into *stats (whose size the caller sets; only
 * that many bytes are written). MYDOCKER_FAILED_PRECONDITION unless running or paused. */
MYDOCKER_EXPORT int mydocker_container_stats(mydocker_container_t* container,
                                             mydocker_stats_t* stats, mydocker_error_t** errptr);

/* ---------------------------------------------------------------------------------------- */
/* Attach, files, commit (since 1.5)                                                         */
/* ---------------------------------------------------------------------------------------- */

/* Since 1.5. Receives output of an attached container: `stream` 1 (stdout) or 2 (stderr),
 * `data` of `len` bytes as the container wrote them (not NUL-terminated). Return 0 to go on,
 * nonzero to detach. Called on the calling thread of mydocker_container_attach. */
typedef int (*mydocker_output_fn)(void* arg, int stream, const char* data, size_t len);

/* Since 1.5. Options of mydocker_container_attach. */
typedef struct mydocker_attach_options_t {
  size_t size;   /* sizeof(mydocker_attach_options_t) */
  int stdin_fd;  /* relayed to the container's stdin (only if created with open_stdin); -1 none */
  int stdout_fd; /* the container's output, unless `output` is set; -1 dropped */
  int stderr_fd;
  /* Keys read on stdin_fd that detach, in Docker's format ("ctrl-p,ctrl-q"), for a container
   * with a terminal; NULL or "": none. */
  const char* detach_keys;
  mydocker_output_fn output; /* NULL: stdout_fd and stderr_fd */
  void* output_arg;          /* passed to output as arg */
} mydocker_attach_options_t;

#define MYDOCKER_ATTACH_OPTIONS_INIT \
  { .size = sizeof(mydocker_attach_options_t), .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 }

/* What MYDOCKER_ATTACH_OPTIONS_INIT gives, for C++ and for structs made at run time. */
static inline void mydocker_attach_options_init(mydocker_attach_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
  o->stdin_fd = -1;
  o->stdout_fd = -1;
  o->stderr_fd = -1;
}

/* Since 1.5. Attaches to the running container's streams through its monitor (`attach`), as
 * any number of other clients may at once: every one gets all the output, input comes from
 * any, and a client that does not read is dropped rather than holding the container. Blocks
 * until the container ends (*exit_code, optional, receives its code) or the caller detaches
 * (detach keys, or `output` returned nonzero): MYDOCKER_CANCELLED, the container goes on.
 * MYDOCKER_FAILED_PRECONDITION unless it is running (Docker's messages). `options` may be NULL
 * (no input, output dropped: waits for the end). */
MYDOCKER_EXPORT int mydocker_container_attach(mydocker_container_t* container,
                                              const mydocker_attach_options_t* options,
                                              int* exit_code, mydocker_error_t** errptr);

/* Since 1.5. `cp CONTAINER:PATH -`: writes `path` (resolved inside the container's root: a
 * symlink never leads out; a running container's volumes included) as an uncompressed tar
 * stream to `out_fd`, its root entry named after the base name of `path` (its contents only
 * if it ends in "/."). `follow_link` nonzero (-L) copies what a final symlink points to.
 * MYDOCKER_NOT_FOUND with Docker's message when it is missing. Running or stopped. */
MYDOCKER_EXPORT int mydocker_container_copy_from(mydocker_container_t* container, const char* path,
                                                 int follow_link, int out_fd,
                                                 mydocker_error_t** errptr);

/* Since 1.5. `cp - CONTAINER:DIR`: unpacks the tar stream (plain or compressed) read from
 * `in_fd` to its end into the existing directory `dir` inside the container's root: entries
 * replace files of the same name, directories merge; owners become root's unless `keep_owner`
 * (-a), modes are kept. Absolute names, ".." and links out of the directory are refused
 * (MYDOCKER_INVALID_ARGUMENT). Running or stopped. */
MYDOCKER_EXPORT int mydocker_container_copy_to(mydocker_container_t* container, const char* dir,
                                               int keep_owner, int in_fd,
                                               mydocker_error_t** errptr);

/* Since 1.5. `export`: the container's root file system (image and changes; no volume, bind
 * mount or kernel file system) as an uncompressed tar stream to `out_fd`. */
MYDOCKER_EXPORT int mydocker_container_export(mydocker_container_t* container, int out_fd,
                                              mydocker_error_t** errptr);

/* Since 1.5. What mydocker_change_t.kind says (Docker's numbers). */
typedef enum mydocker_change_kind {
  MYDOCKER_CHANGE_MODIFIED = 0, /* C: exists in the image (a directory holding changes, too) */
  MYDOCKER_CHANGE_ADDED = 1,    /* A */
  MYDOCKER_CHANGE_DELETED = 2   /* D */
} mydocker_change_kind;

/* Since 1.5. One line of `diff`. */
typedef struct mydocker_change_t {
  const char* path; /* absolute, inside the container */
  int kind;         /* a mydocker_change_kind */
} mydocker_change_t;

/* Since 1.5. `diff`: the container's changes against its image, sorted by path, into
 * *changes (an array of *count entries; NULL when there are none) allocated as one block with
 * its strings: free it with mydocker_free. */
MYDOCKER_EXPORT int mydocker_container_diff(mydocker_container_t* container,
                                            mydocker_change_t** changes, size_t* count,
                                            mydocker_error_t** errptr);

/* Since 1.5. Options of mydocker_container_commit. */
typedef struct mydocker_commit_options_t {
  size_t size;                /* sizeof(mydocker_commit_options_t) */
  const char* ref;            /* "name[:tag]"; NULL or "": untagged */
  const char* comment;        /* -m: the history entry's comment */
  const char* author;         /* -a */
  const char* const* changes; /* -c: Dockerfile instructions (CMD, ENTRYPOINT, ENV, EXPOSE,
                                 LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL, HEALTHCHECK) */
  int no_pause;               /* nonzero (-p=false): a running container is not frozen */
} mydocker_commit_options_t;

#define MYDOCKER_COMMIT_OPTIONS_INIT \
  { .size = sizeof(mydocker_commit_options_t) }

/* What MYDOCKER_COMMIT_OPTIONS_INIT gives, for C++ and for structs made at run time. */
static inline void mydocker_commit_options_init(mydocker_commit_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Since 1.5. `commit`: a new image of the container's changes on top of its image, recording
 * its configuration (Env, Cmd, Entrypoint, WorkingDir, User, StopSignal, Healthcheck) and then
 * `changes`, as Docker does. A running container is frozen meanwhile unless no_pause. Changes
 * are checked first (MYDOCKER_INVALID_ARGUMENT, nothing done). On success, if `image_id` is not
 * NULL, it receives the image's id (free with mydocker_free). `options` may be NULL. */
MYDOCKER_EXPORT int mydocker_container_commit(mydocker_container_t* container,
                                              const mydocker_commit_options_t* options,
                                              char** image_id, mydocker_error_t** errptr);

/* Since 1.5. `update --restart`: the restart policy ("no", "always", "unless-stopped",
 * "on-failure", "on-failure:N") its monitor applies from the next end of its process on.
 * MYDOCKER_INVALID_ARGUMENT for a bad policy or a container created with auto_remove. */
MYDOCKER_EXPORT int mydocker_container_update_restart_policy(mydocker_container_t* container,
                                                             const char* policy,
                                                             mydocker_error_t** errptr);

/* ---------------------------------------------------------------------------------------- */
/* Volumes (since 1.6): `mydocker volume ...`                                                */
/* ---------------------------------------------------------------------------------------- */

/* A volume is shown as `volume inspect` shows it, a JSON object: {"Name", "Driver" ("local"),
 * "Mountpoint" (its directory on the host), "CreatedAt", "Anonymous" (made for a `-v /path`
 * of a container), "Scope" ("local")}. */

/* Since 1.6. `volume create [NAME]`: makes the volume, or finds the one of that name (as
 * Docker does); NULL or "": a generated name. If `json` is not NULL it receives the volume
 * (free with mydocker_free). MYDOCKER_INVALID_ARGUMENT for a name Docker refuses. */
MYDOCKER_EXPORT int mydocker_volume_create(mydocker_runtime_t* runtime, const char* name,
                                           char** json, mydocker_error_t** errptr);

/* Since 1.6. `volume ls`: every volume, as a JSON array; free with mydocker_free. */
MYDOCKER_EXPORT int mydocker_volume_list(mydocker_runtime_t* runtime, char** json,
                                         mydocker_error_t** errptr);

/* Since 1.6. `volume inspect NAME`; MYDOCKER_NOT_FOUND for an unknown name. */
MYDOCKER_EXPORT int mydocker_volume_inspect(mydocker_runtime_t* runtime, const char* name,
                                            char** json, mydocker_error_t** errptr);

/* Since 1.6. `volume rm [-f] NAME`: the volume and its content. MYDOCKER_FAILED_PRECONDITION
 * while a container uses it, unless `force`; MYDOCKER_NOT_FOUND for an unknown name. */
MYDOCKER_EXPORT int mydocker_volume_remove(mydocker_runtime_t* runtime, const char* name, int force,
                                           mydocker_error_t** errptr);

/* Since 1.6. `volume prune [-a]`: removes every anonymous volume no container uses (with `all`
 * nonzero, named ones too); if `json` is not NULL it receives the removed names as a JSON
 * array (free with mydocker_free). */
MYDOCKER_EXPORT int mydocker_volume_prune(mydocker_runtime_t* runtime, int all, char** json,
                                          mydocker_error_t** errptr);

/* Since 1.9. `volume create [--label K=V]... [NAME]`: mydocker_volume_create with labels
 * ("KEY=VALUE" or "KEY", NULL-terminated; NULL: none), which a new volume gets (an existing one
 * keeps its own, as in Docker). The volume's JSON has them as "Labels". MYDOCKER_INVALID_ARGUMENT
 * naming a bad label, nothing made. */
MYDOCKER_EXPORT int mydocker_volume_create_with_labels(mydocker_runtime_t* runtime,
                                                       const char* name, const char* const* labels,
                                                       char** json, mydocker_error_t** errptr);

/* Since 1.9. `volume ls --filter ...`: the volumes `filters` select, as a JSON array (free with
 * mydocker_free). Filters are Docker's "KEY=VALUE" strings, NULL-terminated (NULL: none):
 * dangling=true|false (no container uses it), name=NAME (an expression found in the name),
 * driver=local, label=KEY or label=KEY=VALUE. A bad filter is MYDOCKER_INVALID_ARGUMENT naming
 * it ("invalid filter 'size'"). */
MYDOCKER_EXPORT int mydocker_volume_list_filtered(mydocker_runtime_t* runtime,
                                                  const char* const* filters, char** json,
                                                  mydocker_error_t** errptr);

/* ---------------------------------------------------------------------------------------- */
/* Housekeeping (since 1.9): prune, `system df`, events                                      */
/* ---------------------------------------------------------------------------------------- */

/* Options of the prunes. */
typedef struct mydocker_prune_options_t {
  size_t size; /* sizeof(mydocker_prune_options_t) */
  /* Docker's prune filters, "KEY=VALUE" strings, NULL-terminated (NULL: none): until=TIME
   * (created before it: RFC 3339, Unix seconds or a duration before now such as "24h"),
   * label=KEY[=VALUE] (has the label), label!=KEY[=VALUE] (has not). Several labels must all
   * match. A bad filter is MYDOCKER_INVALID_ARGUMENT naming it, nothing removed. */
  const char* const* filters;
  int all;     /* image and system prune (-a): every image no container uses, not only untagged */
  int volumes; /* system prune (--volumes): anonymous volumes no container uses too */
} mydocker_prune_options_t;

#define MYDOCKER_PRUNE_OPTIONS_INIT \
  { .size = sizeof(mydocker_prune_options_t) }

/* What MYDOCKER_PRUNE_OPTIONS_INIT gives, for C++ and for structs made at run time. */
static inline void mydocker_prune_options_init(mydocker_prune_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Since 1.9. `container prune`: removes every container that is not running, paused or
 * restarting (and that the filters select). `options` may be NULL. If `json` is not NULL it
 * receives what went as the Engine API answers, {"ContainersDeleted": [ids], "SpaceReclaimed":
 * bytes} (free with mydocker_free). A container started or removed meanwhile is simply not
 * pruned. */
MYDOCKER_EXPORT int mydocker_container_prune(mydocker_runtime_t* runtime,
                                             const mydocker_prune_options_t* options, char** json,
                                             mydocker_error_t** errptr);

/* Since 1.9. `image prune [-a]`: removes every untagged image no container uses (`all`: every
 * image no container uses). *json (if not NULL): {"ImagesDeleted": [{"Untagged": REF} or
 * {"Deleted": ID}, ...], "SpaceReclaimed": bytes of the layers that went}. */
MYDOCKER_EXPORT int mydocker_image_prune(mydocker_runtime_t* runtime,
                                         const mydocker_prune_options_t* options, char** json,
                                         mydocker_error_t** errptr);

/* Since 1.9. `network prune --filter ...`: mydocker_network_prune with filters. *json (if not
 * NULL): {"NetworksDeleted": [names], "SpaceReclaimed": 0}. */
MYDOCKER_EXPORT int mydocker_network_prune_with_options(mydocker_runtime_t* runtime,
                                                        const mydocker_prune_options_t* options,
                                                        char** json, mydocker_error_t** errptr);

/* Since 1.9. `system prune [-a] [--volumes]`: containers, networks, with `volumes` anonymous
 * volumes (filters do not apply to them, as in Docker), then images. *json (if not NULL):
 * {"ContainersDeleted", "NetworksDeleted", "VolumesDeleted", "ImagesDeleted",
 * "SpaceReclaimed"} as above. On a failure half-way what was removed stays removed. */
MYDOCKER_EXPORT int mydocker_system_prune(mydocker_runtime_t* runtime,
                                          const mydocker_prune_options_t* options, char** json,
                                          mydocker_error_t** errptr);

/* Since 1.9. `system df [-v]`: *json receives {"LayersSize", "Summary": [{"Type" ("Images",
 * "Containers", "Local Volumes", "Build Cache"), "TotalCount", "Active", "Size",
 * "Reclaimable"}]} (sizes in bytes; layers shared by images count once); with `verbose`
 * nonzero also the Engine API's lists: "Images" [{"Id", "RepoTags", "Created", "Size",
 * "Containers"}], "Containers" [{"Id", "Names", "Image", "ImageID", "Command", "Created",
 * "State", "Status", "SizeRw"}], "Volumes" [{"Name", "Driver", "Mountpoint", "Labels",
 * "UsageData": {"Size", "RefCount"}}], "BuildCache" []. Free with mydocker_free. */
MYDOCKER_EXPORT int mydocker_system_df(mydocker_runtime_t* runtime, int verbose, char** json,
                                       mydocker_error_t** errptr);

/* Options of mydocker_events. */
typedef struct mydocker_events_options_t {
  size_t size; /* sizeof(mydocker_events_options_t) */
  /* Events at or after `since` and at or before `until`: Docker's values as for logs (RFC
   * 3339, Unix seconds, or a duration before now such as "10m"); NULL or "": unbounded (every
   * event the journal still holds; it keeps about the last 1-2 MiB). A bad value is
   * MYDOCKER_INVALID_ARGUMENT naming it. */
  const char* since;
  const char* until;
  /* Docker's events filters, "KEY=VALUE", NULL-terminated (NULL: none): type (container,
   * image, volume, network), event (an action: create, start, die, ...), container, image,
   * label, volume, network. Values of one key are alternatives; different keys must all match.
   * A bad filter is MYDOCKER_INVALID_ARGUMENT naming it. */
  const char* const* filters;
  /* Nonzero: after the recorded events, each new one as it is written, until `until` passes
   * or `cancel` is cancelled (then MYDOCKER_CANCELLED) or the callback returns nonzero. */
  int follow;
  mydocker_cancel_t* cancel; /* NULL: none */
} mydocker_events_options_t;

#define MYDOCKER_EVENTS_OPTIONS_INIT \
  { .size = sizeof(mydocker_events_options_t) }

/* What MYDOCKER_EVENTS_OPTIONS_INIT gives, for C++ and for structs made at run time. */
static inline void mydocker_events_options_init(mydocker_events_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Receives one event as Docker's JSON message (`events --format json`: status, id, from,
 * Type, Action, Actor {ID, Attributes}, scope, time, timeNano), `len` bytes, NUL-terminated
 * and valid only during the call. Return 0 to go on, nonzero to stop reading (the call then
 * returns MYDOCKER_OK). Called on the calling thread. */
typedef int (*mydocker_event_fn)(void* arg, const char* json, size_t len);

/* Since 1.9. `events`: the events of the runtime's journal (what happened to containers,
 * images, volumes and networks; docs/events.md), oldest first, that `options` select (NULL:
 * every recorded one, no follow). */
MYDOCKER_EXPORT int mydocker_events(mydocker_runtime_t* runtime,
                                    const mydocker_events_options_t* options, mydocker_event_fn fn,
                                    void* arg, mydocker_error_t** errptr);

/* Networks (since 1.2): `mydocker network ...` and `port`. See docs/networking.md. */

/* Options of mydocker_network_create (`network create`). */
typedef struct mydocker_network_create_options_t {
  size_t size;               /* sizeof(mydocker_network_create_options_t) */
  const char* driver;        /* NULL: "bridge", the only driver */
  const char* subnet;        /* CIDR; NULL: the first free 172.N.0.0/16 */
  const char* gateway;       /* NULL: the subnet's first address */
  int internal;              /* nonzero: no traffic in or out of the network */
  const char* const* labels; /* "KEY=VALUE", NULL-terminated */
} mydocker_network_create_options_t;

#define MYDOCKER_NETWORK_CREATE_OPTIONS_INIT \
  { .size = sizeof(mydocker_network_create_options_t) }

static inline void mydocker_network_create_options_init(mydocker_network_create_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
}

/* Creates a user network (its bridge is made when the first container joins it). On success
 * *id (if not NULL) receives its id, to free with mydocker_free. options may be NULL.
 * MYDOCKER_INVALID_ARGUMENT for a bad name, subnet or gateway, or a subnet that overlaps
 * another network or a route of the host; MYDOCKER_ALREADY_EXISTS for a name in use. */
MYDOCKER_EXPORT int mydocker_network_create(mydocker_runtime_t* runtime, const char* name,
                                            const mydocker_network_create_options_t* options,
                                            char** id, mydocker_error_t** errptr);

/* Every network as a JSON array of `network inspect` objects; free *json with mydocker_free. */
MYDOCKER_EXPORT int mydocker_network_list(mydocker_runtime_t* runtime, char** json,
                                          mydocker_error_t** errptr);

/* One network (name, id or unique id prefix) as the JSON object `network inspect` shows
 * (Name, Id, Driver, Subnet, Gateway, Internal, Labels, IPAM, Containers). */
MYDOCKER_EXPORT int mydocker_network_inspect(mydocker_runtime_t* runtime, const char* network,
                                             char** json, mydocker_error_t** errptr);

/* Removes a user network, its bridge and its rules. MYDOCKER_FAILED_PRECONDITION while a
 * container is on it; MYDOCKER_NOT_FOUND for an unknown one. */
MYDOCKER_EXPORT int mydocker_network_remove(mydocker_runtime_t* runtime, const char* network,
                                            mydocker_error_t** errptr);

/* Removes every user network no container is on; *json (if not NULL) receives the removed
 * names as a JSON array. */
MYDOCKER_EXPORT int mydocker_network_prune(mydocker_runtime_t* runtime, char** json,
                                           mydocker_error_t** errptr);

/* `network connect [--ip IP] [--alias A]... NETWORK CONTAINER`: a running container gets the
 * interface at once, a stopped one at its next start. ip and aliases may be NULL.
 * MYDOCKER_ALREADY_EXISTS if it is on the network already or the address is taken. */
MYDOCKER_EXPORT int mydocker_container_connect(mydocker_container_t* container, const char* network,
                                               const char* ip, const char* const* aliases,
                                               mydocker_error_t** errptr);

/* `network disconnect NETWORK CONTAINER`: the interface, the address and the names go.
 * MYDOCKER_NOT_FOUND if it is not on the network. */
MYDOCKER_EXPORT int mydocker_container_disconnect(mydocker_container_t* container,
                                                  const char* network, mydocker_error_t** errptr);

/* A container's addresses and published ports (`port`) are in the NetworkSettings object of
 * mydocker_container_inspect. */

/* ---------------------------------------------------------------------------------------- */
/* OCI bundles (since 1.8)                                                                   */
/* ---------------------------------------------------------------------------------------- */

/* A container made from an OCI bundle (a directory with config.json and its root file system)
 * by mydocker's OCI runtime mode, mydocker-runc (docs/oci.md): runc's model, not the Docker-like
 * one above. There is no monitor and no image: the caller is the container's supervisor, as
 * conmon or containerd's shim are. Init waits after create until mydocker_bundle_start, and
 * when the mydocker-runc process that made it exits, init is reparented to the nearest
 * subreaper. A caller that wants init as its child, to reap it and read its exit status, makes
 * itself one first: prctl(PR_SET_CHILD_SUBREAPER, 1). Otherwise mydocker_bundle_state tells
 * when it stopped. Containers are named by the id given at create, unique within `root`. */
typedef struct mydocker_bundle_options_t {
  size_t size; /* sizeof(mydocker_bundle_options_t) */
  /* mydocker-runc's state directory (its --root). NULL: /run/mydocker-runc, its default. */
  const char* root;
  /* The mydocker-runc executable. NULL: $MYDOCKER_RUNC; else the mydocker-runc installed with
   * this library (the path fixed at build time). Checked to be an executable file
   * (MYDOCKER_NOT_FOUND naming it). */
  const char* runc_path;
  /* create: a file that receives init's pid too (--pid-file). NULL: none. */
  const char* pid_file;
  /* create: with process.terminal, the unix socket that receives the pty's master over
   * SCM_RIGHTS (--console-socket). NULL: none (such a config is then refused). */
  const char* console_socket;
  /* create: nonzero: the container's standard input, output and error are the descriptors
   * below (-1: /dev/null), borrowed; zero: /dev/null for all three. */
  int stdio_set;
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;
} mydocker_bundle_options_t;

#define MYDOCKER_BUNDLE_OPTIONS_INIT \
  { .size = sizeof(mydocker_bundle_options_t), .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1 }

/* What MYDOCKER_BUNDLE_OPTIONS_INIT gives, for C++ and for structs made at run time: zero, the
 * size this caller was compiled with, every descriptor -1. */
static inline void mydocker_bundle_options_init(mydocker_bundle_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
  o->stdin_fd = -1;
  o->stdout_fd = -1;
  o->stderr_fd = -1;
}

/* `mydocker-runc create --bundle BUNDLE ID`: reads BUNDLE/config.json, creates the container's
 * namespaces, cgroup and mounts, and returns once its init waits for mydocker_bundle_start;
 * *pid (optional) receives init's pid. `options` may be NULL for the defaults. A bad config.json
 * or bundle is refused before anything is made: MYDOCKER_INVALID_ARGUMENT with mydocker-runc's
 * message, naming the field ("config.json: process.args must be an array of strings").
 * MYDOCKER_ALREADY_EXISTS for an id in use. The call starts mydocker-runc with posix_spawn and
 * waits for it: safe from any thread. */
MYDOCKER_EXPORT int mydocker_bundle_create(const mydocker_bundle_options_t* options,
                                           const char* bundle, const char* id, int* pid,
                                           mydocker_error_t** errptr);

/* `start ID`: init executes process.args. MYDOCKER_FAILED_PRECONDITION unless the container is
 * created (not yet started). */
MYDOCKER_EXPORT int mydocker_bundle_start(const mydocker_bundle_options_t* options, const char* id,
                                          mydocker_error_t** errptr);

/* `state ID`: *json receives the OCI state document ({"ociVersion", "id", "status": "created",
 * "running", "paused" or "stopped", "pid", "bundle", "annotations"}), the status read from the
 * kernel. MYDOCKER_NOT_FOUND for an unknown id. Read in this process; thread-safe. */
MYDOCKER_EXPORT int mydocker_bundle_state(const mydocker_bundle_options_t* options, const char* id,
                                          char** json, mydocker_error_t** errptr);

/* `kill ID SIGNAL`: signals init. MYDOCKER_FAILED_PRECONDITION for a stopped container, as the
 * OCI runtime spec requires. */
MYDOCKER_EXPORT int mydocker_bundle_kill(const mydocker_bundle_options_t* options, const char* id,
                                         int signal, mydocker_error_t** errptr);

/* `delete [--force] ID`: removes a stopped container (with `force` nonzero, kills a created,
 * running or paused one first): its cgroup, mounts and state; the poststop hooks run.
 * MYDOCKER_FAILED_PRECONDITION for a container still running without `force`. */
MYDOCKER_EXPORT int mydocker_bundle_delete(const mydocker_bundle_options_t* options, const char* id,
                                           int force, mydocker_error_t** errptr);

/* Since 1.10. What mydocker_bundle_exec runs: runc's `exec` flags. */
typedef struct mydocker_bundle_exec_options_t {
  size_t size;             /* sizeof(mydocker_bundle_exec_options_t) */
  const char* const* args; /* required: the command and its arguments, NULL-terminated */
  /* "KEY=VALUE", NULL-terminated, over config.json's process.env (a key given replaces it). */
  const char* const* env;
  const char* cwd;  /* an absolute path in the container; NULL: process.cwd */
  const char* user; /* "UID" or "UID:GID", numbers (runc's --user); NULL: process.user */
  /* Nonzero: return once the process runs, its pid in *pid; it is reparented to the nearest
   * subreaper (the caller, if it is one, then reaps it). Zero: wait for it, its exit status in
   * *exit_code. */
  int detach;
  /* Nonzero: the process gets a pseudo-terminal, whose master is sent over SCM_RIGHTS to the
   * unix socket `console_socket` (required then, as runc requires --console-socket: the library
   * relays no terminal). The stdio fields are then not used. */
  int tty;
  const char* console_socket;
  /* Nonzero: the process's standard input, output and error are the descriptors below (-1:
   * /dev/null), borrowed; zero: /dev/null for all three. */
  int stdio_set;
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;
} mydocker_bundle_exec_options_t;

#define MYDOCKER_BUNDLE_EXEC_OPTIONS_INIT                                            \
  {                                                                                  \
    .size = sizeof(mydocker_bundle_exec_options_t), .stdin_fd = -1, .stdout_fd = -1, \
    .stderr_fd = -1                                                                  \
  }

/* What MYDOCKER_BUNDLE_EXEC_OPTIONS_INIT gives, for C++ and for structs made at run time: zero,
 * the size this caller was compiled with, every descriptor -1. */
static inline void mydocker_bundle_exec_options_init(mydocker_bundle_exec_options_t* o) {
  memset(o, 0, sizeof *o);
  o->size = sizeof *o;
  o->stdin_fd = -1;
  o->stdout_fd = -1;
  o->stderr_fd = -1;
}

/* Since 1.10. `exec [--detach] [--tty --console-socket S] [--cwd D] [--env K=V]... [--user U]
 * ID ARGS...`: a new process in a created or running container, with config.json's process
 * settings (capabilities, rlimits, no_new_privs, seccomp...) and `exec_options` over them; it
 * joins the container's namespaces and cgroup. Without detach, *exit_code (optional) receives
 * its exit status (128+N when killed by signal N) and the call returns MYDOCKER_OK whatever it
 * is; with detach, *pid (optional) receives its pid. Bad input (no args, an env entry without
 * "=", a relative cwd, tty without console_socket, a user that is not numbers) is
 * MYDOCKER_INVALID_ARGUMENT before anything is started. A command that cannot be run fails
 * with mydocker_error_exit_code 127 (not found: "exec: \"CMD\": executable file not found in
 * $PATH") or 126 (cannot be invoked), as mydocker_container_exec does; a stopped or paused
 * container is MYDOCKER_FAILED_PRECONDITION; an unknown id MYDOCKER_NOT_FOUND.
 * The call starts mydocker-runc with posix_spawn and waits for it: safe from any thread. */
MYDOCKER_EXPORT int mydocker_bundle_exec(const mydocker_bundle_options_t* options, const char* id,
                                         const mydocker_bundle_exec_options_t* exec_options,
                                         int* exit_code, int* pid, mydocker_error_t** errptr);

/* Since 1.11. `pause ID` and `resume ID`: freezes every process of a running container (the
 * cgroup's freezer), and thaws a paused one. MYDOCKER_FAILED_PRECONDITION for a container in
 * another state, MYDOCKER_NOT_FOUND for an unknown id. Run in this process; thread-safe. */
MYDOCKER_EXPORT int mydocker_bundle_pause(const mydocker_bundle_options_t* options, const char* id,
                                          mydocker_error_t** errptr);
MYDOCKER_EXPORT int mydocker_bundle_resume(const mydocker_bundle_options_t* options, const char* id,
                                           mydocker_error_t** errptr);

/* Since 1.11. `ps --format json ID`: *json receives the pids (in this caller's PID namespace) of
 * the container's processes, a JSON array of numbers; free with mydocker_free. Run in this
 * process; thread-safe. */
MYDOCKER_EXPORT int mydocker_bundle_ps(const mydocker_bundle_options_t* options, const char* id,
                                       char** json, mydocker_error_t** errptr);

/* Since 1.11. `events --stats ID`: *json receives one stats event as runc prints it and
 * containerd reads it ({"type": "stats", "id", "data": {"cpu", "memory", "pids", "blkio",
 * ...}}); free with mydocker_free. MYDOCKER_FAILED_PRECONDITION for a stopped container. Run in
 * this process; thread-safe. */
MYDOCKER_EXPORT int mydocker_bundle_stats(const mydocker_bundle_options_t* options, const char* id,
                                          char** json, mydocker_error_t** errptr);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MYDOCKER_H_ */
