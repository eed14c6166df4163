// A seed for the process's pseudo-random names (temporary files, container names): from
// getrandom(2). std::random_device would run cpuid to look for RDRAND first, an exit to the
// hypervisor in a virtual machine (a few microseconds each), in every short-lived process.
#ifndef MYDOCKER_RANDOM_SEED_H_
#define MYDOCKER_RANDOM_SEED_H_

#include <sys/random.h>

#include <cstdint>
#include <random>

namespace mydocker {

inline uint64_t RandomSeed() {
  uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof seed)) {
    return seed;
  }
  // getrandom missing (old kernel), filtered by seccomp, or the pool not ready yet.
  return (static_cast<uint64_t>(std::random_device{}()) << 32) | std::random_device{}();
}

}  // namespace mydocker

#endif  // MYDOCKER_RANDOM_SEED_H_
