#define _GNU_SOURCE
#include "fixture.h"

#include <glob.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

int fixture_setup(fixture* f, const char* helper, const char* busybox_tar) {
  mydocker_runtime_options_t options = MYDOCKER_RUNTIME_OPTIONS_INIT;
  mydocker_error_t* err = NULL;
  memset(f, 0, sizeof *f);
  if (geteuid() != 0) {
    fprintf(stderr, "skipped: needs root\n");
    return 77;
  }
  strcpy(f->root, "/tmp/mydocker-capitest-XXXXXX");
  if (mkdtemp(f->root) == NULL) return 1;
  options.root = f->root;
  options.helper_path = helper;
  if (mydocker_runtime_open(&options, &f->runtime, &err) != MYDOCKER_OK ||
      mydocker_image_import(f->runtime, busybox_tar, "busybox", NULL, &err) != MYDOCKER_OK) {
    fprintf(stderr, "setup: %s\n", mydocker_error_message(err));
    mydocker_error_free(err);
    return 1;
  }
  return 0;
}

void fixture_remember(fixture* f, const mydocker_container_t* c) {
  static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER; /* tests run containers from threads */
  pthread_mutex_lock(&mu);
  if (c != NULL && f->n_ids < 64) strcpy(f->ids[f->n_ids++], mydocker_container_id(c));
  pthread_mutex_unlock(&mu);
}

static void check_no_mounts(const char* root) {
  char line[4096];
  FILE* mountinfo = fopen("/proc/self/mountinfo", "r");
  if (mountinfo == NULL) return;
  while (fgets(line, sizeof line, mountinfo) != NULL) {
    if (strstr(line, root) != NULL) {
      fprintf(stderr, "left mounted: %s", line);
      ++g_failures;
    }
  }
  fclose(mountinfo);
}

static void check_no_cgroup(const char* id) {
  char pattern[256];
  const char* layouts[] = {"/sys/fs/cgroup/*/mydocker/%s", "/sys/fs/cgroup/mydocker/%s"};
  for (int i = 0; i < 2; ++i) {
    glob_t g;
    snprintf(pattern, sizeof pattern, layouts[i], id);
    if (glob(pattern, 0, NULL, &g) == 0) {
      fprintf(stderr, "left cgroup: %s\n", g.gl_pathv[0]);
      ++g_failures;
    }
    globfree(&g);
  }
}

void fixture_teardown(fixture* f) {
  char* json = NULL;
  mydocker_error_t* err = NULL;
  char command[128];
  if (f->runtime != NULL) {
    CHECK_OK(mydocker_container_list(f->runtime, 1, &json, &err), &err);
    if (json != NULL && strcmp(json, "[]") != 0) {
      fprintf(stderr, "containers left: %s\n", json);
      ++g_failures;
    }
    mydocker_free(json);
    for (int i = 0; i < f->n_ids; ++i) {
      mydocker_container_t* c = NULL;
      if (mydocker_container_get(f->runtime, f->ids[i], &c, NULL) == MYDOCKER_OK) {
        mydocker_container_remove(c, 1, NULL);
        mydocker_container_destroy(c);
      }
      check_no_cgroup(f->ids[i]);
    }
    mydocker_runtime_close(f->runtime);
  }
  check_no_mounts(f->root);
  snprintf(command, sizeof command, "rm -rf '%s'", f->root);
  if (f->root[0] != '\0' && system(command) != 0) ++g_failures;
}
