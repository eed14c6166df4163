// Runs an nftables script through libnftables. The library is linked only into the small,
// dynamically linked program mydocker-nft (libcontainer/nft/): the CLI and the helper are
// static-pie executables and Debian ships libnftables only as a shared object, so they run
// that program, and only when rules change (a network's first use or removal, a container with
// published ports); a container without published ports never does.
#ifndef MYDOCKER_NETWORK_NFT_RUNNER_H_
#define MYDOCKER_NETWORK_NFT_RUNNER_H_

#include <string>

#include "absl/status/status.h"

namespace mydocker::network {

// The program: $MYDOCKER_NFT, else mydocker-nft beside the running executable, else the
// installed one (MYDOCKER_NFT_PATH, fixed at build time).
std::string NftProgramPath();

// Feeds `script` to mydocker-nft on its standard input and waits for it. The error names the
// first line nftables reported. Safe in multi-threaded callers (posix_spawn).
absl::Status RunNftScript(const std::string& script);

}  // namespace mydocker::network

#endif  // MYDOCKER_NETWORK_NFT_RUNNER_H_
