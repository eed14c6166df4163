/* Error paths of every function of the C ABI, compiled as C: NULL handles and out-parameters,
 * bad option structs, unknown ids, wrong states. Each must give a clear code and message and
 * never crash. Usage: capi_errors_test <helper binary> <busybox.tar>. */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

static fixture g_fx;
static const char* g_helper;

static void test_version_and_error_objects(void) {
  char want[32];
  snprintf(want, sizeof want, "%d.%d.%d", MYDOCKER_VERSION_MAJOR, MYDOCKER_VERSION_MINOR,
           MYDOCKER_VERSION_PATCH);
  char* json = NULL;
  mydocker_error_t* err = NULL;
  CHECK(strcmp(mydocker_version(), want) == 0);
  CHECK(mydocker_version_number() == MYDOCKER_VERSION_NUMBER);
  CHECK(mydocker_version_number() ==
        MYDOCKER_VERSION_MAJOR * 10000 + MYDOCKER_VERSION_MINOR * 100 + MYDOCKER_VERSION_PATCH);
  CHECK_ERROR(mydocker_features(NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  CHECK_OK(mydocker_features(&json, &err), &err);
  snprintf(want, sizeof want, "\"MYDOCKER_%d.%d\"", MYDOCKER_VERSION_MAJOR, MYDOCKER_VERSION_MINOR);
  CHECK(json != NULL && strstr(json, "\"ociVersionMax\":\"1.0.2\"") != NULL &&
        strstr(json, "\"namespaces\":[\"pid\",") != NULL &&
        strstr(json, "\"SCMP_ACT_ERRNO\"") != NULL && strstr(json, want) != NULL);
  mydocker_free(json);
  CHECK(strcmp(mydocker_code_name(MYDOCKER_NOT_FOUND), "NOT_FOUND") == 0);
  CHECK(strcmp(mydocker_code_name(MYDOCKER_DATA_LOSS), "DATA_LOSS") == 0);
  CHECK(strcmp(mydocker_code_name(-1), "UNKNOWN") == 0);
  CHECK(strcmp(mydocker_code_name(99), "UNKNOWN") == 0);
  CHECK(mydocker_error_code(NULL) == MYDOCKER_INVALID_ARGUMENT);
  CHECK(strcmp(mydocker_error_message(NULL), "") == 0);
  CHECK(mydocker_error_exit_code(NULL) == 125);
  mydocker_error_free(NULL);
  mydocker_free(NULL);
}

static void test_runtime_open_errors(void) {
  mydocker_error_t* err = NULL;
  mydocker_runtime_t* rt = NULL;
  mydocker_runtime_options_t options = MYDOCKER_RUNTIME_OPTIONS_INIT;

  CHECK_ERROR(mydocker_runtime_open(NULL, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime out-parameter is NULL");
  options.size = 0;
  CHECK_ERROR(mydocker_runtime_open(&options, &rt, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "mydocker_runtime_options_t.size is 0");
  options.size = 3; /* less than the first version of the struct */
  CHECK_ERROR(mydocker_runtime_open(&options, &rt, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "mydocker_runtime_options_t.size is 3");
  {
    /* A newer caller's larger struct: read as openat2 does, the unknown rest must be zero. */
    struct {
      mydocker_runtime_options_t o;
      unsigned char newer[16];
    } bigger;
    memset(&bigger, 0, sizeof bigger);
    bigger.o.size = sizeof bigger;
    bigger.o.root = "relative/root";
    CHECK_ERROR(mydocker_runtime_open(&bigger.o, &rt, &err), &err, MYDOCKER_INVALID_ARGUMENT,
                "not an absolute path"); /* the size was accepted; the root is what is wrong */
    bigger.newer[5] = 1;
    CHECK_ERROR(mydocker_runtime_open(&bigger.o, &rt, &err), &err, MYDOCKER_INVALID_ARGUMENT,
                "does not know");
  }
  options.size = sizeof options;
  options.root = "relative/root";
  CHECK_ERROR(mydocker_runtime_open(&options, &rt, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "not an absolute path");
  CHECK(rt == NULL);

  /* Without an error object the code still comes back; an earlier error is replaced. */
  CHECK(mydocker_runtime_open(&options, &rt, NULL) == MYDOCKER_INVALID_ARGUMENT);
  CHECK(mydocker_runtime_open(&options, &rt, &err) == MYDOCKER_INVALID_ARGUMENT);
  options.size = 0;
  CHECK_ERROR(mydocker_runtime_open(&options, &rt, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "size is 0");

  CHECK(mydocker_runtime_root(NULL) == NULL);
  CHECK(mydocker_runtime_helper_path(NULL) == NULL);
  mydocker_runtime_close(NULL);
}

/* With no option and no $MYDOCKER_HELPER, the library finds the helper beside itself
 * (dladdr): in the build tree build/lib/../bin/mydocker-helper. */
static void test_helper_found_beside_library(void) {
  mydocker_error_t* err = NULL;
  mydocker_runtime_t* rt = NULL;
  mydocker_runtime_options_t options = MYDOCKER_RUNTIME_OPTIONS_INIT;
  const char* found;
  options.root = g_fx.root;
  unsetenv("MYDOCKER_HELPER");
  CHECK_OK(mydocker_runtime_open(&options, &rt, &err), &err);
  if (rt == NULL) return;
  found = mydocker_runtime_helper_path(rt);
  CHECK(strlen(found) > strlen("/bin/mydocker-helper") &&
        strcmp(found + strlen(found) - strlen("/bin/mydocker-helper"), "/bin/mydocker-helper") ==
            0);
  CHECK(strcmp(mydocker_runtime_root(rt), g_fx.root) == 0);
  setenv("MYDOCKER_HELPER", "/nonexistent/helper", 1);
  mydocker_runtime_close(rt);
  rt = NULL;
  /* The environment's helper is taken, and checked when the runtime opens. */
  CHECK_ERROR(mydocker_runtime_open(&options, &rt, &err), &err, MYDOCKER_NOT_FOUND,
              "the mydocker helper cannot be used (/nonexistent/helper");
  CHECK(rt == NULL);
  unsetenv("MYDOCKER_HELPER");
  (void)g_helper;
}

/* Since 1.3: the registry functions refuse bad arguments before any network access. */
static void test_registry_argument_errors(void) {
  mydocker_error_t* err = NULL;
  mydocker_runtime_t* rt = g_fx.runtime;
  mydocker_registry_options_t options = MYDOCKER_REGISTRY_OPTIONS_INIT;
  char* out = NULL;

  CHECK_ERROR(mydocker_image_pull(NULL, "x", NULL, &out, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_image_pull(rt, NULL, NULL, &out, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "image reference is NULL");
  CHECK_ERROR(mydocker_image_push(rt, NULL, NULL, &out, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "image reference is NULL");
  CHECK_ERROR(mydocker_image_pull(rt, "Bad:Name:x", NULL, &out, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "Bad");
  options.platform = "linux";
  CHECK_ERROR(mydocker_image_pull(rt, "127.0.0.1:9/x", &options, &out, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "invalid platform");
  options.size = 3;
  CHECK_ERROR(mydocker_image_push(rt, "busybox", &options, &out, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "mydocker_registry_options_t.size is 3");
  CHECK_ERROR(mydocker_image_push(rt,
                                  "busybox@sha256:"
                                  "0123456789abcdef0123456789abcdef"
                                  "0123456789abcdef0123456789abcdef",
                                  NULL, &out, &err),
              &err, MYDOCKER_INVALID_ARGUMENT, "cannot push a digest reference");
  CHECK_ERROR(mydocker_login(rt, "127.0.0.1:9", NULL, "p", NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "username is NULL");
  CHECK_ERROR(mydocker_login(rt, "127.0.0.1:9", "u", NULL, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "password is NULL");
  CHECK_ERROR(mydocker_logout(NULL, "127.0.0.1:9", NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK(out == NULL);
  CHECK(strcmp(mydocker_code_name(MYDOCKER_UNAUTHENTICATED), "UNAUTHENTICATED") == 0);
}

static void test_images_and_their_errors(void) {
  mydocker_error_t* err = NULL;
  mydocker_runtime_t* rt = g_fx.runtime;
  mydocker_image_t* image = NULL;
  char* json = NULL;
  char* id = NULL;

  CHECK_ERROR(mydocker_image_import(NULL, "/x.tar", "x", NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "runtime is NULL");
  CHECK_ERROR(mydocker_image_import(rt, NULL, "x", NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "tar path is NULL");
  CHECK_ERROR(mydocker_image_import(rt, "/x.tar", NULL, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "image reference is NULL");
  CHECK_ERROR(mydocker_image_import(rt, "/nonexistent/image.tar", "x", &id, &err), &err,
              MYDOCKER_NOT_FOUND, "/nonexistent/image.tar");
  CHECK(id == NULL);
  CHECK_ERROR(mydocker_image_import(rt, "/etc/hostname", "Bad:Name:x", &id, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "Bad");
  CHECK_ERROR(mydocker_image_list(NULL, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_image_list(rt, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  CHECK_ERROR(mydocker_image_remove(NULL, "busybox", 0, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_image_remove(rt, NULL, 0, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "image reference is NULL");
  CHECK_ERROR(mydocker_image_remove(rt, "nosuchimage", 0, &err), &err, MYDOCKER_NOT_FOUND,
              "nosuchimage");

  CHECK_OK(mydocker_image_list(rt, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"busybox:latest\"") != NULL);
  mydocker_free(json);

  CHECK_ERROR(mydocker_image_get(NULL, "busybox", &image, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_image_get(rt, NULL, &image, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "image reference is NULL");
  CHECK_ERROR(mydocker_image_get(rt, "busybox", NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "image out-parameter is NULL");
  CHECK_ERROR(mydocker_image_get(rt, "nosuchimage", &image, &err), &err, MYDOCKER_NOT_FOUND,
              "nosuchimage");
  CHECK_ERROR(mydocker_image_inspect(NULL, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "image is NULL");
  CHECK(mydocker_image_id(NULL) == NULL);
  mydocker_image_destroy(NULL);
  CHECK(image == NULL);
  CHECK_OK(mydocker_image_get(rt, "busybox:latest", &image, &err), &err);
  if (image == NULL) return;
  CHECK(strncmp(mydocker_image_id(image), "sha256:", 7) == 0);
  CHECK_ERROR(mydocker_image_inspect(image, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  json = NULL;
  CHECK_OK(mydocker_image_inspect(image, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"RepoTags\":[\"busybox:latest\"]") != NULL &&
        strstr(json, "\"Config\"") != NULL && strstr(json, mydocker_image_id(image)) != NULL);
  mydocker_free(json);
  mydocker_image_destroy(image);
}

/* Every container function given a NULL handle. */
static void test_null_container_handles(void) {
  mydocker_error_t* err = NULL;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_resources_t resources = MYDOCKER_RESOURCES_INIT;
  mydocker_exec_options_t exec = MYDOCKER_EXEC_OPTIONS_INIT;
  mydocker_stats_t stats = MYDOCKER_STATS_INIT;
  mydocker_container_t* c = NULL;
  char* json = NULL;
  int code = 0;
  const char* const args[] = {"true", NULL};
  create.image = "busybox";
  exec.args = args;

  CHECK_ERROR(mydocker_container_create(NULL, &create, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_container_get(NULL, "x", &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_container_run(NULL, &create, NULL, &c, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "runtime is NULL");
  CHECK_ERROR(mydocker_container_list(NULL, 1, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_container_start(NULL, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_wait(NULL, -1, &code, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_kill(NULL, SIGTERM, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_resize(NULL, 24, 80, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_stop(NULL, 1, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_remove(NULL, 1, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_pause(NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_unpause(NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  resources.memory = 64 << 20;
  CHECK_ERROR(mydocker_container_update(NULL, &resources, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_status(NULL, &code, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_state(NULL, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_inspect(NULL, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_logs(NULL, 0, -1, NULL, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "container is NULL");
  CHECK_ERROR(mydocker_container_exec(NULL, &exec, &code, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_stats(NULL, &stats, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_exec_start(NULL, &exec, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_exec_signal(NULL, SIGTERM, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "exec is NULL");
  CHECK_ERROR(mydocker_exec_wait(NULL, -1, &code, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "exec is NULL");
  mydocker_exec_destroy(NULL);
  CHECK(mydocker_container_id(NULL) == NULL);
  mydocker_container_destroy(NULL);
  CHECK(c == NULL && json == NULL);
}

/* Since 1.5: attach, cp, export, diff, commit and update_restart_policy refuse NULL handles
 * and arguments, and an options struct of a wrong size. */
static void test_1_5_argument_errors(void) {
  mydocker_error_t* err = NULL;
  mydocker_attach_options_t attach = MYDOCKER_ATTACH_OPTIONS_INIT;
  mydocker_commit_options_t commit = MYDOCKER_COMMIT_OPTIONS_INIT;
  mydocker_change_t* changes = NULL;
  size_t count = 0;
  char* id = NULL;
  int code = 0;
  CHECK_ERROR(mydocker_container_attach(NULL, &attach, &code, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "container is NULL");
  CHECK_ERROR(mydocker_container_copy_from(NULL, "/x", 0, 1, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_copy_to(NULL, "/x", 0, 0, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_export(NULL, 1, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_diff(NULL, &changes, &count, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "container is NULL");
  CHECK_ERROR(mydocker_container_commit(NULL, &commit, &id, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container is NULL");
  CHECK_ERROR(mydocker_container_update_restart_policy(NULL, "always", &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "container is NULL");
  {
    const char* const command[] = {"true", NULL};
    mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
    mydocker_container_t* c = NULL;
    create.image = "busybox";
    create.command = command;
    CHECK_OK(mydocker_container_create(g_fx.runtime, &create, &c, &err), &err);
    if (c == NULL) return;
    fixture_remember(&g_fx, c);
    CHECK_ERROR(mydocker_container_copy_from(c, NULL, 0, 1, &err), &err, MYDOCKER_INVALID_ARGUMENT,
                "path is NULL");
    CHECK_ERROR(mydocker_container_copy_to(c, NULL, 0, 0, &err), &err, MYDOCKER_INVALID_ARGUMENT,
                "directory is NULL");
    CHECK_ERROR(mydocker_container_diff(c, NULL, &count, &err), &err, MYDOCKER_INVALID_ARGUMENT,
                "changes out-parameter is NULL");
    CHECK_ERROR(mydocker_container_update_restart_policy(c, NULL, &err), &err,
                MYDOCKER_INVALID_ARGUMENT, "restart policy is NULL");
    attach.size = 3;
    CHECK_ERROR(mydocker_container_attach(c, &attach, &code, &err), &err, MYDOCKER_INVALID_ARGUMENT,
                "mydocker_attach_options_t.size is 3");
    commit.size = 3;
    CHECK_ERROR(mydocker_container_commit(c, &commit, &id, &err), &err, MYDOCKER_INVALID_ARGUMENT,
                "mydocker_commit_options_t.size is 3");
    CHECK_ERROR(mydocker_container_attach(c, NULL, &code, &err), &err, MYDOCKER_FAILED_PRECONDITION,
                "You cannot attach to a stopped container");
    CHECK_ERROR(mydocker_container_update_restart_policy(c, "on-failure:x", &err), &err,
                MYDOCKER_INVALID_ARGUMENT, "");
    CHECK_OK(mydocker_container_remove(c, 1, &err), &err);
    mydocker_container_destroy(c);
  }
  CHECK(id == NULL && changes == NULL);
}

static int ignore_line(void* arg, int stream, const char* data, size_t len, int64_t time_ns) {
  (void)arg, (void)stream, (void)data, (void)len, (void)time_ns;
  return 0;
}

static void test_1_6_argument_errors(void) {
  mydocker_error_t* err = NULL;
  mydocker_logs_options_t logs = MYDOCKER_LOGS_OPTIONS_INIT;
  const char* const refs[] = {"busybox", NULL};
  char* json = NULL;
  int code = 0;
  CHECK_ERROR(mydocker_cancel_create(NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "cancel out-parameter is NULL");
  CHECK_ERROR(mydocker_container_wait_cancel(NULL, -1, NULL, &code, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "container is NULL");
  CHECK_ERROR(mydocker_container_logs_with_options(NULL, &logs, ignore_line, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "container is NULL");
  CHECK_ERROR(mydocker_image_tag(NULL, "busybox", "x", &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_image_tag(g_fx.runtime, "busybox", NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "target reference is NULL");
  CHECK_ERROR(mydocker_image_tag(g_fx.runtime, "busybox", "Bad Name", &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "Bad Name");
  CHECK_ERROR(mydocker_image_save(g_fx.runtime, NULL, 1, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "image references is NULL");
  CHECK_ERROR(mydocker_image_save(g_fx.runtime, refs, -1, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "no descriptor");
  CHECK_ERROR(mydocker_image_load(g_fx.runtime, NULL, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "path is NULL");
  CHECK_ERROR(mydocker_image_history(g_fx.runtime, "busybox", NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "json out-parameter is NULL");
  CHECK_ERROR(mydocker_volume_create(NULL, "v", &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_volume_list(g_fx.runtime, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  CHECK_ERROR(mydocker_volume_inspect(g_fx.runtime, NULL, &json, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "volume name is NULL");
  CHECK_ERROR(mydocker_volume_remove(g_fx.runtime, "no-such-volume", 0, &err), &err,
              MYDOCKER_NOT_FOUND, "no-such-volume");
  CHECK_ERROR(mydocker_volume_prune(NULL, 0, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  {
    const char* const command[] = {"true", NULL};
    mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
    mydocker_container_t* c = NULL;
    create.image = "busybox";
    create.command = command;
    CHECK_OK(mydocker_container_create(g_fx.runtime, &create, &c, &err), &err);
    if (c == NULL) return;
    fixture_remember(&g_fx, c);
    CHECK_ERROR(mydocker_container_logs_with_options(c, &logs, NULL, NULL, &err), &err,
                MYDOCKER_INVALID_ARGUMENT, "log callback is NULL");
    logs.size = 3;
    CHECK_ERROR(mydocker_container_logs_with_options(c, &logs, ignore_line, NULL, &err), &err,
                MYDOCKER_INVALID_ARGUMENT, "mydocker_logs_options_t.size is 3");
    mydocker_logs_options_init(&logs);
    logs.since = "not a time";
    CHECK_ERROR(mydocker_container_logs_with_options(c, &logs, ignore_line, NULL, &err), &err,
                MYDOCKER_INVALID_ARGUMENT, "since");
    CHECK_OK(mydocker_container_remove(c, 1, &err), &err);
    mydocker_container_destroy(c);
  }
  CHECK(json == NULL);
}

static void test_create_errors(void) {
  mydocker_error_t* err = NULL;
  mydocker_runtime_t* rt = g_fx.runtime;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_resources_t resources = MYDOCKER_RESOURCES_INIT;
  mydocker_container_t* c = NULL;
  const char* const bad_env[] = {"NOEQUALSIGN", NULL};

  CHECK_ERROR(mydocker_container_create(rt, NULL, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "create options is NULL");
  CHECK_ERROR(mydocker_container_create(rt, &create, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container out-parameter is NULL");
  CHECK_ERROR(mydocker_container_create(rt, &create, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "image is not set");
  create.image = "nosuchimage";
  CHECK_ERROR(mydocker_container_create(rt, &create, &c, &err), &err, MYDOCKER_NOT_FOUND,
              "nosuchimage");
  create.image = "busybox";
  create.size = 0;
  CHECK_ERROR(mydocker_container_create(rt, &create, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "mydocker_create_options_t.size is 0");
  /* One byte short of the first version's struct (fields added since 1.0 may be left out). */
  create.size =
      offsetof(mydocker_create_options_t, cgroup_parent) + sizeof create.cgroup_parent - 1;
  CHECK_ERROR(mydocker_container_create(rt, &create, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "mydocker_create_options_t.size is");
  create.size = sizeof create;
  create.env = bad_env;
  CHECK_ERROR(mydocker_container_create(rt, &create, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "NOEQUALSIGN");
  create.env = NULL;
  create.workdir = "relative";
  CHECK_ERROR(mydocker_container_create(rt, &create, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "relative");
  create.workdir = NULL;
  create.resources = &resources;
  resources.size = 0;
  CHECK_ERROR(mydocker_container_create(rt, &create, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "mydocker_resources_t.size is 0");
  resources.size = sizeof resources;
  resources.cpus = -1;
  CHECK_ERROR(mydocker_container_create(rt, &create, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "negative");
  resources.cpus = 0;
  resources.cpuset_cpus = "3-1";
  CHECK_ERROR(mydocker_container_create(rt, &create, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "3-1");
  CHECK(c == NULL);

  CHECK_ERROR(mydocker_container_get(rt, NULL, &c, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container reference is NULL");
  CHECK_ERROR(mydocker_container_get(rt, "nosuchcontainer", &c, &err), &err, MYDOCKER_NOT_FOUND,
              "nosuchcontainer");
  CHECK_ERROR(mydocker_container_get(rt, "x", NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "container out-parameter is NULL");
}

/* The functions on a container that exists but does not run, and bad arguments to them. */
static void test_wrong_state_and_bad_arguments(void) {
  mydocker_error_t* err = NULL;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_resources_t resources = MYDOCKER_RESOURCES_INIT;
  mydocker_exec_options_t exec = MYDOCKER_EXEC_OPTIONS_INIT;
  mydocker_stats_t stats = MYDOCKER_STATS_INIT;
  mydocker_start_options_t start = MYDOCKER_START_OPTIONS_INIT;
  mydocker_container_t* c = NULL;
  mydocker_exec_t* handle = NULL;
  char* json = NULL;
  int code = 42, status = -1, pid = -1;
  const char* const args[] = {"true", NULL};
  const char* const no_args[] = {NULL};
  create.image = "busybox";
  create.command = args;
  create.name = "created-only";

  CHECK_OK(mydocker_container_create(g_fx.runtime, &create, &c, &err), &err);
  if (c == NULL) return;
  fixture_remember(&g_fx, c);
  CHECK(strlen(mydocker_container_id(c)) == 64);
  CHECK_ERROR(mydocker_container_create(g_fx.runtime, &create, &c, &err), &err,
              MYDOCKER_ALREADY_EXISTS, "created-only");

  CHECK_OK(mydocker_container_status(c, &status, &pid, &err), &err);
  CHECK(status == MYDOCKER_STATUS_CREATED && pid == 0);
  CHECK_ERROR(mydocker_container_status(c, NULL, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "status out-parameter is NULL");
  CHECK_ERROR(mydocker_container_state(c, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  CHECK_ERROR(mydocker_container_inspect(c, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  CHECK_ERROR(mydocker_container_list(g_fx.runtime, 1, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  CHECK_ERROR(mydocker_container_kill(c, SIGTERM, &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "not running");
  CHECK_ERROR(mydocker_container_kill(c, 0, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "invalid signal 0");
  CHECK_ERROR(mydocker_container_pause(c, &err), &err, MYDOCKER_FAILED_PRECONDITION, "");
  CHECK_ERROR(mydocker_container_unpause(c, &err), &err, MYDOCKER_FAILED_PRECONDITION, "");
  CHECK_ERROR(mydocker_container_stats(c, &stats, &err), &err, MYDOCKER_FAILED_PRECONDITION, "");
  stats.size = 0;
  CHECK_ERROR(mydocker_container_stats(c, &stats, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "mydocker_stats_t.size is 0");
  CHECK_ERROR(mydocker_container_stats(c, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "stats out-parameter is NULL");
  exec.args = args;
  CHECK_ERROR(mydocker_container_exec(c, &exec, &code, &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "");
  exec.args = no_args;
  CHECK_ERROR(mydocker_container_exec(c, &exec, &code, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "args is empty");
  exec.args = NULL;
  CHECK_ERROR(mydocker_container_exec(c, &exec, &code, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "args is empty");
  CHECK_ERROR(mydocker_container_exec(c, NULL, &code, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "exec options is NULL");
  CHECK(code == 42);
  CHECK_ERROR(mydocker_exec_start(c, &exec, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "exec out-parameter is NULL");
  CHECK_ERROR(mydocker_exec_start(c, NULL, &handle, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "exec options is NULL");
  exec.args = args;
  CHECK_ERROR(mydocker_exec_start(c, &exec, &handle, &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "is created");
  exec.detach = 1;
  CHECK_ERROR(mydocker_exec_start(c, &exec, &handle, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "detach");
  CHECK(handle == NULL);
  CHECK_ERROR(mydocker_container_update(c, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "resources is NULL");
  CHECK_ERROR(mydocker_container_update(c, &resources, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "no resource limit");
  resources.pids_limit = -5;
  CHECK_ERROR(mydocker_container_update(c, &resources, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "negative");
  CHECK_ERROR(mydocker_container_logs(c, 0, -1, NULL, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "log callback is NULL");
  start.size = 0;
  CHECK_ERROR(mydocker_container_start(c, &start, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "mydocker_start_options_t.size is 0");
  start.size = sizeof start;
  start.console_height = -1;
  CHECK_ERROR(mydocker_container_start(c, &start, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "invalid terminal size");
  CHECK_ERROR(mydocker_container_resize(c, 24, 80, &err), &err, MYDOCKER_FAILED_PRECONDITION,
              "not attached");

  /* A container that never ran: wait returns at once with the code unknown. */
  CHECK_OK(mydocker_container_wait(c, 1000, &code, &err), &err);
  CHECK(code == -1);
  CHECK_OK(mydocker_container_state(c, &json, &err), &err);
  CHECK(json != NULL && strstr(json, "\"created\"") != NULL);
  mydocker_free(json);
  CHECK_OK(mydocker_container_remove(c, 0, &err), &err);
  CHECK_ERROR(mydocker_container_state(c, &json, &err), &err, MYDOCKER_NOT_FOUND, "");
  CHECK_ERROR(mydocker_container_remove(c, 0, &err), &err, MYDOCKER_NOT_FOUND, "");
  mydocker_container_destroy(c);
}

/* A run whose command does not exist fails with exit code 127 and leaves no container. */
static void test_run_of_missing_command(void) {
  mydocker_error_t* err = NULL;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_container_t* c = NULL;
  char* json = NULL;
  const char* const command[] = {"/no/such/command", NULL};
  create.image = "busybox";
  create.command = command;
  CHECK(mydocker_container_run(g_fx.runtime, &create, NULL, &c, &err) != MYDOCKER_OK);
  CHECK(c == NULL);
  CHECK(err != NULL && mydocker_error_exit_code(err) == 127);
  CHECK(err != NULL && strstr(mydocker_error_message(err), "/no/such/command") != NULL);
  mydocker_error_free(err);
  err = NULL;
  CHECK_OK(mydocker_container_list(g_fx.runtime, 1, &json, &err), &err);
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  mydocker_free(json);
}

/* 1.8: OCI bundles. Refused before mydocker-runc is looked for or run. */
static void test_1_8_argument_errors(void) {
  mydocker_error_t* err = NULL;
  char* json = NULL;
  mydocker_bundle_options_t options;
  mydocker_bundle_options_init(&options);
  CHECK_ERROR(mydocker_bundle_create(NULL, NULL, "x", NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "bundle is NULL");
  CHECK_ERROR(mydocker_bundle_create(&options, "/tmp", NULL, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "id is NULL");
  CHECK_ERROR(mydocker_bundle_start(NULL, "", &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "id is empty");
  CHECK_ERROR(mydocker_bundle_state(NULL, "x", NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  CHECK(json == NULL);
  CHECK_ERROR(mydocker_bundle_kill(NULL, NULL, 9, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "id is NULL");
  CHECK_ERROR(mydocker_bundle_kill(NULL, "x", 99, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "signal 99");
  CHECK_ERROR(mydocker_bundle_delete(NULL, NULL, 1, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "id is NULL");
  options.size = 1;
  CHECK_ERROR(mydocker_bundle_start(&options, "x", &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "mydocker_bundle_options_t.size");
}

/* 1.9: housekeeping. Refused before anything is read or removed. */
static void test_1_9_argument_errors(void) {
  mydocker_error_t* err = NULL;
  char* json = NULL;
  mydocker_prune_options_t prune;
  mydocker_events_options_t events;
  mydocker_prune_options_init(&prune);
  mydocker_events_options_init(&events);
  CHECK_ERROR(mydocker_container_prune(NULL, &prune, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_image_prune(NULL, NULL, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_network_prune_with_options(NULL, NULL, &json, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "runtime is NULL");
  CHECK_ERROR(mydocker_system_prune(NULL, NULL, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_system_df(NULL, 1, &json, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_system_df(g_fx.runtime, 0, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "json out-parameter is NULL");
  CHECK_ERROR(mydocker_events(NULL, &events, NULL, NULL, &err), &err, MYDOCKER_INVALID_ARGUMENT,
              "runtime is NULL");
  CHECK_ERROR(mydocker_volume_create_with_labels(NULL, "v", NULL, &json, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "runtime is NULL");
  CHECK_ERROR(mydocker_volume_list_filtered(g_fx.runtime, NULL, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "json out-parameter is NULL");
  events.size = 8;
  CHECK_ERROR(mydocker_events(g_fx.runtime, &events, NULL, NULL, &err), &err,
              MYDOCKER_INVALID_ARGUMENT, "event callback is NULL");
  CHECK(json == NULL);
}

int main(int argc, char** argv) {
  int rc;
  if (argc != 3) {
    fprintf(stderr, "usage: %s HELPER BUSYBOX_TAR\n", argv[0]);
    return 2;
  }
  g_helper = argv[1];
  RUN_TEST(test_version_and_error_objects);
  RUN_TEST(test_runtime_open_errors);
  rc = fixture_setup(&g_fx, argv[1], argv[2]);
  if (rc != 0) return rc;
  RUN_TEST(test_helper_found_beside_library);
  RUN_TEST(test_images_and_their_errors);
  RUN_TEST(test_registry_argument_errors);
  RUN_TEST(test_null_container_handles);
  RUN_TEST(test_create_errors);
  RUN_TEST(test_1_5_argument_errors);
  RUN_TEST(test_1_6_argument_errors);
  RUN_TEST(test_1_8_argument_errors);
  RUN_TEST(test_1_9_argument_errors);
  RUN_TEST(test_wrong_state_and_bad_arguments);
  RUN_TEST(test_run_of_missing_command);
  fixture_teardown(&g_fx);
  fprintf(stderr, "%d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
