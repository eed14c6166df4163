/* The C ABI's 1.7 additions on real containers, compiled as C: the container options of #18
 * (labels), each shown by inspect, and each bad value refused with nothing created. Needs root.
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

/* A create that must fail with `code` and a message naming `what`, leaving no container. */
static void expect_refused(const mydocker_create_options_t* create, int code, const char* what) {
  mydocker_error_t* err = NULL;
  mydocker_container_t* c = NULL;
  char* list = NULL;
  CHECK_ERROR(mydocker_container_create(g_fx.runtime, create, &c, &err), &err, code, what);
  CHECK(c == NULL);
  CHECK_OK(mydocker_container_list(g_fx.runtime, 1, &list, &err), &err);
  CHECK(list != NULL && strcmp(list, "[]") == 0);
  mydocker_free(list);
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

int main(int argc, char** argv) {
  int rc;
  if (argc != 3) {
    fprintf(stderr, "usage: %s HELPER BUSYBOX_TAR\n", argv[0]);
    return 2;
  }
  rc = fixture_setup(&g_fx, argv[1], argv[2]);
  if (rc != 0) return rc;
  CHECK(mydocker_version_number() >= 10700);
  RUN_TEST(test_labels);
  fixture_teardown(&g_fx);
  fprintf(stderr, "%d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
