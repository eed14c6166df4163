// mydocker.h must compile as C++ with no C++ type in it: this file only has to build.
#include "mydocker.h"

static_assert(sizeof(mydocker_stats_t) > sizeof(size_t), "a growable struct starts with size");

int MydockerHeaderCompilesAsCxx() {
  // The init functions are the C++ way to the *_INIT macros' values.
  mydocker_exec_options_t exec;
  mydocker_exec_options_init(&exec);
  mydocker_start_options_t start;
  mydocker_start_options_init(&start);
  return exec.stdin_fd == -1 && start.stdout_fd == -1 ? MYDOCKER_OK : MYDOCKER_INTERNAL;
}
