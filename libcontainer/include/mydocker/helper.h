// The helper modes of the mydocker binary. The library never forks and then runs C++ code in
// the child (unsafe in multi-threaded callers); it executes a helper binary in a hidden mode
// instead. Any program that wants to be a helper calls RunHelperMode first thing in main().
#ifndef MYDOCKER_HELPER_H_
#define MYDOCKER_HELPER_H_

namespace mydocker {

// The argv[1] that selects the monitor mode.
inline constexpr char kMonitorMode[] = "__monitor";

// If argv selects a helper mode, runs it and returns the process exit status; otherwise -1.
int RunHelperMode(int argc, char** argv);

}  // namespace mydocker

#endif  // MYDOCKER_HELPER_H_
