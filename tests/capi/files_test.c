/* The C ABI of 1.5 with real containers, compiled as C: attach (several clients, detach keys,
 * an output callback), cp as tar streams both ways, export, diff, commit, update of the restart
 * policy, stop_timeout and health checks in the create options, exec with a terminal and detach
 * keys. Needs root. Usage: capi_files_test <helper> <busybox.tar>. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

static fixture g_fx;

/* A memory file's content from its start (NUL-terminated, at most cap - 1 bytes). */
static size_t read_file(int fd, char* buf, size_t cap) {
  size_t n = 0;
  ssize_t got;
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  while (n + 1 < cap && (got = read(fd, buf + n, cap - 1 - n)) > 0) n += (size_t)got;
  buf[n] = '\0';
  return n;
}

/* Writes all of `text` to fd. */
static void type(int fd, const char* text) {
  CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
}

static int mem_file(void) {
  int fd = memfd_create("capi-files-test", MFD_CLOEXEC);
  CHECK(fd >= 0);
  return fd;
}

/* The content of the entry `name` ("./" prefixes ignored) of a tar held in `tar` (`size`
 * bytes), copied into out (NUL-terminated); 0 if there is none. */
static int tar_entry(const char* tar, size_t size, const char* name, char* out, size_t cap) {
  size_t at = 0;
  while (at + 512 <= size && tar[at] != '\0') {
    const char* entry = tar + at;
    size_t len = (size_t)strtoul(entry + 124, NULL, 8);
    const char* entry_name = strncmp(entry, "./", 2) == 0 ? entry + 2 : entry;
    if (strncmp(entry_name, name, 100) == 0) {
      size_t copy = len < cap - 1 ? len : cap - 1;
      if (at + 512 + copy > size) return 0;
      memcpy(out, entry + 512, copy);
      out[copy] = '\0';
      return 1;
    }
    at += 512 + (len + 511) / 512 * 512;
  }
  return 0;
}

static char g_tar[4 << 20];

/* Reads a tar written to the memory file `fd` and checks its entry `name` holds `want`. */
static void check_tar_entry(int fd, const char* name, const char* want) {
  char content[256] = "";
  size_t size = read_file(fd, g_tar, sizeof g_tar);
  CHECK(tar_entry(g_tar, size, name, content, sizeof content));
  if (strcmp(content, want) != 0) fprintf(stderr, "entry %s holds \"%s\"\n", name, content);
  CHECK(strcmp(content, want) == 0);
}

/* Runs `command` in busybox to its end (attached, output dropped), or detached when `detach`. */
static mydocker_container_t* run(const char* const* command, int detach, int open_stdin, int tty) {
  mydocker_error_t* err = NULL;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_container_t* c = NULL;
  int code = -2;
  create.image = "busybox";
  create.command = command;
  create.open_stdin = open_stdin;
  create.tty = tty;
  CHECK_OK(mydocker_container_run(g_fx.runtime, &create, NULL, &c, &err), &err);
  if (c == NULL) return NULL;
  fixture_remember(&g_fx, c);
  if (!detach) CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  return c;
}

static void remove_container(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  CHECK_OK(mydocker_container_remove(c, 1, &err), &err);
  mydocker_container_destroy(c);
}

/* Finds `path` among the changes with `kind`. */
static int has_change(const mydocker_change_t* changes, size_t count, const char* path, int kind) {
  for (size_t i = 0; i < count; ++i) {
    if (strcmp(changes[i].path, path) == 0) return changes[i].kind == kind;
  }
  return 0;
}

/* diff's kinds, cp out and back in through tar streams (content checked), export, and
 * Docker's message for a missing path. */
static void test_diff_cp_export(void) {
  const char* const change[] = {"sh", "-c",
                                "echo hi > /added && rm /etc/group && echo x >> /etc/passwd", NULL};
  mydocker_error_t* err = NULL;
  mydocker_change_t* changes = NULL;
  size_t count = 0;
  int tar = mem_file(), again = mem_file(), exported = mem_file();
  mydocker_container_t* c = run(change, 0, 0, 0);
  if (c == NULL) return;
  CHECK_OK(mydocker_container_diff(c, &changes, &count, &err), &err);
  CHECK(count >= 4);
  CHECK(has_change(changes, count, "/added", MYDOCKER_CHANGE_ADDED));
  CHECK(has_change(changes, count, "/etc", MYDOCKER_CHANGE_MODIFIED));
  CHECK(has_change(changes, count, "/etc/group", MYDOCKER_CHANGE_DELETED));
  CHECK(has_change(changes, count, "/etc/passwd", MYDOCKER_CHANGE_MODIFIED));
  mydocker_free(changes);

  CHECK_OK(mydocker_container_copy_from(c, "/added", 0, tar, &err), &err);
  check_tar_entry(tar, "added", "hi\n");
  CHECK(lseek(tar, 0, SEEK_SET) == 0);
  CHECK_OK(mydocker_container_copy_to(c, "/tmp", 0, tar, &err), &err);
  CHECK_OK(mydocker_container_copy_from(c, "/tmp/added", 0, again, &err), &err);
  check_tar_entry(again, "added", "hi\n");
  CHECK_ERROR(mydocker_container_copy_from(c, "/missing", 0, tar, &err), &err, MYDOCKER_NOT_FOUND,
              "Could not find the file /missing in container");
  CHECK_ERROR(mydocker_container_copy_to(c, "/etc/passwd", 0, tar, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "");

  CHECK_OK(mydocker_container_export(c, exported, &err), &err);
  check_tar_entry(exported, "added", "hi\n");
  check_tar_entry(exported, "tmp/added", "hi\n");
  CHECK_ERROR(mydocker_container_export(c, -1, &err), &err, MYDOCKER_INVALID_ARGUMENT, "out_fd");
  close(tar);
  close(again);
  close(exported);
  remove_container(c);
}

/* commit with a message, an author and changes: the image records them and runs. */
static void test_commit(void) {
  const char* const change[] = {"sh", "-c", "echo committed > /added", NULL};
  const char* const changes[] = {"ENV FOO=bar", "CMD [\"cat\", \"/added\"]", NULL};
  const char* const bad[] = {"ONBUILD RUN true", NULL};
  mydocker_error_t* err = NULL;
  mydocker_commit_options_t commit = MYDOCKER_COMMIT_OPTIONS_INIT;
  mydocker_image_t* image = NULL;
  char* id = NULL;
  char* json = NULL;
  mydocker_container_t* c = run(change, 0, 0, 0);
  if (c == NULL) return;
  commit.ref = "committed:c1";
  commit.comment = "from the C test";
  commit.author = "Tester <t@example.com>";
  commit.changes = bad;
  CHECK_ERROR(mydocker_container_commit(c, &commit, &id, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "ONBUILD");
  commit.changes = changes;
  CHECK_OK(mydocker_container_commit(c, &commit, &id, &err), &err);
  CHECK(id != NULL && strncmp(id, "sha256:", 7) == 0);
  CHECK_OK(mydocker_image_get(g_fx.runtime, "committed:c1", &image, &err), &err);
  if (image != NULL) {
    CHECK(strcmp(mydocker_image_id(image), id) == 0);
    CHECK_OK(mydocker_image_inspect(image, &json, &err), &err);
    CHECK(json != NULL && strstr(json, "\"Author\":\"Tester <t@example.com>\"") != NULL);
    CHECK(json != NULL && strstr(json, "FOO=bar") != NULL);
    CHECK(json != NULL && strstr(json, "\"Cmd\":[\"cat\",\"/added\"]") != NULL);
    mydocker_free(json);
    mydocker_image_destroy(image);
  }
  mydocker_free(id);
  remove_container(c);
  CHECK_OK(mydocker_image_remove(g_fx.runtime, "committed:c1", 0, &err), &err);
}

struct watcher {
  mydocker_container_t* container;
  int out_fd;
  int code;
  int rc;
};

static void* attach_without_input(void* arg) {
  struct watcher* w = arg;
  mydocker_attach_options_t options = MYDOCKER_ATTACH_OPTIONS_INIT;
  options.stdout_fd = w->out_fd;
  w->rc = mydocker_container_attach(w->container, &options, &w->code, NULL);
  close(w->out_fd);
  return NULL;
}

struct collected {
  char text[512];
  size_t len;
  int stop;
};

static int collect(void* arg, int stream, const char* data, size_t len) {
  struct collected* c = arg;
  CHECK(stream == 1 || stream == 2);
  if (c->len + len < sizeof c->text) {
    memcpy(c->text + c->len, data, len);
    c->len += len;
    c->text[c->len] = '\0';
  }
  return c->stop;
}

/* Waits until a container's attach socket accepts clients (it runs), for a watcher thread. */
static void wait_running(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  int status = -1;
  for (int i = 0; i < 200 && status != MYDOCKER_STATUS_RUNNING; ++i) {
    CHECK_OK(mydocker_container_status(c, &status, NULL, &err), &err);
    if (status != MYDOCKER_STATUS_RUNNING) usleep(20000);
  }
  CHECK(status == MYDOCKER_STATUS_RUNNING);
}

/* Two clients at once: one only watches (into a descriptor), the other types (its output
 * through a callback); both see the output and the exit code. */
static void test_attach_two_clients(void) {
  const char* const shell[] = {"sh", NULL};
  mydocker_error_t* err = NULL;
  mydocker_attach_options_t options = MYDOCKER_ATTACH_OPTIONS_INIT;
  struct collected seen;
  struct watcher w;
  pthread_t thread;
  int in[2], out[2], code = -2;
  char watched[256] = "";
  mydocker_container_t* c = run(shell, 1, 1, 0);
  if (c == NULL) return;
  wait_running(c);
  memset(&seen, 0, sizeof seen);
  CHECK(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0);
  w.container = c;
  w.out_fd = out[1];
  w.rc = -1;
  CHECK(pthread_create(&thread, NULL, attach_without_input, &w) == 0);
  usleep(300000); /* the watcher connects first */
  options.stdin_fd = in[0];
  options.output = collect;
  options.output_arg = &seen;
  type(in[1], "sleep 0.5; echo two-''clients; exit 5\n");
  close(in[1]);
  CHECK_OK(mydocker_container_attach(c, &options, &code, &err), &err);
  close(in[0]);
  CHECK(code == 5);
  CHECK(strcmp(seen.text, "two-clients\n") == 0);
  pthread_join(thread, NULL);
  CHECK(w.rc == MYDOCKER_OK && w.code == 5);
  {
    ssize_t n = read(out[0], watched, sizeof watched - 1);
    watched[n > 0 ? n : 0] = '\0';
  }
  CHECK(strcmp(watched, "two-clients\n") == 0);
  close(out[0]);
  CHECK_ERROR(mydocker_container_attach(c, NULL, NULL, &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "You cannot attach to a stopped container");
  remove_container(c);
}

/* Detaching by the detach keys and by the callback leaves the container running. */
static void test_attach_detach(void) {
  const char* const shell[] = {"sh", NULL};
  mydocker_error_t* err = NULL;
  mydocker_attach_options_t options = MYDOCKER_ATTACH_OPTIONS_INIT;
  struct collected seen;
  int in[2], status = -1, code = -2;
  mydocker_container_t* c = run(shell, 1, 1, 1);
  if (c == NULL) return;
  wait_running(c);
  memset(&seen, 0, sizeof seen);
  CHECK(pipe2(in, O_CLOEXEC) == 0);
  options.stdin_fd = in[0];
  options.detach_keys = "ctrl-x,y";
  options.output = collect;
  options.output_arg = &seen;
  type(in[1], "\x18y");
  CHECK_ERROR(mydocker_container_attach(c, &options, &code, &err), &err, MYDOCKER_CANCELLED,
              "detached");
  CHECK(code == -2);
  CHECK_OK(mydocker_container_status(c, &status, NULL, &err), &err);
  CHECK(status == MYDOCKER_STATUS_RUNNING);
  /* The callback detaches on the first output (the shell echoes what is typed). */
  options.detach_keys = NULL;
  seen.stop = 1;
  type(in[1], "echo more\n");
  CHECK_ERROR(mydocker_container_attach(c, &options, &code, &err), &err, MYDOCKER_CANCELLED, "");
  CHECK(seen.len > 0);
  CHECK_OK(mydocker_container_status(c, &status, NULL, &err), &err);
  CHECK(status == MYDOCKER_STATUS_RUNNING);
  options.detach_keys = "ctrl-1";
  CHECK_ERROR(mydocker_container_attach(c, &options, &code, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "Invalid detach keys (ctrl-1) provided");
  close(in[0]);
  close(in[1]);
  remove_container(c);
}

/* Polls inspect until it contains `want`; returns whether it did within ~15 s. */
static int inspect_until(mydocker_container_t* c, const char* want) {
  mydocker_error_t* err = NULL;
  for (int i = 0; i < 300; ++i) {
    char* json = NULL;
    int found;
    CHECK_OK(mydocker_container_inspect(c, &json, &err), &err);
    found = json != NULL && strstr(json, want) != NULL;
    mydocker_free(json);
    if (found) return 1;
    usleep(50000);
  }
  fprintf(stderr, "inspect never showed %s\n", want);
  return 0;
}

/* A health check from the create options turns healthy, then unhealthy when its file goes;
 * stop_timeout is recorded. */
static void test_healthcheck_and_stop_timeout(void) {
  const char* const command[] = {"sh", "-c", "touch /healthy; exec sleep 600", NULL};
  const char* const test[] = {"CMD-SHELL", "test -e /healthy", NULL};
  const char* const unwell[] = {"rm", "/healthy", NULL};
  const char* const bad_test[] = {"SOMETIMES", NULL};
  mydocker_error_t* err = NULL;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_healthcheck_t health = MYDOCKER_HEALTHCHECK_INIT;
  mydocker_exec_options_t exec = MYDOCKER_EXEC_OPTIONS_INIT;
  mydocker_container_t* c = NULL;
  int one = 1, code = -2;
  health.test = test;
  health.interval_ns = 100 * 1000 * 1000;
  health.retries = 1;
  create.image = "busybox";
  create.command = command;
  create.stop_timeout = &one;
  create.healthcheck = &health;
  CHECK_OK(mydocker_container_run(g_fx.runtime, &create, NULL, &c, &err), &err);
  if (c == NULL) return;
  fixture_remember(&g_fx, c);
  CHECK(inspect_until(c, "\"StopTimeout\":1"));
  CHECK(inspect_until(c, "\"Status\":\"healthy\""));
  exec.args = unwell;
  CHECK_OK(mydocker_container_exec(c, &exec, &code, &err), &err);
  CHECK(code == 0);
  CHECK(inspect_until(c, "\"Status\":\"unhealthy\""));
  remove_container(c);
  health.test = bad_test;
  CHECK_ERROR(mydocker_container_create(g_fx.runtime, &create, &c, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "SOMETIMES");
}

/* update_restart_policy: "always" set on a running container restarts it after a SIGKILL of
 * its process from the host, and RestartCount counts it. */
static void test_update_restart_policy(void) {
  const char* const command[] = {"sleep", "600", NULL};
  mydocker_error_t* err = NULL;
  int status = -1, pid = 0, pid_after = 0;
  mydocker_container_t* c = run(command, 1, 0, 0);
  if (c == NULL) return;
  wait_running(c);
  CHECK_ERROR(mydocker_container_update_restart_policy(c, "sometimes", &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "sometimes");
  CHECK_OK(mydocker_container_update_restart_policy(c, "always", &err), &err);
  CHECK_OK(mydocker_container_status(c, &status, &pid, &err), &err);
  CHECK(pid > 0 && kill(pid, SIGKILL) == 0);
  CHECK(inspect_until(c, "\"RestartCount\":1"));
  CHECK(inspect_until(c, "\"Status\":\"running\""));
  CHECK_OK(mydocker_container_status(c, &status, &pid_after, &err), &err);
  CHECK(status == MYDOCKER_STATUS_RUNNING && pid_after > 0 && pid_after != pid);
  CHECK_OK(mydocker_container_update_restart_policy(c, "no", &err), &err);
  CHECK(inspect_until(c, "\"RestartPolicy\":{\"Name\":\"no\""));
  remove_container(c);
}

/* Reads from fd into buf until it holds `want`, the stream ends or ~10 s pass. */
static int read_until(int fd, char* buf, size_t cap, const char* want) {
  size_t n = strlen(buf);
  for (int i = 0; i < 500 && strstr(buf, want) == NULL && n + 1 < cap; ++i) {
    ssize_t got = read(fd, buf + n, cap - 1 - n);
    if (got == 0) break;
    if (got < 0) {
      usleep(20000);
      continue;
    }
    n += (size_t)got;
    buf[n] = '\0';
  }
  return strstr(buf, want) != NULL;
}

/* exec with a terminal: what is typed runs, and the detach keys leave the command running. */
static void test_exec_tty_detach_keys(void) {
  const char* const command[] = {"sleep", "600", NULL};
  const char* const shell[] = {"sh", NULL};
  mydocker_error_t* err = NULL;
  mydocker_exec_options_t exec = MYDOCKER_EXEC_OPTIONS_INIT;
  int in[2], out[2], code = -2;
  char buf[4096] = "";
  char* top = NULL;
  mydocker_container_t* c = run(command, 1, 0, 0);
  if (c == NULL) return;
  wait_running(c);
  CHECK(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC | O_NONBLOCK) == 0);
  exec.args = shell;
  exec.tty = 1;
  exec.stdin_fd = in[0];
  exec.stdout_fd = out[1];
  exec.detach_keys = "ctrl-p,ctrl-q";
  type(in[1], "echo on-a-''tty; exit 3\n");
  CHECK_OK(mydocker_container_exec(c, &exec, &code, &err), &err);
  CHECK(code == 3);
  CHECK(read_until(out[0], buf, sizeof buf, "on-a-tty"));
  CHECK(strstr(buf, "exit 3") != NULL); /* the terminal echoed what was typed */
  type(in[1], "\x10\x11");
  code = -2;
  CHECK_ERROR(mydocker_container_exec(c, &exec, &code, &err), &err, MYDOCKER_CANCELLED, "detached");
  CHECK(code == -2);
  /* The shell goes on inside the container, its terminal held open. */
  usleep(200000);
  CHECK_OK(mydocker_container_top(c, &top, &err), &err);
  CHECK(top != NULL && strstr(top, "\"command\":\"sh\"") != NULL);
  if (top != NULL && strstr(top, "\"command\":\"sh\"") == NULL) fprintf(stderr, "top: %s\n", top);
  mydocker_free(top);
  exec.detach_keys = "ctrl-1";
  CHECK_ERROR(mydocker_container_exec(c, &exec, &code, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "Invalid detach keys (ctrl-1) provided");
  close(in[0]);
  close(in[1]);
  close(out[0]);
  close(out[1]);
  remove_container(c);
}

int main(int argc, char** argv) {
  int rc;
  if (argc != 3) {
    fprintf(stderr, "usage: %s HELPER BUSYBOX_TAR\n", argv[0]);
    return 2;
  }
  rc = fixture_setup(&g_fx, argv[1], argv[2]);
  if (rc != 0) return rc;
  RUN_TEST(test_diff_cp_export);
  RUN_TEST(test_commit);
  RUN_TEST(test_attach_two_clients);
  RUN_TEST(test_attach_detach);
  RUN_TEST(test_healthcheck_and_stop_timeout);
  RUN_TEST(test_update_restart_policy);
  RUN_TEST(test_exec_tty_detach_keys);
  fixture_teardown(&g_fx);
  fprintf(stderr, "%d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
