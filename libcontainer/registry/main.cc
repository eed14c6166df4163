// mydocker-registry: the registry operations of the runtime (pull, push, login), in a program
// of its own:
// Debian ships libcurl only as a shared object with shared dependencies, and the CLI is linked
// static-pie (docs/performance.md). The CLI runs it with the state root and the command's flags:
//
//   mydocker-registry pull --root ROOT [--platform OS/ARCH[/VARIANT]] [--quiet] REF
//   mydocker-registry push --root ROOT [--quiet] REF
//   mydocker-registry login [--username USER] [REGISTRY]     (the password on standard input)
//
// and it prints Docker's output (per-layer progress on a terminal, plain lines otherwise). Pull
// and push use the credentials `login` checked and stored (registry/credentials.h).
// SIGINT, SIGTERM and the death of its parent cancel the pull: nothing is stored. Exit 0 on
// success, 1 with "mydocker: <message>" on standard error otherwise.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "mydocker/image_store.h"
#include "mydocker/pull.h"
#include "mydocker/registry_credentials.h"
#include "mydocker/utf8.h"
#include "progress.h"
#include "registry/remote_reference.h"

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
  std::string command, root, platform, username, ref;
  bool quiet = false;
};

bool Parse(int argc, char** argv, Args* out) {
  if (argc < 2) return false;
  out->command = argv[1];
  if (out->command != "pull" && out->command != "push" && out->command != "login") return false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--root" || a == "--platform" || a == "--username") && i + 1 < argc) {
      (a == "--root" ? out->root : a == "--platform" ? out->platform : out->username) = argv[++i];
    } else if (a == "--quiet" || a == "-q") {
      out->quiet = true;
    } else if (out->ref.empty() && !a.empty() && a[0] != '-') {
      out->ref = a;
    } else {
      return false;
    }
  }
  return out->command == "login" || (!out->root.empty() && !out->ref.empty());
}

int Fail(const absl::Status& status) {
  std::cerr << "mydocker: " << mydocker::Printable(status.message()) << std::endl;
  return 1;
}

// The transfer options every command shares (the environment's) and the cancel flag.
mydocker::PullOptions TransferOptions() {
  mydocker::PullOptions options = mydocker::TransferOptionsFromEnvironment();
  options.cancel = &g_cancel;
  return options;
}

// Adds the stored credentials of `ref`'s registry to `options`.
absl::Status AddCredentials(const std::string& ref, mydocker::PullOptions* options) {
  return mydocker::AddStoredCredentials(ref, mydocker::registry::DefaultCredentialsPath(), options);
}

int Pull(mydocker::ImageStore& store, const Args& args) {
  mydocker::PullOptions options = TransferOptions();
  options.platform = args.platform;
  if (absl::Status s = AddCredentials(args.ref, &options); !s.ok()) return Fail(s);
  mydocker::registry_program::PullPrinter printer(args.quiet, ::isatty(STDOUT_FILENO) == 1);
  printer.Start(args.ref);
  auto result =
      store.Pull(args.ref, options, [&printer](const mydocker::PullEvent& e) { printer.Event(e); });
  if (!result.ok()) {
    printer.Abort();
    if (g_cancel != 0) return Fail(absl::CancelledError("pull interrupted: nothing was stored"));
    return Fail(result.status());
  }
  printer.Done(*result);
  return 0;
}

int Push(mydocker::ImageStore& store, const Args& args) {
  mydocker::PushOptions options = TransferOptions();
  if (absl::Status s = AddCredentials(args.ref, &options); !s.ok()) return Fail(s);
  auto remote = mydocker::registry::ParseRemoteReference(args.ref);
  if (!remote.ok()) return Fail(remote.status());
  mydocker::registry_program::PushPrinter printer(args.quiet, ::isatty(STDOUT_FILENO) == 1);
  printer.Start(remote->domain == mydocker::registry::kDockerHubDomain
                    ? absl::StrCat(remote->domain, "/", remote->repository)
                    : remote->LocalName());
  auto result =
      store.Push(args.ref, options, [&printer](const mydocker::PushEvent& e) { printer.Event(e); });
  if (!result.ok()) {
    if (g_cancel != 0) return Fail(absl::CancelledError("push interrupted"));
    return Fail(result.status());
  }
  printer.Done(*result);
  return 0;
}

// The password is read from standard input (at most 4 KiB, one trailing newline dropped), never
// from the command line.
int Login(const Args& args) {
  std::string password(4096, '\0');
  size_t got = 0;
  for (ssize_t n; got < password.size() &&
                  (n = ::read(STDIN_FILENO, &password[got], password.size() - got)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(absl::ErrnoToStatus(errno, "read the password"));
    got += static_cast<size_t>(n);
  }
  password.resize(got);
  if (!password.empty() && password.back() == '\n') password.pop_back();
  if (!password.empty() && password.back() == '\r') password.pop_back();
  mydocker::PullOptions options = TransferOptions();
  options.username = args.username;
  options.password = password;
  auto status =
      mydocker::LoginToRegistry(args.ref, options, mydocker::registry::DefaultCredentialsPath());
  if (!status.ok()) return Fail(status);
  std::cout << "Login Succeeded" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!Parse(argc, argv, &args)) {
    std::cerr << "usage: mydocker-registry pull --root ROOT [--platform P] [--quiet] REF\n"
                 "       mydocker-registry push --root ROOT [--quiet] REF\n"
                 "       mydocker-registry login [--username USER] [REGISTRY] < password\n";
    return 2;
  }
  InstallSignals();
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() == 1) return 1;  // the parent died before the line above
  if (args.command == "login") return Login(args);
  auto store = mydocker::ImageStore::Open(args.root);
  if (!store.ok()) return Fail(store.status());
  return args.command == "pull" ? Pull(**store, args) : Push(**store, args);
}
