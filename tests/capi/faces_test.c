/* The C ABI's 1.6 additions on real containers, compiled as C: images (tag, save, load,
 * history), volumes, logs with every option and a log driver, cancellation tokens (wait, exec,
 * log follow), and two exec fixes: a zeroed mydocker_exec_options_t never touches descriptor 0,
 * and a command that cannot be run leaves no zombie. Needs root.
 * Usage: capi_faces_test <helper> <busybox.tar>. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

static fixture g_fx;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static mydocker_container_t* run_detached(const mydocker_create_options_t* create) {
  mydocker_error_t* err = NULL;
  mydocker_container_t* c = NULL;
  CHECK_OK(mydocker_container_run(g_fx.runtime, create, NULL, &c, &err), &err);
  if (c != NULL) fixture_remember(&g_fx, c);
  return c;
}

static mydocker_container_t* run_command(const char* const* command) {
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  create.image = "busybox";
  create.command = command;
  return run_detached(&create);
}

static void remove_container(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  if (c == NULL) return;
  CHECK_OK(
      mydocker_container_remove_flags(c, MYDOCKER_REMOVE_FORCE | MYDOCKER_REMOVE_VOLUMES, &err),
      &err);
  mydocker_container_destroy(c);
}

static const char* const kSleeper[] = {"sleep", "1000", NULL};

/* ---- exec fixes ------------------------------------------------------------------------- */

/* A struct zeroed by hand (the usual C++ way) connects nothing, not descriptor 0; with
 * stdio_set (what the init function sets) 0 is the caller's standard input as before. */
static void test_zeroed_exec_options_leave_fd0_alone(void) {
  mydocker_error_t* err = NULL;
  const char* const reader[] = {"sh", "-c", "if read line; then echo \"$line\"; exit 5; fi; exit 3",
                                NULL};
  mydocker_container_t* c = run_command(kSleeper);
  mydocker_exec_options_t exec;
  int saved_stdin = dup(0), pipefd[2], code = -1;
  if (c == NULL) return;
  /* Descriptor 0 of this process is a pipe holding a line, as if a user had typed it. */
  CHECK(pipe2(pipefd, O_CLOEXEC) == 0);
  CHECK(write(pipefd[1], "typed\n", 6) == 6);
  CHECK(dup2(pipefd[0], 0) == 0);

  memset(&exec, 0, sizeof exec);
  exec.size = sizeof exec;
  exec.args = reader;
  CHECK_OK(mydocker_container_exec(c, &exec, &code, &err), &err);
  CHECK(code == 3); /* end of file: nothing connected */

  exec.stdio_set = 1; /* the old meaning: 0 is standard input */
  exec.stdout_fd = -1;
  exec.stderr_fd = -1;
  CHECK_OK(mydocker_container_exec(c, &exec, &code, &err), &err);
  CHECK(code == 5);

  mydocker_exec_options_init(&exec);
  CHECK(exec.stdio_set == 1 && exec.stdin_fd == -1);

  CHECK(dup2(saved_stdin, 0) == 0);
  close(saved_stdin);
  close(pipefd[0]);
  close(pipefd[1]);
  remove_container(c);
}

/* The children of `pid`, zombies included (from /proc/N/stat: "N (comm) S PPID ..."). */
static int children_of(int pid) {
  DIR* proc = opendir("/proc");
  struct dirent* e;
  int children = 0;
  if (proc == NULL) return -1;
  while ((e = readdir(proc)) != NULL) {
    char path[300], buf[512];
    const char* close_paren;
    char state;
    int ppid;
    FILE* f;
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    f = fopen(path, "r");
    if (f == NULL) continue;
    if (fgets(buf, sizeof buf, f) != NULL && (close_paren = strrchr(buf, ')')) != NULL &&
        sscanf(close_paren + 1, " %c %d", &state, &ppid) == 2 && ppid == pid) {
      ++children;
    }
    fclose(f);
  }
  closedir(proc);
  return children;
}

/* `sleep` as the container's init never reaps: a command process left to it (its stub killed
 * before it reaped it) stays a zombie. Once a failed exec returned, the init has no child. */
static void test_failed_exec_leaves_no_zombie(void) {
  mydocker_error_t* err = NULL;
  const char* const missing[] = {"no-such-command", NULL};
  const char* const directory[] = {"/etc", NULL};
  mydocker_container_t* c = run_command(kSleeper);
  mydocker_exec_options_t exec = MYDOCKER_EXEC_OPTIONS_INIT;
  int i, status = -1, pid = 0, code = -1;
  if (c == NULL) return;
  CHECK_OK(mydocker_container_status(c, &status, &pid, &err), &err);
  for (i = 0; i < 10; ++i) {
    exec.args = i % 2 == 0 ? missing : directory;
    CHECK(mydocker_container_exec(c, &exec, &code, &err) != MYDOCKER_OK);
    CHECK(err != NULL && mydocker_error_exit_code(err) == (i % 2 == 0 ? 127 : 126));
    mydocker_error_free(err);
    err = NULL;
    CHECK(children_of(pid) == 0);
  }
  remove_container(c);
}

/* ---- images ------------------------------------------------------------------------------ */

static void test_image_tag_history_save_load(void) {
  mydocker_error_t* err = NULL;
  mydocker_image_t *busybox = NULL, *tagged = NULL;
  char *json = NULL, *loaded = NULL;
  char archive[96];
  const char* const refs[] = {"faces:v1", NULL};
  const char* const missing_refs[] = {"faces:v1", "no-such-image:9", NULL};
  const char* const no_refs[] = {NULL};
  int fd;

  CHECK_OK(mydocker_image_get(g_fx.runtime, "busybox", &busybox, &err), &err);
  CHECK_OK(mydocker_image_tag(g_fx.runtime, "busybox", "faces:v1", &err), &err);
  CHECK_OK(mydocker_image_get(g_fx.runtime, "faces:v1", &tagged, &err), &err);
  if (busybox == NULL || tagged == NULL) return;
  CHECK(strcmp(mydocker_image_id(busybox), mydocker_image_id(tagged)) == 0);
  CHECK_ERROR(mydocker_image_tag(g_fx.runtime, "no-such-image", "x:y", &err), &err,
              MYDOCKER_NOT_FOUND, "no-such-image");

  CHECK_OK(mydocker_image_history(g_fx.runtime, "faces:v1", &json, &err), &err);
  CHECK(json != NULL && json[0] == '[' && strstr(json, mydocker_image_id(busybox)) != NULL &&
        strstr(json, "\"CreatedBy\"") != NULL && strstr(json, "\"faces:v1\"") != NULL);
  mydocker_free(json);
  json = NULL;
  CHECK_ERROR(mydocker_image_history(g_fx.runtime, "no-such-image", &json, &err), &err,
              MYDOCKER_NOT_FOUND, "no-such-image");

  snprintf(archive, sizeof archive, "%s/saved.tar", g_fx.root);
  fd = open(archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  CHECK(fd >= 0);
  CHECK_ERROR(mydocker_image_save(g_fx.runtime, missing_refs, fd, &err), &err, MYDOCKER_NOT_FOUND,
              "no-such-image");
  CHECK(lseek(fd, 0, SEEK_END) == 0); /* refused before anything was written */
  CHECK_ERROR(mydocker_image_save(g_fx.runtime, no_refs, fd, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "no image");
  CHECK_OK(mydocker_image_save(g_fx.runtime, refs, fd, &err), &err);
  CHECK(lseek(fd, 0, SEEK_END) > 10240);
  close(fd);

  /* Untag it, load it back: the tag returns, on the same image. */
  CHECK_OK(mydocker_image_remove(g_fx.runtime, "faces:v1", 0, &err), &err);
  CHECK_ERROR(mydocker_image_get(g_fx.runtime, "faces:v1", &tagged, &err), &err, MYDOCKER_NOT_FOUND,
              "faces:v1");
  CHECK_OK(mydocker_image_load(g_fx.runtime, archive, &loaded, &err), &err);
  CHECK(loaded != NULL && strstr(loaded, "\"faces:v1\"") != NULL &&
        strstr(loaded, mydocker_image_id(busybox)) != NULL);
  mydocker_free(loaded);
  mydocker_image_destroy(tagged);
  tagged = NULL;
  CHECK_OK(mydocker_image_get(g_fx.runtime, "faces:v1", &tagged, &err), &err);
  CHECK(tagged != NULL && strcmp(mydocker_image_id(tagged), mydocker_image_id(busybox)) == 0);
  CHECK(mydocker_image_load(g_fx.runtime, "/nonexistent/archive.tar", NULL, &err) != MYDOCKER_OK);
  CHECK(err != NULL && strstr(mydocker_error_message(err), "/nonexistent/archive.tar") != NULL);
  mydocker_error_free(err);
  err = NULL;
  CHECK_OK(mydocker_image_remove(g_fx.runtime, "faces:v1", 0, &err), &err);
  unlink(archive);
  mydocker_image_destroy(tagged);
  mydocker_image_destroy(busybox);
}

/* ---- volumes ----------------------------------------------------------------------------- */

static int count(const char* haystack, const char* needle) {
  int n = 0;
  for (; haystack != NULL && (haystack = strstr(haystack, needle)) != NULL; haystack += 1) ++n;
  return n;
}

static void test_volumes(void) {
  mydocker_error_t* err = NULL;
  char* json = NULL;
  const char* const named[] = {"facesvol:/data", "/anon", NULL};
  const char* const writer[] = {"sh", "-c", "echo kept > /data/f", NULL};
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_container_t* c;
  int code = -1;

  CHECK_OK(mydocker_volume_create(g_fx.runtime, "facesvol", &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"Name\":\"facesvol\"") != NULL &&
        strstr(json, "\"Driver\":\"local\"") != NULL);
  mydocker_free(json);
  json = NULL;
  CHECK_ERROR(mydocker_volume_create(g_fx.runtime, "bad/name", NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "bad/name");
  CHECK_OK(mydocker_volume_inspect(g_fx.runtime, "facesvol", &json, &err), &err);
  CHECK(json != NULL && strstr(json, "/volumes/facesvol/_data") != NULL);
  mydocker_free(json);
  json = NULL;
  CHECK_ERROR(mydocker_volume_inspect(g_fx.runtime, "no-such-volume", &json, &err), &err,
              MYDOCKER_NOT_FOUND, "no-such-volume");

  /* A container on the named volume and an anonymous one. */
  create.image = "busybox";
  create.command = writer;
  create.volumes = named;
  c = run_detached(&create);
  if (c == NULL) return;
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK(code == 0);
  CHECK_OK(mydocker_volume_list(g_fx.runtime, &json, &err), &err);
  CHECK(count(json, "\"Name\":") == 2 && strstr(json, "\"Anonymous\":true") != NULL);
  mydocker_free(json);
  json = NULL;
  CHECK_ERROR(mydocker_volume_remove(g_fx.runtime, "facesvol", 0, &err), &err,
              MYDOCKER_FAILED_PRECONDITION, "in use");
  /* Prune keeps what a container uses, even with `all`. */
  CHECK_OK(mydocker_volume_prune(g_fx.runtime, 1, &json, &err), &err);
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  mydocker_free(json);
  json = NULL;
  CHECK_OK(mydocker_container_remove(c, 0, &err), &err); /* without -v: the anonymous stays */
  mydocker_container_destroy(c);
  CHECK_OK(mydocker_volume_prune(g_fx.runtime, 0, &json, &err), &err);
  CHECK(count(json, "\"") == 2 && strstr(json, "facesvol") == NULL); /* the anonymous one */
  mydocker_free(json);
  json = NULL;
  CHECK_OK(mydocker_volume_list(g_fx.runtime, &json, &err), &err);
  CHECK(count(json, "\"Name\":") == 1 && strstr(json, "facesvol") != NULL);
  mydocker_free(json);
  json = NULL;
  CHECK_OK(mydocker_volume_remove(g_fx.runtime, "facesvol", 0, &err), &err);
  CHECK_ERROR(mydocker_volume_remove(g_fx.runtime, "facesvol", 0, &err), &err, MYDOCKER_NOT_FOUND,
              "facesvol");
}

/* ---- logs -------------------------------------------------------------------------------- */

typedef struct collected {
  char text[512];
  int64_t times[16];
  int lines;
} collected;

static int collect(void* arg, int stream, const char* data, size_t len, int64_t time_ns) {
  collected* c = (collected*)arg;
  size_t used = strlen(c->text);
  if (used + len + 3 < sizeof c->text) {
    c->text[used] = stream == 2 ? 'E' : 'O';
    memcpy(c->text + used + 1, data, len);
    c->text[used + 1 + len] = '\0';
  }
  if (c->lines < 16) c->times[c->lines] = time_ns;
  ++c->lines;
  return 0;
}

static void read_logs(mydocker_container_t* c, const mydocker_logs_options_t* o, collected* out,
                      int want_rc) {
  mydocker_error_t* err = NULL;
  memset(out, 0, sizeof *out);
  if (want_rc == MYDOCKER_OK) {
    CHECK_OK(mydocker_container_logs_with_options(c, o, collect, out, &err), &err);
  } else {
    CHECK_ERROR(mydocker_container_logs_with_options(c, o, collect, out, &err), &err, want_rc, "");
  }
}

static void test_logs_options_and_driver(void) {
  mydocker_error_t* err = NULL;
  const char* const script[] = {"sh", "-c", "echo out1; echo err1 >&2; sleep 1.2; echo out2", NULL};
  const char* const json_file[] = {"max-size=1m", "max-file=2", NULL};
  const char* const bad_opt[] = {"colour=blue", NULL};
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_logs_options_t o = MYDOCKER_LOGS_OPTIONS_INIT;
  mydocker_container_t *c, *none;
  collected got;
  char since[64], *json = NULL;
  int64_t tail = 1, middle_ns;
  int code = -1;

  create.image = "busybox";
  create.command = script;
  create.log_driver = "json-file";
  create.log_options = json_file;
  c = run_detached(&create);
  if (c == NULL) return;
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK_OK(mydocker_container_inspect(c, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"LogConfig\":{\"Type\":\"json-file\"") != NULL &&
        strstr(json, "\"max-size\":\"1m\"") != NULL);
  mydocker_free(json);

  read_logs(c, NULL, &got, MYDOCKER_OK);
  CHECK(strcmp(got.text, "Oout1\nEerr1\nOout2\n") == 0);
  o.streams = MYDOCKER_LOG_STDERR;
  read_logs(c, &o, &got, MYDOCKER_OK);
  CHECK(strcmp(got.text, "Eerr1\n") == 0);
  o.streams = MYDOCKER_LOG_STDOUT;
  read_logs(c, &o, &got, MYDOCKER_OK);
  CHECK(strcmp(got.text, "Oout1\nOout2\n") == 0);
  o.streams = 0;
  o.tail = &tail;
  read_logs(c, &o, &got, MYDOCKER_OK);
  CHECK(strcmp(got.text, "Oout2\n") == 0);
  o.tail = NULL;

  /* since / until between the first lines and the last (1.2 s apart), as Unix seconds. */
  read_logs(c, NULL, &got, MYDOCKER_OK);
  CHECK(got.lines == 3);
  middle_ns = got.times[1] + (got.times[2] - got.times[1]) / 2;
  snprintf(since, sizeof since, "%lld.%09lld", (long long)(middle_ns / 1000000000),
           (long long)(middle_ns % 1000000000));
  o.since = since;
  read_logs(c, &o, &got, MYDOCKER_OK);
  CHECK(strcmp(got.text, "Oout2\n") == 0);
  o.since = NULL;
  o.until = since;
  read_logs(c, &o, &got, MYDOCKER_OK);
  CHECK(strcmp(got.text, "Oout1\nEerr1\n") == 0);
  o.until = "yesterday-ish";
  read_logs(c, &o, &got, MYDOCKER_INVALID_ARGUMENT);
  CHECK(got.lines == 0);
  o.until = NULL;
  o.streams = 4;
  read_logs(c, &o, &got, MYDOCKER_INVALID_ARGUMENT);
  remove_container(c);

  /* The "none" driver keeps no log; unknown drivers and options are refused at create. */
  create.log_driver = "none";
  create.log_options = NULL;
  none = run_detached(&create);
  if (none != NULL) {
    CHECK_OK(mydocker_container_wait(none, -1, &code, &err), &err);
    read_logs(none, NULL, &got, MYDOCKER_FAILED_PRECONDITION);
    remove_container(none);
  }
  none = NULL;
  create.log_driver = "syslog";
  CHECK_ERROR(mydocker_container_create(g_fx.runtime, &create, &none, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "syslog");
  create.log_driver = "local";
  create.log_options = bad_opt;
  CHECK_ERROR(mydocker_container_create(g_fx.runtime, &create, &none, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "colour");
  CHECK(none == NULL);
}

/* ---- cancellation ------------------------------------------------------------------------ */

typedef struct canceller {
  mydocker_cancel_t* token;
  int delay_ms;
} canceller;

static void* cancel_later(void* arg) {
  canceller* c = (canceller*)arg;
  usleep((useconds_t)c->delay_ms * 1000);
  mydocker_cancel(c->token);
  return NULL;
}

/* Starts a thread that cancels `token` after `delay_ms`. */
static pthread_t start_canceller(canceller* c, mydocker_cancel_t* token, int delay_ms) {
  pthread_t t;
  c->token = token;
  c->delay_ms = delay_ms;
  CHECK(pthread_create(&t, NULL, cancel_later, c) == 0);
  return t;
}

static mydocker_cancel_t* new_token(void) {
  mydocker_error_t* err = NULL;
  mydocker_cancel_t* token = NULL;
  CHECK_OK(mydocker_cancel_create(&token, &err), &err);
  CHECK(token != NULL && mydocker_cancel_requested(token) == 0);
  return token;
}

/* ---- 1.9: volume labels and filters, prunes, system df, events --------------------------- */

static void test_volume_labels_and_filters(void) {
  mydocker_error_t* err = NULL;
  char* json = NULL;
  const char* const labels[] = {"team=db", "tier", NULL};
  const char* const by_label[] = {"label=team=db", NULL};
  const char* const by_other[] = {"label=team=web", NULL};
  const char* const bad_label[] = {"=x", NULL};
  const char* const bad_filter[] = {"size=1", NULL};
  const char* const bad_dangling[] = {"dangling=maybe", NULL};

  CHECK(mydocker_version_number() >= 11000);
  CHECK_OK(mydocker_volume_create_with_labels(g_fx.runtime, "labelled", labels, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"Labels\":{\"team\":\"db\",\"tier\":\"\"}") != NULL);
  mydocker_free(json);
  json = NULL;
  CHECK_OK(mydocker_volume_create_with_labels(g_fx.runtime, "plain", NULL, NULL, &err), &err);
  CHECK_ERROR(mydocker_volume_create_with_labels(g_fx.runtime, "never", bad_label, NULL, &err),
              &err, MYDOCKER_INVALID_ARGUMENT, "=x");
  CHECK_ERROR(mydocker_volume_inspect(g_fx.runtime, "never", &json, &err), &err, MYDOCKER_NOT_FOUND,
              "never");
  CHECK_OK(mydocker_volume_list_filtered(g_fx.runtime, by_label, &json, &err), &err);
  CHECK(count(json, "\"Name\":") == 1 && strstr(json, "labelled") != NULL);
  mydocker_free(json);
  json = NULL;
  CHECK_OK(mydocker_volume_list_filtered(g_fx.runtime, by_other, &json, &err), &err);
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  mydocker_free(json);
  json = NULL;
  CHECK_OK(mydocker_volume_list_filtered(g_fx.runtime, NULL, &json, &err), &err);
  CHECK(count(json, "\"Name\":") == 2);
  mydocker_free(json);
  json = NULL;
  CHECK_ERROR(mydocker_volume_list_filtered(g_fx.runtime, bad_filter, &json, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "invalid filter 'size'");
  CHECK_ERROR(mydocker_volume_list_filtered(g_fx.runtime, bad_dangling, &json, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "invalid filter 'dangling=maybe'");
  CHECK(json == NULL);
  CHECK_OK(mydocker_volume_remove(g_fx.runtime, "labelled", 0, &err), &err);
  CHECK_OK(mydocker_volume_remove(g_fx.runtime, "plain", 0, &err), &err);
}

typedef struct events_seen {
  char text[8192];
  int n;
} events_seen;

static int collect_event(void* arg, const char* json, size_t len) {
  events_seen* e = (events_seen*)arg;
  size_t used = strlen(e->text);
  CHECK(strlen(json) == len);
  if (used + len + 2 < sizeof e->text) {
    memcpy(e->text + used, json, len);
    e->text[used + len] = '\n';
    e->text[used + len + 1] = '\0';
  }
  ++e->n;
  return 0;
}

/* A stopped container labelled `label`: its id (static storage until the next call). */
static const char* stopped_with_label(const char* label) {
  static char id[65];
  mydocker_error_t* err = NULL;
  const char* const labels[] = {label, NULL};
  const char* const command[] = {"true", NULL};
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_container_t* c;
  int code = -1;
  create.image = "busybox";
  create.command = command;
  create.labels = labels;
  id[0] = '\0';
  c = run_detached(&create);
  if (c == NULL) return id;
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  snprintf(id, sizeof id, "%s", mydocker_container_id(c));
  mydocker_container_destroy(c);
  return id;
}

static void test_prune_df_and_events(void) {
  mydocker_error_t* err = NULL;
  char* json = NULL;
  char kept[65], pruned[65];
  const char* const mine[] = {"label=capi.prune=yes", NULL};
  const char* const no_such_label[] = {"label=capi.no-such-label", NULL};
  const char* const bad[] = {"bogus=1", NULL};
  const char* const bad_until[] = {"until=whenever", NULL};
  const char* const destroys[] = {"type=container", "event=destroy", NULL};
  const char* const bad_type[] = {"type=nope", NULL};
  mydocker_prune_options_t prune = MYDOCKER_PRUNE_OPTIONS_INIT;
  mydocker_events_options_t events = MYDOCKER_EVENTS_OPTIONS_INIT;
  mydocker_container_t* c = NULL;
  events_seen seen;
  canceller cl;
  pthread_t t;
  double start;

  snprintf(kept, sizeof kept, "%s", stopped_with_label("capi.prune=no"));
  snprintf(pruned, sizeof pruned, "%s", stopped_with_label("capi.prune=yes"));

  /* Bad filters: one clear error, nothing removed. */
  prune.filters = bad;
  CHECK_ERROR(mydocker_container_prune(g_fx.runtime, &prune, &json, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "invalid filter 'bogus'");
  prune.filters = bad_until;
  CHECK_ERROR(mydocker_system_prune(g_fx.runtime, &prune, &json, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "invalid filter 'until=whenever'");
  prune.size = 1;
  CHECK_ERROR(mydocker_image_prune(g_fx.runtime, &prune, &json, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "mydocker_prune_options_t.size");
  prune.size = sizeof prune;
  CHECK(json == NULL);

  /* system df while both are there: two containers, the image in use. */
  CHECK_OK(mydocker_system_df(g_fx.runtime, 0, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "{\"Type\":\"Containers\",\"TotalCount\":2,\"Active\":0,") &&
        strstr(json, "{\"Type\":\"Images\",\"TotalCount\":1,\"Active\":1,") &&
        strstr(json, "\"Build Cache\"") && strstr(json, "\"SizeRw\"") == NULL);
  mydocker_free(json);
  json = NULL;
  CHECK_OK(mydocker_system_df(g_fx.runtime, 1, &json, &err), &err);
  CHECK(json != NULL && strstr(json, kept) != NULL && strstr(json, pruned) != NULL &&
        count(json, "\"SizeRw\":") == 2 && strstr(json, "\"RepoTags\":[\"busybox:latest\"]"));
  mydocker_free(json);
  json = NULL;

  /* Container prune selects by label; the other stays. */
  prune.filters = mine;
  CHECK_OK(mydocker_container_prune(g_fx.runtime, &prune, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"ContainersDeleted\":[\"") != NULL &&
        strstr(json, pruned) != NULL && strstr(json, kept) == NULL &&
        strstr(json, "\"SpaceReclaimed\":") != NULL && strstr(json, "ImagesDeleted") == NULL);
  mydocker_free(json);
  json = NULL;
  CHECK_ERROR(mydocker_container_get(g_fx.runtime, pruned, &c, &err), &err, MYDOCKER_NOT_FOUND, "");
  /* -a with a filter nothing matches keeps busybox (unfiltered, -a would remove it). */
  prune.filters = no_such_label;
  prune.all = 1;
  CHECK_OK(mydocker_image_prune(g_fx.runtime, &prune, &json, &err), &err);
  CHECK(json != NULL && strcmp(json, "{\"ImagesDeleted\":[],\"SpaceReclaimed\":0}") == 0);
  mydocker_free(json);
  json = NULL;
  CHECK_OK(mydocker_network_prune_with_options(g_fx.runtime, &prune, &json, &err), &err);
  CHECK(json != NULL && strcmp(json, "{\"NetworksDeleted\":[],\"SpaceReclaimed\":0}") == 0);
  mydocker_free(json);
  json = NULL;
  /* system prune without filters: the other container; busybox is tagged and stays. */
  CHECK_OK(mydocker_system_prune(g_fx.runtime, NULL, &json, &err), &err);
  CHECK(json != NULL && strstr(json, kept) != NULL && strstr(json, "\"NetworksDeleted\":[]") &&
        strstr(json, "\"VolumesDeleted\":[]") && strstr(json, "\"ImagesDeleted\":[]"));
  mydocker_free(json);
  json = NULL;
  {
    mydocker_image_t* image = NULL;
    CHECK_OK(mydocker_image_get(g_fx.runtime, "busybox", &image, &err), &err);
    mydocker_image_destroy(image);
  }

  /* The journal has both removals; the filters keep only them. */
  memset(&seen, 0, sizeof seen);
  events.filters = destroys;
  CHECK_OK(mydocker_events(g_fx.runtime, &events, collect_event, &seen, &err), &err);
  CHECK(seen.n >= 2 && strstr(seen.text, pruned) != NULL && strstr(seen.text, kept) != NULL);
  CHECK(count(seen.text, "\"Action\":\"destroy\"") == seen.n);
  CHECK(count(seen.text, "capi.prune") >= 2); /* labels are attributes */
  {
    char by_id[80];
    const char* const one[] = {by_id, NULL};
    snprintf(by_id, sizeof by_id, "container=%s", pruned);
    events.filters = one;
    memset(&seen, 0, sizeof seen);
    CHECK_OK(mydocker_events(g_fx.runtime, &events, collect_event, &seen, &err), &err);
    CHECK(seen.n == 4 && count(seen.text, pruned) == 8); /* id and Actor.ID */
    CHECK(strstr(seen.text, "\"Action\":\"create\"") < strstr(seen.text, "\"Action\":\"start\"") &&
          strstr(seen.text, "\"Action\":\"start\"") < strstr(seen.text, "\"Action\":\"die\"") &&
          strstr(seen.text, "\"Action\":\"die\"") < strstr(seen.text, "\"Action\":\"destroy\""));
  }
  events.filters = bad_type;
  CHECK_ERROR(mydocker_events(g_fx.runtime, &events, collect_event, &seen, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "invalid filter 'type=nope'");
  events.filters = NULL;
  events.since = "yesterday-ish";
  CHECK_ERROR(mydocker_events(g_fx.runtime, &events, collect_event, &seen, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "events options: since");
  CHECK_ERROR(mydocker_events(g_fx.runtime, NULL, NULL, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "event callback");

  /* Following from now: nothing comes, a token ends it. */
  events.since = "0s";
  events.follow = 1;
  events.cancel = new_token();
  memset(&seen, 0, sizeof seen);
  t = start_canceller(&cl, events.cancel, 300);
  start = now_seconds();
  CHECK_ERROR(mydocker_events(g_fx.runtime, &events, collect_event, &seen, &err), &err,
              MYDOCKER_CANCELLED, "events was cancelled");
  CHECK(now_seconds() - start < 2.0 && seen.n == 0);
  pthread_join(t, NULL);
  mydocker_cancel_destroy(events.cancel);
}

static void test_cancel_wait_exec_and_follow(void) {
  mydocker_error_t* err = NULL;
  mydocker_container_t *c = run_command(kSleeper), *again = NULL;
  mydocker_cancel_t* token;
  mydocker_exec_options_t exec = MYDOCKER_EXEC_OPTIONS_INIT;
  mydocker_logs_options_t logs = MYDOCKER_LOGS_OPTIONS_INIT;
  const char* const long_exec[] = {"sleep", "1000", NULL};
  const char* const quick_exec[] = {"sh", "-c", "exit 9", NULL};
  canceller cl;
  collected got;
  pthread_t t;
  double start;
  int code = -1;
  if (c == NULL) return;

  /* A wait through the handle that started it (the monitor's link)... */
  token = new_token();
  t = start_canceller(&cl, token, 200);
  start = now_seconds();
  CHECK_ERROR(mydocker_container_wait_cancel(c, -1, token, &code, &err), &err, MYDOCKER_CANCELLED,
              "cancelled");
  CHECK(now_seconds() - start < 2.0);
  pthread_join(t, NULL);
  CHECK(mydocker_cancel_requested(token) == 1);
  /* ... and once cancelled, every later call at once. */
  CHECK_ERROR(mydocker_container_wait_cancel(c, -1, token, &code, &err), &err, MYDOCKER_CANCELLED,
              "cancelled");
  mydocker_cancel_destroy(token);

  /* A wait on the record (another handle), with a timeout that does not come first. */
  CHECK_OK(mydocker_container_get(g_fx.runtime, mydocker_container_id(c), &again, &err), &err);
  token = new_token();
  t = start_canceller(&cl, token, 200);
  start = now_seconds();
  CHECK_ERROR(mydocker_container_wait_cancel(again, 60000, token, &code, &err), &err,
              MYDOCKER_CANCELLED, "cancelled");
  CHECK(now_seconds() - start < 2.0);
  pthread_join(t, NULL);
  CHECK_ERROR(mydocker_container_wait_cancel(again, 100, NULL, &code, &err), &err,
              MYDOCKER_DEADLINE_EXCEEDED, "still running");
  mydocker_cancel_destroy(token);

  /* A synchronous exec: the command gets SIGTERM (which sleep dies of). */
  token = new_token();
  exec.cancel = token;
  exec.args = quick_exec;
  CHECK_OK(mydocker_container_exec(c, &exec, &code, &err), &err); /* not cancelled: as before */
  CHECK(code == 9);
  exec.args = long_exec;
  t = start_canceller(&cl, token, 300);
  start = now_seconds();
  CHECK_ERROR(mydocker_container_exec(c, &exec, &code, &err), &err, MYDOCKER_CANCELLED,
              "cancelled");
  CHECK(now_seconds() - start < 3.0);
  pthread_join(t, NULL);
  mydocker_cancel_destroy(token);

  /* An exec handle given the token: its wait ends the same way, and so does a later one. */
  {
    mydocker_exec_t* handle = NULL;
    token = new_token();
    exec.cancel = token;
    exec.args = long_exec;
    CHECK_OK(mydocker_exec_start(c, &exec, &handle, &err), &err);
    t = start_canceller(&cl, token, 300);
    start = now_seconds();
    CHECK_ERROR(mydocker_exec_wait(handle, -1, &code, &err), &err, MYDOCKER_CANCELLED, "cancelled");
    CHECK(now_seconds() - start < 3.0);
    pthread_join(t, NULL);
    CHECK_ERROR(mydocker_exec_wait(handle, 0, &code, &err), &err, MYDOCKER_CANCELLED, "cancelled");
    mydocker_exec_destroy(handle);
    /* A cancelled token refuses a new exec at once. */
    CHECK_ERROR(mydocker_exec_start(c, &exec, &handle, &err), &err, MYDOCKER_CANCELLED,
                "cancelled");
    mydocker_cancel_destroy(token);
    exec.cancel = NULL;
  }

  /* A follow of a container that writes nothing. */
  token = new_token();
  logs.follow = 1;
  logs.cancel = token;
  t = start_canceller(&cl, token, 300);
  start = now_seconds();
  read_logs(c, &logs, &got, MYDOCKER_CANCELLED);
  CHECK(now_seconds() - start < 2.0);
  pthread_join(t, NULL);
  mydocker_cancel_destroy(token);

  mydocker_container_destroy(again);
  remove_container(c);
  mydocker_cancel(NULL);
  mydocker_cancel_destroy(NULL);
  CHECK(mydocker_cancel_requested(NULL) == 0);
}

int main(int argc, char** argv) {
  int rc;
  if (argc != 3) {
    fprintf(stderr, "usage: %s HELPER BUSYBOX_TAR\n", argv[0]);
    return 2;
  }
  rc = fixture_setup(&g_fx, argv[1], argv[2]);
  if (rc != 0) return rc;
  CHECK(mydocker_version_number() >= 10600);
  RUN_TEST(test_zeroed_exec_options_leave_fd0_alone);
  RUN_TEST(test_failed_exec_leaves_no_zombie);
  RUN_TEST(test_image_tag_history_save_load);
  RUN_TEST(test_volumes);
  RUN_TEST(test_logs_options_and_driver);
  RUN_TEST(test_cancel_wait_exec_and_follow);
  RUN_TEST(test_volume_labels_and_filters);
  RUN_TEST(test_prune_df_and_events);
  fixture_teardown(&g_fx);
  fprintf(stderr, "%d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
