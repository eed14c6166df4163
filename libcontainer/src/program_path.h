// Where the runtime finds a program of its own that it runs (mydocker-nft, mydocker-registry).
#ifndef MYDOCKER_PROGRAM_PATH_H_
#define MYDOCKER_PROGRAM_PATH_H_

#include <string>

namespace mydocker {

// $`env` when set and not empty, else `name` beside the running binary when executable there,
// else `installed` (its path fixed at build time).
std::string ProgramPath(const char* env, const char* name, const char* installed);

// The running binary's path on the host, for ProgramPath, when /proc/self/exe does not give it:
// a monitor runs from a protected copy of the helper (a private overlay, where the link reads
// "/mydocker-helper", or a memfd) and sets the path its client started it as.
void SetSelfPath(std::string path);

}  // namespace mydocker

#endif  // MYDOCKER_PROGRAM_PATH_H_
