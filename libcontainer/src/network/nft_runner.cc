#include "network/nft_runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "host/host.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"
#include "process/stdio_relay.h"
#include "program_path.h"

namespace mydocker::network {

std::string NftProgramPath() {
  return ProgramPath("MYDOCKER_NFT", "mydocker-nft", MYDOCKER_NFT_PATH);
}

absl::Status RunNftScript(const std::string& script) {
  int in[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  UniqueFd in_r(in[0]), in_w(in[1]);
  if (::pipe2(err, O_CLOEXEC) != 0) return LastErrnoError("pipe");
  UniqueFd err_r(err[0]), err_w(err[1]);
  SpawnRequest request;
  request.argv = {NftProgramPath()};
  request.stdio[0] = in_r.get();
  request.stdio[2] = err_w.get();
  // Owned: killed and reaped on any early return.
  MYDOCKER_ASSIGN_OR_RETURN(ChildProcess child, RealHost().Spawn(request));
  in_r.reset();
  err_w.reset();
  // Scripts are far smaller than a pipe's buffer: written whole before the errors are read.
  bool wrote = process::WriteAll(in_w.get(), script);
  in_w.reset();
  std::string errors;
  char buf[4096];
  for (ssize_t n; (n = ::read(err_r.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    errors.append(buf, static_cast<size_t>(n));
  }
  absl::StatusOr<int> status = child.Wait();
  if (status.ok() && WIFEXITED(*status) && WEXITSTATUS(*status) == 0 && wrote) {
    return absl::OkStatus();
  }
  std::string first(absl::StripAsciiWhitespace(errors.substr(0, errors.find('\n'))));
  return absl::InternalError(
      absl::StrCat("nftables (", request.argv[0], "): ", first.empty() ? "failed" : first));
}

}  // namespace mydocker::network
