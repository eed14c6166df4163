#include "harness.h"

int g_failures = 0;

void check_error_at(const char* file, int line, int rc, mydocker_error_t** err, int code,
                    const char* needle) {
  if (rc != code || *err == NULL || mydocker_error_code(*err) != code ||
      strstr(mydocker_error_message(*err), needle) == NULL) {
    fprintf(stderr, "%s:%d: want %s containing \"%s\", got %s (%d) \"%s\"\n", file, line,
            mydocker_code_name(code), needle, mydocker_code_name(rc), rc,
            mydocker_error_message(*err));
    ++g_failures;
  }
  mydocker_error_free(*err);
  *err = NULL;
}

void check_ok_at(const char* file, int line, const char* expr, int rc, mydocker_error_t** err) {
  if (rc != MYDOCKER_OK || *err != NULL) {
    fprintf(stderr, "%s:%d: %s: %s \"%s\"\n", file, line, expr, mydocker_code_name(rc),
            mydocker_error_message(*err));
    ++g_failures;
  }
  mydocker_error_free(*err);
  *err = NULL;
}
