/* The C ABI's 1.8 additions: a container made from an OCI bundle through mydocker-runc, on a
 * real container, compiled as C; 1.10's mydocker_bundle_exec; and 1.11's pause, resume, ps and
 * stats. The test process is a subreaper,
 * as conmon is, so the container's init becomes its child once mydocker-runc exits, and it reaps
 * init itself. Needs root. Usage: capi_bundle_test <mydocker-runc>. Nothing is left: no state,
 * cgroup or process. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static char g_dir[64];
static char g_root[128];
static char g_bundle[128];
static mydocker_bundle_options_t g_options;

static int write_file(const char* path, const char* text) {
  FILE* f = fopen(path, "w");
  if (f == NULL) return -1;
  fputs(text, f);
  return fclose(f);
}

/* A bundle whose root is Debian's static busybox and whose process runs `script`. */
static int make_bundle(const char* script) {
  char path[256], config[4096];
  static const char* const kApplets[] = {"sh", "echo", "cat", "sleep", "id", NULL};
  snprintf(path, sizeof path, "%s/rootfs/bin", g_bundle);
  if (access(path, F_OK) != 0) {
    char cmd[1024];
    snprintf(
        cmd, sizeof cmd,
        "mkdir -p %s/rootfs/bin %s/rootfs/proc %s/rootfs/dev && cp /bin/busybox %s/rootfs/bin/",
        g_bundle, g_bundle, g_bundle, g_bundle);
    if (system(cmd) != 0) return -1;
    for (int i = 0; kApplets[i] != NULL; ++i) {
      snprintf(path, sizeof path, "%s/rootfs/bin/%s", g_bundle, kApplets[i]);
      if (symlink("busybox", path) != 0) return -1;
    }
  }
  snprintf(config, sizeof config,
           "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\",\"-c\",\"%s\"],"
           "\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}},"
           "\"root\":{\"path\":\"rootfs\"},\"hostname\":\"capibundle\","
           "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
           "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}],"
           "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"uts\"},"
           "{\"type\":\"ipc\"},{\"type\":\"network\"}]}}",
           script);
  snprintf(path, sizeof path, "%s/config.json", g_bundle);
  return write_file(path, config);
}

static int status_is(const char* id, const char* status) {
  mydocker_error_t* err = NULL;
  char* json = NULL;
  char needle[64];
  int rc = mydocker_bundle_state(&g_options, id, &json, &err);
  snprintf(needle, sizeof needle, "\"status\": \"%s\"", status);
  int ok = rc == MYDOCKER_OK && json != NULL && strstr(json, needle) != NULL &&
           strstr(json, "\"id\": \"") != NULL && strstr(json, id) != NULL;
  mydocker_free(json);
  mydocker_error_free(err);
  return ok;
}

static void test_create_start_state_kill_delete(void) {
  mydocker_error_t* err = NULL;
  char out_path[192], text[256] = {0};
  int pid = 0, status = 0;
  CHECK(make_bundle("echo hello from $(cat /proc/sys/kernel/hostname); exec sleep 60") == 0);
  snprintf(out_path, sizeof out_path, "%s/out", g_dir);
  int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  CHECK(out >= 0);
  g_options.stdio_set = 1;
  g_options.stdout_fd = out;
  CHECK_OK(mydocker_bundle_create(&g_options, g_bundle, "b1", &pid, &err), &err);
  g_options.stdio_set = 0;
  close(out);
  CHECK(pid > 0);
  CHECK(status_is("b1", "created"));
  /* Waiting for start: nothing printed yet. */
  CHECK(access(out_path, F_OK) == 0);
  struct stat st;
  CHECK(stat(out_path, &st) == 0 && st.st_size == 0);
  CHECK_OK(mydocker_bundle_start(&g_options, "b1", &err), &err);
  CHECK(status_is("b1", "running"));
  for (int i = 0; i < 200 && (stat(out_path, &st) != 0 || st.st_size == 0); ++i) usleep(10000);
  FILE* f = fopen(out_path, "r");
  if (f != NULL) {
    CHECK(fgets(text, sizeof text, f) != NULL);
    fclose(f);
  }
  CHECK(strcmp(text, "hello from capibundle\n") == 0);
  /* Started twice, deleted while running: refused, and the container goes on. */
  CHECK_ERROR(mydocker_bundle_start(&g_options, "b1", &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "");
  CHECK(mydocker_bundle_delete(&g_options, "b1", 0, &err) != MYDOCKER_OK);
  mydocker_error_free(err);
  err = NULL;
  CHECK(status_is("b1", "running"));
  /* 1.11: its processes, its stats, paused and resumed (what the kernel's freezer says). */
  char* json = NULL;
  CHECK_OK(mydocker_bundle_ps(&g_options, "b1", &json, &err), &err);
  char expect[32];
  snprintf(expect, sizeof expect, "[%d]", pid); /* sh exec'd sleep: one process, init */
  CHECK(json != NULL && strcmp(json, expect) == 0);
  mydocker_free(json);
  json = NULL;
  CHECK_OK(mydocker_bundle_stats(&g_options, "b1", &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"type\":\"stats\"") != NULL &&
        strstr(json, "\"id\":\"b1\"") != NULL && strstr(json, "\"pids\"") != NULL);
  mydocker_free(json);
  CHECK_ERROR(mydocker_bundle_resume(&g_options, "b1", &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "running");
  CHECK_OK(mydocker_bundle_pause(&g_options, "b1", &err), &err);
  CHECK(status_is("b1", "paused"));
  CHECK_ERROR(mydocker_bundle_pause(&g_options, "b1", &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "paused");
  CHECK_OK(mydocker_bundle_resume(&g_options, "b1", &err), &err);
  CHECK(status_is("b1", "running"));
  CHECK_ERROR(mydocker_bundle_ps(&g_options, "b1", NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json");
  CHECK_ERROR(mydocker_bundle_pause(&g_options, "nosuch", &err), &err, MYDOCKER_NOT_FOUND,
              "nosuch");
  /* The subreaper's child: this process reaps the container's init. */
  CHECK_OK(mydocker_bundle_kill(&g_options, "b1", SIGKILL, &err), &err);
  CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  CHECK(status_is("b1", "stopped"));
  CHECK_ERROR(mydocker_bundle_kill(&g_options, "b1", SIGTERM, &err), &err,
              MYDOCKER_FAILED_PRECONDITION, "");
  CHECK_ERROR(mydocker_bundle_stats(&g_options, "b1", &(char*){NULL}, &err), &err,
              MYDOCKER_FAILED_PRECONDITION, "not running");
  CHECK_ERROR(mydocker_bundle_pause(&g_options, "b1", &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "stopped");
  CHECK_OK(mydocker_bundle_delete(&g_options, "b1", 0, &err), &err);
  CHECK_ERROR(mydocker_bundle_state(&g_options, "b1", &(char*){NULL}, &err), &err,
              MYDOCKER_NOT_FOUND, "b1");
}

static void test_force_delete_of_a_created_container(void) {
  mydocker_error_t* err = NULL;
  int pid = 0;
  CHECK(make_bundle("exec sleep 60") == 0);
  CHECK_OK(mydocker_bundle_create(&g_options, g_bundle, "b2", &pid, &err), &err);
  CHECK_OK(mydocker_bundle_delete(&g_options, "b2", 1, &err), &err);
  CHECK(waitpid(pid, NULL, 0) == pid);
  CHECK_ERROR(mydocker_bundle_state(&g_options, "b2", &(char*){NULL}, &err), &err,
              MYDOCKER_NOT_FOUND, "");
}

static void test_bad_input_is_refused_before_anything_is_made(void) {
  mydocker_error_t* err = NULL;
  char path[256];
  CHECK(make_bundle("true") == 0);
  snprintf(path, sizeof path, "%s/config.json", g_bundle);
  CHECK(write_file(path,
                   "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":\"sh\",\"cwd\":\"/\"},"
                   "\"root\":{\"path\":\"rootfs\"}}") == 0);
  CHECK_ERROR(mydocker_bundle_create(&g_options, g_bundle, "b3", NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "process.args");
  CHECK_ERROR(mydocker_bundle_create(&g_options, "/nonexistent-bundle", "b3", NULL, &err), &err,
              MYDOCKER_NOT_FOUND, "nonexistent-bundle");
  CHECK_ERROR(mydocker_bundle_create(&g_options, g_bundle, NULL, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "id");
  CHECK_ERROR(mydocker_bundle_create(&g_options, g_bundle, "../x", NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "id");
  CHECK_ERROR(mydocker_bundle_kill(&g_options, "b3", 0, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "signal");
  mydocker_bundle_options_t bad = g_options;
  bad.runc_path = "/nonexistent/mydocker-runc";
  CHECK_ERROR(mydocker_bundle_start(&bad, "b3", &err), &err, MYDOCKER_NOT_FOUND,
              "/nonexistent/mydocker-runc");
  bad = g_options;
  bad.root = "relative";
  CHECK_ERROR(mydocker_bundle_start(&bad, "b3", &err), &err, MYDOCKER_INVALID_ARGUMENT, "root");
  bad = g_options;
  bad.size = 4;
  CHECK_ERROR(mydocker_bundle_start(&bad, "b3", &err), &err, MYDOCKER_INVALID_ARGUMENT, "size");
  /* Nothing was made: the state directory is empty. */
  glob_t g;
  char pattern[160];
  snprintf(pattern, sizeof pattern, "%s/*", g_root);
  CHECK(glob(pattern, 0, NULL, &g) == GLOB_NOMATCH);
}

static int read_text(const char* path, char* text, size_t size) {
  memset(text, 0, size);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, text, size - 1);
  close(fd);
  return n < 0 ? -1 : 0;
}

/* 1.10: exec into a running container: the exit code and output, env, cwd and user; detached
 * (this subreaper reaps the process); bad input and a missing command refused; a stopped
 * container refused. */
static void test_exec(void) {
  mydocker_error_t* err = NULL;
  char out_path[192], text[512];
  int pid = 0, status = 0, code = -1, exec_pid = 0;
  CHECK(make_bundle("exec sleep 60") == 0);
  CHECK_OK(mydocker_bundle_create(&g_options, g_bundle, "b4", &pid, &err), &err);
  CHECK_OK(mydocker_bundle_start(&g_options, "b4", &err), &err);

  snprintf(out_path, sizeof out_path, "%s/exec-out", g_dir);
  int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  CHECK(out >= 0);
  const char* args[] = {"sh", "-c",
                        "echo $GREETING $(pwd) $(id -u):$(id -g); echo oops >&2; exit 7", NULL};
  const char* env[] = {"GREETING=hi", NULL};
  mydocker_bundle_exec_options_t e = MYDOCKER_BUNDLE_EXEC_OPTIONS_INIT;
  e.args = args;
  e.env = env;
  e.cwd = "/proc";
  e.user = "1000:1001";
  e.stdio_set = 1;
  e.stdout_fd = out;
  CHECK_OK(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err);
  close(out);
  CHECK(code == 7);
  CHECK(read_text(out_path, text, sizeof text) == 0);
  CHECK(strcmp(text, "hi /proc 1000:1001\n") == 0);

  /* Without options over it, config.json's process: uid 0, cwd /; stderr connected. */
  out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  CHECK(out >= 0);
  const char* args2[] = {"sh", "-c", "echo $(pwd) $(id -u) >&2", NULL};
  mydocker_bundle_exec_options_init(&e);
  e.args = args2;
  e.stdio_set = 1;
  e.stderr_fd = out;
  code = -1;
  CHECK_OK(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err);
  close(out);
  CHECK(code == 0);
  CHECK(read_text(out_path, text, sizeof text) == 0);
  CHECK(strcmp(text, "/ 0\n") == 0);

  /* Killed by a signal: 128+N. */
  const char* killed[] = {"sh", "-c", "kill -9 $$", NULL};
  mydocker_bundle_exec_options_init(&e);
  e.args = killed;
  CHECK_OK(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err);
  CHECK(code == 128 + SIGKILL);

  /* Detached: the pid comes back, and the process is this subreaper's child. */
  const char* detached[] = {"sh", "-c", "exit 5", NULL};
  mydocker_bundle_exec_options_init(&e);
  e.args = detached;
  e.detach = 1;
  code = -1;
  CHECK_OK(mydocker_bundle_exec(&g_options, "b4", &e, &code, &exec_pid, &err), &err);
  CHECK(code == -1);
  CHECK(exec_pid > 0 && exec_pid != pid);
  CHECK(waitpid(exec_pid, &status, 0) == exec_pid && WIFEXITED(status) && WEXITSTATUS(status) == 5);

  /* A command the container does not have: exit code 127 and one line naming it; no process
   * of the failed exec is left to this subreaper. */
  const char* missing[] = {"no-such-command", NULL};
  mydocker_bundle_exec_options_init(&e);
  e.args = missing;
  code = -1;
  CHECK(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err) != MYDOCKER_OK);
  CHECK(code == -1);
  CHECK(mydocker_error_exit_code(err) == 127);
  CHECK(strcmp(mydocker_error_message(err),
               "exec: \"no-such-command\": executable file not found in $PATH") == 0);
  mydocker_error_free(err);
  err = NULL;
  CHECK(waitpid(-1, NULL, WNOHANG) == 0); /* init, still running, is our only child */

  /* Bad input, refused before anything is started. */
  mydocker_bundle_exec_options_init(&e);
  CHECK_ERROR(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "args");
  CHECK_ERROR(mydocker_bundle_exec(&g_options, "b4", NULL, &code, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "exec_options");
  e.args = detached;
  e.tty = 1;
  CHECK_ERROR(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "console socket");
  mydocker_bundle_exec_options_init(&e);
  e.args = detached;
  const char* bad_env[] = {"NOEQUALS", NULL};
  e.env = bad_env;
  CHECK_ERROR(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "NOEQUALS");
  e.env = NULL;
  e.cwd = "relative";
  CHECK_ERROR(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "relative");
  e.cwd = NULL;
  e.user = "nobody";
  CHECK_ERROR(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "nobody");
  e.user = NULL;
  e.size = 4;
  CHECK_ERROR(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "size");
  e.size = sizeof e;
  CHECK_ERROR(mydocker_bundle_exec(&g_options, "nosuch", &e, &code, NULL, &err), &err,
              MYDOCKER_NOT_FOUND, "nosuch");

  /* Stopped: refused. */
  CHECK_OK(mydocker_bundle_kill(&g_options, "b4", SIGKILL, &err), &err);
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK_ERROR(mydocker_bundle_exec(&g_options, "b4", &e, &code, NULL, &err), &err,
              MYDOCKER_FAILED_PRECONDITION, "stopped");
  CHECK_OK(mydocker_bundle_delete(&g_options, "b4", 0, &err), &err);
}

static void check_nothing_left(void) {
  const char* layouts[] = {"/sys/fs/cgroup/*/mydocker-runc/b[1234]",
                           "/sys/fs/cgroup/mydocker-runc/b[1234]"};
  for (int i = 0; i < 2; ++i) {
    glob_t g;
    if (glob(layouts[i], 0, NULL, &g) == 0) {
      fprintf(stderr, "left cgroup: %s\n", g.gl_pathv[0]);
      ++g_failures;
      globfree(&g);
    }
  }
  /* No child of ours (an init we were given) is left. */
  CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: capi_bundle_test <mydocker-runc>\n");
    return 2;
  }
  if (geteuid() != 0) {
    fprintf(stderr, "skipped: needs root\n");
    return 77;
  }
  CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  strcpy(g_dir, "/tmp/mydocker-capibundle-XXXXXX");
  if (mkdtemp(g_dir) == NULL) return 1;
  snprintf(g_root, sizeof g_root, "%s/state", g_dir);
  snprintf(g_bundle, sizeof g_bundle, "%s/bundle", g_dir);
  mydocker_bundle_options_init(&g_options);
  g_options.root = g_root;
  g_options.runc_path = argv[1];
  RUN_TEST(test_create_start_state_kill_delete);
  RUN_TEST(test_force_delete_of_a_created_container);
  RUN_TEST(test_bad_input_is_refused_before_anything_is_made);
  RUN_TEST(test_exec);
  check_nothing_left();
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
  if (system(cmd) != 0) ++g_failures;
  return g_failures;
}
