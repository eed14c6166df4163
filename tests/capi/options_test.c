/* The C ABI's 1.7 and 1.8 additions on real containers, compiled as C: the container options of #18
 * (labels, ulimits, sysctls, shm size, groups, OOM score, CFS period and quota), each shown by
 * inspect or seen by the container, and each bad value refused with nothing created. Needs root.
 * Usage: capi_options_test <helper> <busybox.tar>. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"

static fixture g_fx;

static const char* const kTrue[] = {"true", NULL};

static mydocker_container_t* create_container(const mydocker_create_options_t* create) {
  mydocker_error_t* err = NULL;
  mydocker_container_t* c = NULL;
  CHECK_OK(mydocker_container_create(g_fx.runtime, create, &c, &err), &err);
  if (c != NULL) fixture_remember(&g_fx, c);
  return c;
}

static void remove_container(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  if (c == NULL) return;
  CHECK_OK(mydocker_container_remove_flags(c, MYDOCKER_REMOVE_FORCE, &err), &err);
  mydocker_container_destroy(c);
}

/* The JSON of inspect, for strstr checks; free with mydocker_free. */
static char* inspect(mydocker_container_t* c) {
  mydocker_error_t* err = NULL;
  char* json = NULL;
  CHECK_OK(mydocker_container_inspect(c, &json, &err), &err);
  return json;
}

/* A create that must fail with `code` and a message naming `what`, leaving the `existing`
 * containers there were and no other. */
static void expect_refused_leaving(const mydocker_create_options_t* create, int code,
                                   const char* what, int existing) {
  mydocker_error_t* err = NULL;
  mydocker_container_t* c = NULL;
  char* list = NULL;
  int count = 0;
  const char* p;
  CHECK_ERROR(mydocker_container_create(g_fx.runtime, create, &c, &err), &err, code, what);
  CHECK(c == NULL);
  CHECK_OK(mydocker_container_list(g_fx.runtime, 1, &list, &err), &err);
  for (p = list; p != NULL && (p = strstr(p, "\"id\":")) != NULL; p += 5) ++count;
  CHECK(list != NULL && count == existing);
  mydocker_free(list);
}

static void expect_refused(const mydocker_create_options_t* create, int code, const char* what) {
  expect_refused_leaving(create, code, what, 0);
}

static void test_labels(void) {
  const char* const labels[] = {"tier=web", "empty", "tier=front", "eq=a=b", NULL};
  const char* const bad[] = {"=x", NULL};
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_container_t* c;
  char* json;

  create.image = "busybox";
  create.command = kTrue;
  create.labels = labels;
  c = create_container(&create);
  if (c == NULL) return;
  json = inspect(c);
  CHECK(json != NULL &&
        strstr(json, "\"Labels\":{\"empty\":\"\",\"eq\":\"a=b\",\"tier\":\"front\"}") != NULL);
  mydocker_free(json);
  remove_container(c);

  create.labels = bad;
  expect_refused(&create, MYDOCKER_INVALID_ARGUMENT, "invalid label '=x': empty name");
}

/* ulimits, sysctls, shm size, groups, OOM score adjustment and the CFS period and quota, as
 * the container's process sees them (its exit status says whether every one held). */
static void test_process_options(void) {
  const char* const script[] = {
      "sh", "-c",
      "test \"$(ulimit -n) $(ulimit -Hn)\" = '512 1024' && "
      "test \"$(cat /proc/sys/kernel/shmmax)\" = 7654321 && "
      "df -k /dev/shm | tail -1 | grep -q ' 4096 ' && "
      "id -G | grep -qw 4321 && test \"$(cat /proc/self/oom_score_adj)\" = 300",
      NULL};
  const char* const ulimits[] = {"nofile=512:1024", NULL};
  const char* const sysctls[] = {"kernel.shmmax=7654321", NULL};
  const char* const groups[] = {"4321", NULL};
  const char* const bad_sysctl[] = {"kernel.panic=1", NULL};
  const char* const bad_ulimit[] = {"nofiles=1", NULL};
  const int adj = 300;
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_resources_t resources = MYDOCKER_RESOURCES_INIT;
  mydocker_error_t* err = NULL;
  mydocker_container_t* c = NULL;
  char* json;
  int code = -1;

  create.image = "busybox";
  create.command = script;
  create.ulimits = ulimits;
  create.sysctls = sysctls;
  create.shm_size = 4 << 20;
  create.group_add = groups;
  create.oom_score_adj = &adj;
  resources.cpu_period = 50000;
  resources.cpu_quota = 25000;
  create.resources = &resources;
  CHECK_OK(mydocker_container_run(g_fx.runtime, &create, NULL, &c, &err), &err);
  if (c == NULL) return;
  fixture_remember(&g_fx, c);
  CHECK_OK(mydocker_container_wait(c, -1, &code, &err), &err);
  CHECK(code == 0);
  json = inspect(c);
  CHECK(json != NULL && strstr(json, "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\"") != NULL &&
        strstr(json, "\"oomScoreAdj\":300") != NULL &&
        strstr(json, "\"quota\":25000,\"period\":50000") != NULL &&
        strstr(json, "\"OomScoreAdj\":300") != NULL &&
        strstr(json, "\"ShmSize\":4194304") != NULL &&
        strstr(json, "\"Ulimits\":[{\"Name\":\"nofile\",\"Hard\":1024,\"Soft\":512}]") != NULL);
  mydocker_free(json);
  remove_container(c);

  create.command = kTrue;
  create.resources = NULL;
  create.sysctls = bad_sysctl;
  expect_refused(&create, MYDOCKER_INVALID_ARGUMENT, "is not in a separate kernel namespace");
  create.sysctls = NULL;
  create.ulimits = bad_ulimit;
  expect_refused(&create, MYDOCKER_INVALID_ARGUMENT, "invalid ulimit type: nofiles");
  create.ulimits = NULL;
  resources.cpus = 1;
  create.resources = &resources;
  expect_refused(&create, MYDOCKER_INVALID_ARGUMENT, "Nano CPUs and CPU Period");
}

/* --pid host, --uts host: the modes reach inspect; a bad one and a missing container are
 * refused with nothing created. */
static void test_namespace_modes(void) {
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_container_t* c;
  char* json;

  create.image = "busybox";
  create.command = kTrue;
  create.pid_mode = "host";
  create.uts_mode = "host";
  create.ipc_mode = "shareable";
  c = create_container(&create);
  if (c == NULL) return;
  json = inspect(c);
  CHECK(json != NULL && strstr(json,
                               "\"PidMode\":\"host\",\"IpcMode\":\"shareable\","
                               "\"UTSMode\":\"host\"") != NULL);
  mydocker_free(json);
  remove_container(c);
  create.hostname = "box";
  expect_refused(&create, MYDOCKER_INVALID_ARGUMENT, "hostname and the UTS mode");
  create.hostname = NULL;
  create.pid_mode = "container:nosuch";
  expect_refused(&create, MYDOCKER_INVALID_ARGUMENT, "No such container: nosuch");
}

/* 1.8: volumes_from mounts another container's volumes (read-only with ":ro"); inspect shows
 * them under Mounts and HostConfig.VolumesFrom. */
static void test_volumes_from(void) {
  const char* const vols[] = {"/shared", NULL};
  const char* const from[] = {"capi_vsrc:ro", NULL};
  const char* const bad[] = {"capi_vsrc:rx", NULL};
  const char* const missing[] = {"capi_nosuch", NULL};
  mydocker_create_options_t create = MYDOCKER_CREATE_OPTIONS_INIT;
  mydocker_container_t* src;
  mydocker_container_t* c;
  char* json;

  create.image = "busybox";
  create.command = kTrue;
  create.name = "capi_vsrc";
  create.volumes = vols;
  src = create_container(&create);
  if (src == NULL) return;
  create.name = NULL;
  create.volumes = NULL;
  create.volumes_from = from;
  c = create_container(&create);
  if (c != NULL) {
    json = inspect(c);
    CHECK(json != NULL && strstr(json, "\"VolumesFrom\":[\"capi_vsrc:ro\"]") != NULL);
    CHECK(json != NULL && strstr(json,
                                 "\"Destination\":\"/shared\",\"Driver\":\"local\","
                                 "\"Mode\":\"\",\"RW\":false") != NULL);
    mydocker_free(json);
    remove_container(c);
  }
  create.volumes_from = bad;
  expect_refused_leaving(&create, MYDOCKER_INVALID_ARGUMENT, "invalid mode: rx", 1);
  create.volumes_from = missing;
  expect_refused_leaving(&create, MYDOCKER_NOT_FOUND, "No such container: capi_nosuch", 1);
  remove_container(src);
}

int main(int argc, char** argv) {
  int rc;
  if (argc != 3) {
    fprintf(stderr, "usage: %s HELPER BUSYBOX_TAR\n", argv[0]);
    return 2;
  }
  rc = fixture_setup(&g_fx, argv[1], argv[2]);
  if (rc != 0) return rc;
  CHECK(mydocker_version_number() >= 10800);
  RUN_TEST(test_labels);
  RUN_TEST(test_process_options);
  RUN_TEST(test_namespace_modes);
  RUN_TEST(test_volumes_from);
  fixture_teardown(&g_fx);
  fprintf(stderr, "%d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
