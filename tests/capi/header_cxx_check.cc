// mydocker.h must compile as C++ with no C++ type in it: this file only has to build.
#include "mydocker.h"

static_assert(sizeof(mydocker_stats_t) > sizeof(size_t), "a growable struct starts with size");

int MydockerHeaderCompilesAsCxx() { return MYDOCKER_OK; }
