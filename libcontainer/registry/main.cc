// mydocker-registry: the registry operations of the runtime (pull), in a program of its own:
// Debian ships libcurl only as a shared object with shared dependencies, and the CLI is linked
// static-pie (docs/performance.md). The CLI runs it with the state root and the command's flags:
//
//   mydocker-registry pull --root ROOT [--platform OS/ARCH[/VARIANT]] [--quiet] REF
//
// and it prints Docker's pull output (per-layer progress on a terminal, plain lines otherwise).
// SIGINT, SIGTERM and the death of its parent cancel the pull: nothing is stored. Exit 0 on
// success, 1 with "mydocker: <message>" on standard error otherwise.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "mydocker/image_store.h"
#include "mydocker/pull.h"
#include "mydocker/utf8.h"
#include "progress.h"

namespace {

volatile std::sig_atomic_t g_cancel = 0;

void OnSignal(int) { g_cancel = 1; }

void InstallSignals() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = &OnSignal;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2})
    ::sigaction(sig, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

struct Args {
  std::string root, platform, ref;
  bool quiet = false;
};

bool Parse(int argc, char** argv, Args* out) {
  if (argc < 2 || std::strcmp(argv[1], "pull") != 0) return false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--root" || a == "--platform") && i + 1 < argc) {
      (a == "--root" ? out->root : out->platform) = argv[++i];
    } else if (a == "--quiet" || a == "-q") {
      out->quiet = true;
    } else if (out->ref.empty() && !a.empty() && a[0] != '-') {
      out->ref = a;
    } else {
      return false;
    }
  }
  return !out->root.empty() && !out->ref.empty();
}

long EnvSeconds(const char* name, long fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  long n = std::strtol(value, nullptr, 10);
  return n > 0 ? n : fallback;
}

int Fail(const absl::Status& status) {
  std::cerr << "mydocker: " << mydocker::Printable(status.message()) << std::endl;
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!Parse(argc, argv, &args)) {
    std::cerr << "usage: mydocker-registry pull --root ROOT [--platform P] [--quiet] REF\n";
    return 2;
  }
  InstallSignals();
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() == 1) return 1;  // the parent died before the line above
  auto store = mydocker::ImageStore::Open(args.root);
  if (!store.ok()) return Fail(store.status());
  mydocker::PullOptions options;
  options.platform = args.platform;
  options.insecure_registries = mydocker::registry_program::EnvOr("MYDOCKER_INSECURE_REGISTRIES");
  options.stall_seconds = EnvSeconds("MYDOCKER_REGISTRY_STALL_TIMEOUT", options.stall_seconds);
  options.connect_timeout_seconds =
      EnvSeconds("MYDOCKER_REGISTRY_CONNECT_TIMEOUT", options.connect_timeout_seconds);
  options.cancel = &g_cancel;
  mydocker::registry_program::PullPrinter printer(args.quiet, ::isatty(STDOUT_FILENO) == 1);
  printer.Start(args.ref);
  auto result = (*store)->Pull(args.ref, options,
                               [&printer](const mydocker::PullEvent& e) { printer.Event(e); });
  if (!result.ok()) {
    printer.Abort();
    if (g_cancel != 0) return Fail(absl::CancelledError("pull interrupted: nothing was stored"));
    return Fail(result.status());
  }
  printer.Done(*result);
  return 0;
}
