/* mydocker_runtime_open for a caller that is not root (CTest runs this program as nobody
 * through setpriv): MYDOCKER_PERMISSION_DENIED naming the missing capability, and no state root
 * made, although the caller could have made it (/tmp). Usage: capi_non_root_test HELPER */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mydocker.h"

int main(int argc, char** argv) {
  mydocker_runtime_options_t options;
  mydocker_runtime_t* runtime = NULL;
  mydocker_error_t* err = NULL;
  char root[64];
  struct stat st;
  int rc;
  if (argc != 2) {
    fprintf(stderr, "usage: %s HELPER\n", argv[0]);
    return 2;
  }
  if (geteuid() == 0) {
    fprintf(stderr, "non_root_test: run it as another user (setpriv --reuid=65534 ...)\n");
    return 77;
  }
  snprintf(root, sizeof root, "/tmp/mydocker-capi-nonroot-%ld", (long)getpid());
  mydocker_runtime_options_init(&options);
  options.root = root;
  options.helper_path = argv[1];
  rc = mydocker_runtime_open(&options, &runtime, &err);
  if (rc != MYDOCKER_PERMISSION_DENIED || runtime != NULL || err == NULL ||
      mydocker_error_code(err) != MYDOCKER_PERMISSION_DENIED ||
      strstr(mydocker_error_message(err),
             "mydocker needs root: this process lacks CAP_SYS_ADMIN") == NULL) {
    fprintf(stderr, "non_root_test: got %d (%s)\n", rc, err ? mydocker_error_message(err) : "");
    return 1;
  }
  if (stat(root, &st) == 0) {
    fprintf(stderr, "non_root_test: %s was made\n", root);
    return 1;
  }
  printf("non_root_test: %s\n", mydocker_error_message(err));
  mydocker_error_free(err);
  return 0;
}
