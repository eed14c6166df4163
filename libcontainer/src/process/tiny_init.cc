#include "process/tiny_init.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace mydocker::process {
namespace {

// The child: its own process group, the terminal's foreground one (so ^C reaches it), the
// signal mask init had, then the command along $PATH.
[[noreturn]] void RunChild(char** command, const sigset_t& mask) {
  ::setpgid(0, 0);
  // SIGTTOU is blocked here, so a background group may take the terminal.
  if (::isatty(STDIN_FILENO) == 1) ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
  ::sigprocmask(SIG_SETMASK, &mask, nullptr);
  ::execvp(command[0], command);
  int err = errno;
  std::fprintf(stderr, "mydocker-init: exec %s: %s\n", command[0], std::strerror(err));
  ::_exit(err == ENOENT ? 127 : 126);
}

int StatusCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 125;
}

}  // namespace

int TinyInitMain(int argc, char** argv) {
  int first = 2;
  if (first < argc && std::strcmp(argv[first], "--") == 0) ++first;
  if (first >= argc) {
    std::fprintf(stderr, "mydocker-init: no command\n");
    return 125;
  }
  // Every signal is taken with sigwaitinfo: as PID 1 of its namespace, init would otherwise
  // never see the ones it has no handler for.
  sigset_t all, old;
  ::sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, &old);
  pid_t child = ::fork();
  if (child < 0) {
    std::perror("mydocker-init: fork");
    return 125;
  }
  if (child == 0) RunChild(argv + first, old);
  for (;;) {
    siginfo_t info;
    int sig = ::sigwaitinfo(&all, &info);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      ::kill(child, sig);
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      // The rest of the container ends with init (its PID namespace goes).
      if (pid == child) return StatusCode(status);
    }
  }
}

}  // namespace mydocker::process
