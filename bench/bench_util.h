// Shared helpers of the microbenchmarks: temporary directories (removed at exit) and sample
// records shaped like those of `mydocker run busybox ...`.
#ifndef MYDOCKER_BENCH_BENCH_UTIL_H_
#define MYDOCKER_BENCH_BENCH_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "mydocker/container_config.h"
#include "mydocker/container_state.h"

namespace mydocker::bench {

// $MYDOCKER_BENCH_DIR, else /dev/shm (tmpfs: no disk in the numbers), else /tmp.
std::string FastDir();
// $MYDOCKER_BENCH_DISK_DIR, else /var/tmp (a real file system, for fsync costs).
std::string DiskDir();
// A new directory under `parent`, removed with everything in it when the process exits.
std::string TempDir(const std::string& parent, const std::string& prefix);

ContainerState SampleState(const std::string& id, const std::string& name);
ContainerConfig SampleConfig();

// Ends the benchmark run with a message if `s` is not OK (set-up failures only).
void Check(const absl::Status& s, const char* what);

}  // namespace mydocker::bench

#endif  // MYDOCKER_BENCH_BENCH_UTIL_H_
