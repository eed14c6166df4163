// The helper modes of the mydocker binary. The library never forks and then runs C++ code in
// the child (unsafe in multi-threaded callers); it executes a helper binary in a hidden mode
// instead. Any program that wants to be a helper calls RunHelperMode first thing in main().
#ifndef MYDOCKER_HELPER_H_
#define MYDOCKER_HELPER_H_

#include <string>
#include <vector>

namespace mydocker {

// The argv[1] that selects the monitor mode.
inline constexpr char kMonitorMode[] = "__monitor";
// The argv[1] of the minimal init a container gets with --init (its PID 1): argv[2] is "--",
// the command follows.
inline constexpr char kInitMode[] = "__init";
// The argv[1] of the process that keeps the terminal of an `exec -it` command the client
// detached from (detach keys) open, discarding its output, until the command ends; argv[2]
// names the container's directory (for `ps` and leak checks only).
inline constexpr char kTerminalHolderMode[] = "__hold-terminal";

// If argv selects a helper mode, runs it and returns the process exit status; otherwise -1.
int RunHelperMode(int argc, char** argv);

// The helper binary of an installed tree, found from the file that holds `address` (a
// function of the calling shared object: libmydocker.so, pymydocker's extension), so the tree
// works wherever it was moved: the first of `relative_paths`, taken from that file's
// directory, that is executable. Empty if none is.
std::string HelperBeside(const void* address, const std::vector<std::string>& relative_paths);

}  // namespace mydocker

#endif  // MYDOCKER_HELPER_H_
