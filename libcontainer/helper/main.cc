// mydocker-helper: the small binary a client executes for a container's monitor
// (`mydocker-helper __monitor ...`) and for `exec` (the nsenter stub, a constructor that runs
// before main when _MYDOCKER_NSENTER is set). It holds nothing else: no CLI, no image store, no
// archive or crypto library, and it is linked statically, so it starts without the dynamic
// loader, each monitor costs the host little memory and the sealed copy made for every exec is
// small (see docs/performance.md).
#include <unistd.h>

#include "mydocker/helper.h"

int main(int argc, char** argv) {
  int status = mydocker::RunHelperMode(argc, argv);
  if (status >= 0) return status;
  static const char kUsage[] =
      "mydocker-helper: not a command; mydocker and programs using libcontainer run it\n";
  (void)!::write(STDERR_FILENO, kUsage, sizeof kUsage - 1);
  return 2;
}
