/* Real containers through the C ABI, compiled as C: attached runs with the caller's
 * descriptors, detached runs with wait and logs, exec, stats, update, pause/unpause, kill,
 * stop, remove, list. Needs root. Usage: capi_containers_test <helper> <busybox.tar>. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"

static fixture g_fx;

/* Reads a descriptor to its end into buf (NUL-terminated). */
static void read_all(int fd, char* buf, size_t cap) {
  size_t n = 0;
  ssize_t got;
  while (n + 1 < cap && (got = read(fd, buf + n, cap - 1 - n)) > 0) n += (size_t)got;
  buf[n] = '\0';
}

/* Runs a container made with `create` detached (or attached with stdout into a pipe when `out`
 * is not NULL). */
static mydocker_container_t* run_with(const mydocker_create_options_t* create, char* out,
                                      size_t out_cap) {
  mydocker_error_t* err = NULL;
  mydocker_start_options_t start = MYDOCKER_START_OPTIONS_INIT;
  mydocker_container_t* c = NULL;
  int pipefd[2] = {-1, -1};
  if (out != NULL) {
    CHECK(pipe2(pipefd, O_CLOEXEC) == 0);
    start.attach = 1;
    start.stdout_fd = pipefd[1];
  }
  CHECK_OK(mydocker_container_run(g_fx.runtime, create, &start, &c, &err), &err);
  fixture_remember(&g_fx, c);
  if (out != NULL) {
    close(pipefd[1]); /* the monitor holds its own copy until the container ends */
    read_all(pipefd[0], out, out_cap);
    close(pipefd[0]);
  }
  return c;
}

/* Runs `command` in busybox detached (or attached, see run_with). */
static mydocker_container_t* run(const char* const* command, int auto_remove, char* out,
                                 size_t out_cap) {
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  create.image = "busybox";
  create.command = command;
  create.auto_remove = auto_remove;
  return run_with(&create, out, out_cap);
}

static void remove_container(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  CHECK_OK(mydocker_container_remove(c, 1, &err), &err);
  mydocker_container_destroy(c);
}

static void test_attached_run_writes_to_caller_fd(void) {
  const char* const command[] = {"echo", "hello from busybox", NULL};
  const char* const failing[] = {"sh", "-c", "exit 3", NULL};
  char out[256];
  int code = -2;
  mydocker_error_t* err = NULL;
  mydocker_container_t* c = run(command, 0, out, sizeof out);
  if (c == NULL) return;
  CHECK(strcmp(out, "hello from busybox\n") == 0);
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK(code == 0);
  remove_container(c);

  c = run(failing, 0, out, sizeof out);
  if (c == NULL) return;
  CHECK_OK(mydocker_container_wait(c, 10000, &code, &err), &err);
  CHECK(code == 3);
  /* A second wait, and a wait through a fresh handle, give the same code. */
  CHECK_OK(mydocker_container_wait(c, 0, &code, &err), &err);
  CHECK(code == 3);
  remove_container(c);
}

typedef struct captured {
  char text[512];
  int lines[3];
} captured;

static int capture_log(void* arg, int stream, const char* data, size_t len, int64_t time_ns) {
  captured* cap = (captured*)arg;
  size_t used = strlen(cap->text);
  CHECK(stream == 1 || stream == 2);
  CHECK(time_ns > 0);
  if (used + len + 3 < sizeof cap->text) {
    cap->text[used] = stream == 1 ? 'O' : 'E';
    memcpy(cap->text + used + 1, data, len);
    cap->text[used + 1 + len] = '\0';
  }
  cap->lines[stream]++;
  return 0;
}

static int stop_after_one(void* arg, int stream, const char* data, size_t len, int64_t time_ns) {
  (void)stream, (void)data, (void)len, (void)time_ns;
  ++*(int*)arg;
  return 1;
}

static void test_detached_wait_and_logs(void) {
  const char* const command[] = {"sh", "-c", "echo out1; echo err1 >&2; echo out2; exit 4", NULL};
  mydocker_error_t* err = NULL;
  mydocker_container_t* again = NULL;
  captured cap;
  int code = -2, status = -1, calls = 0;
  mydocker_container_t* c = run(command, 0, NULL, 0);
  if (c == NULL) return;
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK(code == 4);
  CHECK_OK(mydocker_container_status(c, &status, NULL, &err), &err);
  CHECK(status == MYDOCKER_STATUS_STOPPED);

  memset(&cap, 0, sizeof cap);
  CHECK_OK(mydocker_container_logs(c, 0, -1, capture_log, &cap, &err), &err);
  CHECK(strcmp(cap.text, "Oout1\nEerr1\nOout2\n") == 0 ||
        strcmp(cap.text, "Oout1\nOout2\nEerr1\n") == 0);
  CHECK(cap.lines[1] == 2 && cap.lines[2] == 1);
  memset(&cap, 0, sizeof cap);
  CHECK_OK(mydocker_container_logs(c, 1, 1, capture_log, &cap, &err), &err);
  CHECK(cap.lines[1] + cap.lines[2] == 1);
  CHECK_OK(mydocker_container_logs(c, 0, -1, stop_after_one, &calls, &err), &err);
  CHECK(calls == 1);

  /* A handle by name prefix of the id sees the recorded exit code. */
  {
    char prefix[13];
    memcpy(prefix, mydocker_container_id(c), 12);
    prefix[12] = '\0';
    CHECK_OK(mydocker_container_get(g_fx.runtime, prefix, &again, &err), &err);
    if (again != NULL) {
      CHECK(strcmp(mydocker_container_id(again), mydocker_container_id(c)) == 0);
      CHECK_OK(mydocker_container_wait(again, -1, &code, &err), &err);
      CHECK(code == 4);
      mydocker_container_destroy(again);
    }
  }
  remove_container(c);
}

static void test_exec(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  mydocker_exec_options_t exec = MYDOCKER_EXEC_OPTIONS_INIT;
  const char* const exit7[] = {"sh", "-c", "exit 7", NULL};
  const char* const echo[] = {"sh", "-c", "echo exec $GREETING", NULL};
  const char* const env[] = {"GREETING=hi", NULL};
  const char* const missing[] = {"no-such-command", NULL};
  const char* const background[] = {"sh", "-c", "sleep 1000 & echo bg", NULL};
  int pipefd[2];
  char out[128];
  int code = -2;

  exec.args = exit7;
  CHECK_OK(mydocker_container_exec(c, &exec, &code, &err), &err);
  CHECK(code == 7);
  /* The init function gives what the macro gives: no descriptor connected. */
  memset(&exec, 0x5A, sizeof exec);
  mydocker_exec_options_init(&exec);
  CHECK(exec.size == sizeof exec && exec.args == NULL && exec.detach == 0);
  CHECK(exec.stdin_fd == -1 && exec.stdout_fd == -1 && exec.stderr_fd == -1);
  exec.args = exit7;
  CHECK_OK(mydocker_container_exec(c, &exec, &code, &err), &err);
  CHECK(code == 7);

  CHECK(pipe2(pipefd, O_CLOEXEC) == 0);
  exec.args = echo;
  exec.env = env;
  exec.stdout_fd = pipefd[1];
  CHECK_OK(mydocker_container_exec(c, &exec, &code, &err), &err);
  close(pipefd[1]);
  read_all(pipefd[0], out, sizeof out);
  close(pipefd[0]);
  CHECK(code == 0);
  CHECK(strcmp(out, "exec hi\n") == 0);

  /* A command that leaves a process behind holding its output still returns. */
  CHECK(pipe2(pipefd, O_CLOEXEC) == 0);
  exec.args = background;
  exec.env = NULL;
  exec.stdout_fd = pipefd[1];
  CHECK_OK(mydocker_container_exec(c, &exec, &code, &err), &err);
  close(pipefd[1]);
  CHECK(code == 0);
  CHECK(read(pipefd[0], out, sizeof out) == 3 && strncmp(out, "bg\n", 3) == 0);
  close(pipefd[0]);

  exec.args = missing;
  exec.stdout_fd = -1;
  CHECK(mydocker_container_exec(c, &exec, &code, &err) != MYDOCKER_OK);
  CHECK(err != NULL && mydocker_error_exit_code(err) == 127);
  mydocker_error_free(err);
}

/* The exec handle: a command that runs while the caller goes on. */
static void test_exec_handle(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  mydocker_exec_options_t options = MYDOCKER_EXEC_OPTIONS_INIT;
  mydocker_exec_t* exec = NULL;
  const char* const server[] = {"sh", "-c", "echo started; exec sleep 1000", NULL};
  const char* const missing[] = {"no-such-command", NULL};
  int pipefd[2];
  char line[64];
  ssize_t got;
  int code = -2;

  CHECK(pipe2(pipefd, O_CLOEXEC) == 0);
  options.args = server;
  options.stdout_fd = pipefd[1];
  CHECK_OK(mydocker_exec_start(c, &options, &exec, &err), &err);
  if (exec == NULL) return;
  got = read(pipefd[0], line, sizeof line - 1);
  CHECK(got == 8 && strncmp(line, "started\n", 8) == 0);
  CHECK_ERROR(mydocker_exec_wait(exec, 100, &code, &err), &err, MYDOCKER_DEADLINE_EXCEEDED,
              "still running");
  CHECK_OK(mydocker_exec_signal(exec, SIGTERM, &err), &err);
  CHECK_OK(mydocker_exec_wait(exec, -1, &code, &err), &err);
  CHECK(code == 128 + SIGTERM);
  CHECK_OK(mydocker_exec_wait(exec, 0, &code, &err), &err);
  CHECK(code == 128 + SIGTERM);
  CHECK_ERROR(mydocker_exec_signal(exec, SIGTERM, &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "ended");
  mydocker_exec_destroy(exec);
  close(pipefd[0]);
  close(pipefd[1]);

  /* Destroying the handle of a running command kills it. */
  exec = NULL;
  options.stdout_fd = -1;
  CHECK_OK(mydocker_exec_start(c, &options, &exec, &err), &err);
  mydocker_exec_destroy(exec);

  /* A command that cannot be run fails at wait, with 127. */
  exec = NULL;
  options.args = missing;
  CHECK_OK(mydocker_exec_start(c, &options, &exec, &err), &err);
  if (exec == NULL) return;
  CHECK(mydocker_exec_wait(exec, -1, &code, &err) != MYDOCKER_OK);
  CHECK(err != NULL && mydocker_error_exit_code(err) == 127);
  mydocker_error_free(err);
  mydocker_exec_destroy(exec);
}

static void test_stats_update_pause(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  mydocker_stats_t stats = MYDOCKER_STATS_INIT;
  struct {
    mydocker_stats_t s;
    unsigned char newer[16];
  } bigger;
  size_t i;
  mydocker_resources_t resources = MYDOCKER_RESOURCES_INIT;
  mydocker_exec_options_t exec = MYDOCKER_EXEC_OPTIONS_INIT;
  const char* const args[] = {"true", NULL};
  int status = -1, code;

  CHECK_OK(mydocker_container_stats(c, &stats, &err), &err);
  CHECK(stats.pids_current >= 1);
  CHECK(stats.memory_limit == -1);
  /* No caller has a struct smaller than the first version. */
  memset(&bigger, 0xAB, sizeof bigger);
  bigger.s.size = offsetof(mydocker_stats_t, memory_usage);
  CHECK_ERROR(mydocker_container_stats(c, &bigger.s, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "mydocker_stats_t.size is 16");
  /* A newer caller's larger struct: what this library knows is filled, the rest zeroed. */
  bigger.s.size = sizeof bigger;
  CHECK_OK(mydocker_container_stats(c, &bigger.s, &err), &err);
  CHECK(bigger.s.size == sizeof bigger && bigger.s.pids_current >= 1);
  CHECK(bigger.s.memory_limit == -1);
  for (i = 0; i < sizeof bigger.newer; ++i) CHECK(bigger.newer[i] == 0);

  resources.memory = 64 << 20;
  resources.pids_limit = 50;
  CHECK_OK(mydocker_container_update(c, &resources, &err), &err);
  CHECK_OK(mydocker_container_stats(c, &stats, &err), &err);
  CHECK(stats.memory_limit == 64 << 20);
  CHECK(stats.pids_limit == 50);

  CHECK_OK(mydocker_container_pause(c, &err), &err);
  CHECK_OK(mydocker_container_status(c, &status, NULL, &err), &err);
  CHECK(status == MYDOCKER_STATUS_PAUSED);
  exec.args = args;
  CHECK_ERROR(mydocker_container_exec(c, &exec, &code, &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "paused");
  CHECK_ERROR(mydocker_container_pause(c, &err), &err, MYDOCKER_FAILED_PRECONDITION, "");
  CHECK_OK(mydocker_container_unpause(c, &err), &err);
  CHECK_OK(mydocker_container_status(c, &status, NULL, &err), &err);
  CHECK(status == MYDOCKER_STATUS_RUNNING);
}

/* 1.1's container operations on a running `sleep 1000`. */
static void test_top_rename_restart(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  char* json = NULL;
  char* name = NULL;
  int status = -1, pid = 0, pid_after = 0;
  CHECK_OK(mydocker_container_top(c, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"command\":\"sleep 1000\"") != NULL &&
        strstr(json, "\"uid\":0") != NULL);
  mydocker_free(json);
  CHECK_ERROR(mydocker_container_top(c, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  CHECK_OK(mydocker_container_rename(c, "capi-renamed", &err), &err);
  CHECK_OK(mydocker_container_name(c, &name, &err), &err);
  CHECK(name != NULL && strcmp(name, "capi-renamed") == 0);
  mydocker_free(name);
  CHECK_ERROR(mydocker_container_rename(c, "bad name!", &err), &err, MYDOCKER_INVALID_ARGUMENT, "");
  CHECK_ERROR(mydocker_container_remove_flags(c, 4, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "unknown remove flags 4");
  CHECK_OK(mydocker_container_status(c, &status, &pid, &err), &err);
  CHECK_OK(mydocker_container_restart(c, 1, &err), &err);
  CHECK_OK(mydocker_container_status(c, &status, &pid_after, &err), &err);
  CHECK(status == MYDOCKER_STATUS_RUNNING && pid_after > 0 && pid_after != pid);
}

static void test_long_running_container(void) {
  const char* const command[] = {"sleep", "1000", NULL};
  mydocker_error_t* err = NULL;
  char* json = NULL;
  int status = -1, pid = 0, code = -2;
  mydocker_container_t* c = run(command, 0, NULL, 0);
  if (c == NULL) return;
  CHECK_OK(mydocker_container_status(c, &status, &pid, &err), &err);
  CHECK(status == MYDOCKER_STATUS_RUNNING && pid > 0);
  CHECK_ERROR(mydocker_container_wait(c, 100, &code, &err), &err, MYDOCKER_DEADLINE_EXCEEDED,
              "still running");

  test_exec(c);
  test_exec_handle(c);
  test_stats_update_pause(c);

  CHECK_OK(mydocker_container_inspect(c, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"Config\"") != NULL && strstr(json, "\"Spec\"") != NULL &&
        strstr(json, "\"Status\":\"running\"") != NULL);
  mydocker_free(json);
  CHECK_OK(mydocker_container_list(g_fx.runtime, 0, &json, &err), &err);
  CHECK(json != NULL && strstr(json, mydocker_container_id(c)) != NULL);
  mydocker_free(json);
  CHECK_ERROR(mydocker_container_remove(c, 0, &err), &err, MYDOCKER_FAILED_PRECONDITION, "");
  test_top_rename_restart(c);

  /* sleep as PID 1 ignores SIGTERM: stop kills it after the timeout. */
  CHECK_OK(mydocker_container_stop(c, 1, &err), &err);
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK(code == 128 + SIGKILL);
  CHECK_OK(mydocker_container_list(g_fx.runtime, 0, &json, &err), &err);
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  mydocker_free(json);
  CHECK_OK(mydocker_container_remove_flags(c, MYDOCKER_REMOVE_VOLUMES, &err), &err);
  mydocker_container_destroy(c);
}

static void test_kill_and_auto_remove(void) {
  const char* const sleeper[] = {"sleep", "1000", NULL};
  const char* const exit5[] = {"sh", "-c", "exit 5", NULL};
  mydocker_error_t* err = NULL;
  mydocker_container_t* gone = NULL;
  char id[65];
  int code = -2;
  mydocker_container_t* c = run(sleeper, 0, NULL, 0);
  if (c != NULL) {
    CHECK_OK(mydocker_container_kill(c, SIGKILL, &err), &err);
    CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
    CHECK(code == 128 + SIGKILL);
    remove_container(c);
  }

  /* --rm: the record is gone once it ended, but the handle that started it knows the code. */
  c = run(exit5, 1, NULL, 0);
  if (c == NULL) return;
  strcpy(id, mydocker_container_id(c));
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK(code == 5);
  mydocker_container_destroy(c);
  CHECK_ERROR(mydocker_container_get(g_fx.runtime, id, &gone, &err), &err, MYDOCKER_NOT_FOUND, "");
}

static void test_start_again_after_stop(void) {
  const char* const command[] = {"sh", "-c", "echo round", NULL};
  mydocker_error_t* err = NULL;
  captured cap;
  int code = -2;
  mydocker_container_t* c = run(command, 0, NULL, 0);
  if (c == NULL) return;
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK_OK(mydocker_container_start(c, NULL, &err), &err);
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK(code == 0);
  memset(&cap, 0, sizeof cap);
  CHECK_OK(mydocker_container_logs(c, 0, -1, capture_log, &cap, &err), &err);
  CHECK(strcmp(cap.text, "Oround\nOround\n") == 0);
  remove_container(c);
}

/* A restart policy from the create options: on-failure:2 runs a failing command three times;
 * the state counts the restarts. A bad policy is refused before anything exists. */
static void test_restart_policy(void) {
  const char* const fail[] = {"sh", "-c", "exit 3", NULL};
  mydocker_error_t* err = NULL;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_container_t* c = NULL;
  char* json = NULL;
  int code = -2;
  int status = -1;
  create.image = "busybox";
  create.command = fail;
  create.restart_policy = "always:2";
  CHECK_ERROR(mydocker_container_create(g_fx.runtime, &create, &c, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "maximum retry count can only be used with 'on-failure'");
  create.restart_policy = "on-failure:2";
  CHECK_OK(mydocker_container_run(g_fx.runtime, &create, NULL, &c, &err), &err);
  if (c == NULL) return;
  fixture_remember(&g_fx, c);
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK(code == 3); /* the first end, as Docker's wait reports it */
  /* The monitor restarts it twice more (100 then 200 ms back-off), then records it stopped. */
  for (int i = 0; i < 600 && status != MYDOCKER_STATUS_STOPPED; ++i) {
    CHECK_OK(mydocker_container_status(c, &status, NULL, &err), &err);
    if (status != MYDOCKER_STATUS_STOPPED) usleep(50000);
  }
  CHECK(status == MYDOCKER_STATUS_STOPPED);
  CHECK_OK(mydocker_container_state(c, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"restartCount\":2") != NULL);
  mydocker_free(json);
  remove_container(c);
}

/* Reads from fd, appending to buf, until it holds `want` or the stream ends. */
static int read_until(int fd, char* buf, size_t cap, const char* want) {
  size_t n = strlen(buf);
  ssize_t got;
  while (strstr(buf, want) == NULL && n + 1 < cap && (got = read(fd, buf + n, cap - 1 - n)) > 0) {
    n += (size_t)got;
    buf[n] = '\0';
  }
  return strstr(buf, want) != NULL;
}

/* A tty container gets the initial size from the start options and follows resizes. */
static void test_tty_and_resize(void) {
  const char* const command[] = {"sh", "-c", "stty size; read line; stty size", NULL};
  mydocker_error_t* err = NULL;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_start_options_t start = MYDOCKER_START_OPTIONS_INIT;
  mydocker_container_t* c = NULL;
  int in[2], out[2], code = -2;
  char buf[512] = "";
  create.image = "busybox";
  create.command = command;
  create.tty = 1;
  create.open_stdin = 1;
  CHECK(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0);
  start.attach = 1;
  start.stdin_fd = in[0];
  start.stdout_fd = out[1];
  start.console_height = 30;
  start.console_width = 100;
  CHECK_OK(mydocker_container_run(g_fx.runtime, &create, &start, &c, &err), &err);
  close(in[0]);
  close(out[1]);
  if (c != NULL) {
    fixture_remember(&g_fx, c);
    CHECK(read_until(out[0], buf, sizeof buf, "30 100"));
    CHECK_ERROR(mydocker_container_resize(c, 0, 120, &err), &err, MYDOCKER_INVALID_ARGUMENT,
                "invalid terminal size");
    CHECK_OK(mydocker_container_resize(c, 40, 120, &err), &err);
    CHECK(write(in[1], "go\n", 3) == 3);
    CHECK(read_until(out[0], buf, sizeof buf, "40 120"));
    CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
    CHECK(code == 0);
    CHECK_ERROR(mydocker_container_resize(c, 40, 120, &err), &err, MYDOCKER_FAILED_PRECONDITION,
                "not attached");
    remove_container(c);
  }
  close(in[1]);
  close(out[0]);
}

/* Threads share one runtime: each runs its own container with its own output pipe. */
static void* run_in_thread(void* arg) {
  char want[64], out[256];
  const char* command[] = {"echo", want, NULL};
  mydocker_error_t* err = NULL;
  mydocker_container_t* c;
  int code = -2;
  snprintf(want, sizeof want, "thread %d", *(int*)arg);
  c = run(command, 0, out, sizeof out);
  if (c == NULL) return NULL;
  CHECK(strncmp(out, want, strlen(want)) == 0 && out[strlen(want)] == '\n');
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK(code == 0);
  remove_container(c);
  return NULL;
}

typedef struct waited {
  mydocker_container_t* container;
  int code;
} waited;

/* One thread waits on a handle while another kills through the same handle. */
static void* wait_in_thread(void* arg) {
  mydocker_error_t* err = NULL;
  waited* w = (waited*)arg;
  CHECK_OK(mydocker_container_wait(w->container, -1, &w->code, &err), &err);
  return NULL;
}

static void test_threads(void) {
  enum { kThreads = 4 };
  pthread_t threads[kThreads];
  int numbers[kThreads];
  const char* const sleeper[] = {"sleep", "1000", NULL};
  waited w = {NULL, -2};
  pthread_t waiter;
  mydocker_error_t* err = NULL;
  int i;
  for (i = 0; i < kThreads; ++i) {
    numbers[i] = i;
    CHECK(pthread_create(&threads[i], NULL, run_in_thread, &numbers[i]) == 0);
  }
  for (i = 0; i < kThreads; ++i) pthread_join(threads[i], NULL);

  w.container = run(sleeper, 0, NULL, 0);
  if (w.container == NULL) return;
  CHECK(pthread_create(&waiter, NULL, wait_in_thread, &w) == 0);
  usleep(100 * 1000);
  CHECK_OK(mydocker_container_kill(w.container, SIGKILL, &err), &err);
  pthread_join(waiter, NULL);
  CHECK(w.code == 128 + SIGKILL);
  remove_container(w.container);
}

/* Runs `create` attached and checks that its output contains `want`. */
static void check_output(const mydocker_create_options_t* create, const char* want) {
  char out[256];
  mydocker_container_t* c = run_with(create, out, sizeof out);
  if (c == NULL) return;
  CHECK(strstr(out, want) != NULL);
  mydocker_container_destroy(c);
}

/* Checks that `create` is refused with InvalidArgument naming `needle`. */
static void check_refused(const mydocker_create_options_t* create, const char* needle) {
  mydocker_error_t* err = NULL;
  mydocker_container_t* c = NULL;
  CHECK_ERROR(mydocker_container_create(g_fx.runtime, create, &c, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, needle);
}

/* Since 1.4: cap_add / cap_drop on Docker's default set, the seccomp profile following them;
 * privileged; an unknown capability refused. */
static void test_capabilities_and_privileged(void) {
  const char* const status[] = {"sh", "-c", "grep -E '^(CapEff|Seccomp):' /proc/self/status", NULL};
  const char* const mount_tmpfs[] = {
      "sh", "-c", "mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted", NULL};
  const char* const all[] = {"all", NULL};
  const char* const sys_admin[] = {"sys_admin", NULL};
  const char* const bogus[] = {"CAP_BOGUS", NULL};
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  create.image = "busybox";
  create.auto_remove = 1;
  create.command = status;
  create.cap_drop = all;
  check_output(&create, "CapEff:\t0000000000000000\nSeccomp:\t2\n");
  create.cap_drop = NULL;
  create.cap_add = sys_admin;
  create.command = mount_tmpfs;
  check_output(&create, "mounted\n");
  create.cap_add = NULL;
  create.privileged = 1;
  create.command = status;
  check_output(&create, "Seccomp:\t0\n");
  create.privileged = 0;
  create.cap_add = bogus;
  check_refused(&create, "invalid CapAdd: unknown capability: \"CAP_BOGUS\"");
}

/* Since 1.4: read_only, tmpfs and mounts; a duplicate target refused. */
static void test_read_only_tmpfs_and_mounts(void) {
  const char* const script[] = {
      "sh", "-c", "touch /x 2>/dev/null || echo ro; touch /run/f /t/f && echo tmp", NULL};
  const char* const tmpfs[] = {"/run:size=1m", NULL};
  const char* const mounts[] = {"type=tmpfs,target=/t,tmpfs-mode=700", NULL};
  const char* const twice[] = {"type=tmpfs,target=/run", NULL};
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  create.image = "busybox";
  create.auto_remove = 1;
  create.command = script;
  create.read_only = 1;
  create.tmpfs = tmpfs;
  create.mounts = mounts;
  check_output(&create, "ro\ntmp\n");
  create.mounts = twice;
  check_refused(&create, "Duplicate mount point: /run");
}

int main(int argc, char** argv) {
  int rc;
  if (argc != 3) {
    fprintf(stderr, "usage: %s HELPER BUSYBOX_TAR\n", argv[0]);
    return 2;
  }
  rc = fixture_setup(&g_fx, argv[1], argv[2]);
  if (rc != 0) return rc;
  RUN_TEST(test_attached_run_writes_to_caller_fd);
  RUN_TEST(test_detached_wait_and_logs);
  RUN_TEST(test_long_running_container);
  RUN_TEST(test_kill_and_auto_remove);
  RUN_TEST(test_start_again_after_stop);
  RUN_TEST(test_restart_policy);
  RUN_TEST(test_threads);
  RUN_TEST(test_tty_and_resize);
  RUN_TEST(test_capabilities_and_privileged);
  RUN_TEST(test_read_only_tmpfs_and_mounts);
  fixture_teardown(&g_fx);
  fprintf(stderr, "%d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
