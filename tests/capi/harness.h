/* A tiny test harness for the C tests of the C ABI: plain C, no framework, so the header is
 * proven usable from C. A failed CHECK prints where and goes on; main's exit status is the
 * number of failures (77 = skipped, for ctest's SKIP_RETURN_CODE). CHECK may be used from
 * several threads; the failure count is only approximate then, never zero when one failed. */
#ifndef MYDOCKER_TESTS_CAPI_HARNESS_H_
#define MYDOCKER_TESTS_CAPI_HARNESS_H_

#include <stdio.h>
#include <string.h>

#include "mydocker.h"

extern int g_failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++g_failures;                                                            \
    }                                                                          \
  } while (0)

/* Checks that a call failed with `code` and an error object whose message contains `needle`;
 * frees the error and resets *err. */
#define CHECK_ERROR(rc, err, code, needle) \
  check_error_at(__FILE__, __LINE__, (rc), (err), (code), (needle))

/* Checks that a call succeeded; on failure prints the error's message. */
#define CHECK_OK(rc, err) check_ok_at(__FILE__, __LINE__, #rc, (rc), (err))

void check_error_at(const char* file, int line, int rc, mydocker_error_t** err, int code,
                    const char* needle);
void check_ok_at(const char* file, int line, const char* expr, int rc, mydocker_error_t** err);

#define RUN_TEST(fn)                                                                \
  do {                                                                              \
    int before_ = g_failures;                                                       \
    fn();                                                                           \
    fprintf(stderr, "[%s] %s\n", g_failures == before_ ? "  OK  " : " FAIL ", #fn); \
  } while (0)

#endif /* MYDOCKER_TESTS_CAPI_HARNESS_H_ */
