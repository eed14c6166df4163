// Pull, push and login through mydocker-registry (libcontainer/registry/main.cc, see
// RunRegistryProgram), the program that talks to registries through libcurl, which the static
// CLI cannot link.
#ifndef MYDOCKER_TOOLS_REGISTRY_PROGRAM_H_
#define MYDOCKER_TOOLS_REGISTRY_PROGRAM_H_

#include <string>
#include <vector>

#include "context.h"

namespace mydocker::cli {

struct PullRequest {
  std::string ref;
  std::string platform;
  bool quiet = false;
  int out_fd = 1;  // where its output goes (run sends it to stderr, as Docker does)
};

// Pulls with the program, its output on `out_fd` and its errors on stderr, relaying SIGINT,
// SIGTERM and SIGHUP to it (it then stops and stores nothing). The program's exit status (0 or
// 1); 125 when it could not be started, after printing why.
int RunPull(Context& ctx, const PullRequest& request);

// `mydocker-registry push --root ROOT [--quiet] REF`, as RunPull.
int RunPush(Context& ctx, const std::string& ref, bool quiet);

// `mydocker-registry login --username USER REGISTRY` with `password` written to its standard
// input (never on a command line).
int RunLogin(Context& ctx, const std::string& registry, const std::string& username,
             const std::string& password);

}  // namespace mydocker::cli

#endif  // MYDOCKER_TOOLS_REGISTRY_PROGRAM_H_
