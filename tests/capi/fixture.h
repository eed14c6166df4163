/* A temporary state root with the busybox image, and the proof that a test left nothing
 * behind: no container, no mount under the root, no cgroup of a container it ran. */
#ifndef MYDOCKER_TESTS_CAPI_FIXTURE_H_
#define MYDOCKER_TESTS_CAPI_FIXTURE_H_

#include "mydocker.h"

typedef struct fixture {
  char root[64];
  mydocker_runtime_t* runtime;
  char ids[64][65]; /* every container the test made, for the cgroup check */
  int n_ids;
} fixture;

/* argv: <helper binary> <busybox.tar>. Returns 0, or 77 to skip (not root), or 1. */
int fixture_setup(fixture* f, const char* helper, const char* busybox_tar);
void fixture_remember(fixture* f, const mydocker_container_t* c);
/* Removes what is left (counting it as a failure), checks mounts and cgroups, deletes root. */
void fixture_teardown(fixture* f);

#endif /* MYDOCKER_TESTS_CAPI_FIXTURE_H_ */
