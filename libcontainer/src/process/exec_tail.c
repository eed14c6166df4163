/* The exec tail (see exec_tail.h). Only system calls and async-signal-safe functions from here
 * to execve: no stdio, no malloc, no locale-dependent or lazily initialised library code. */
#define _GNU_SOURCE
#include "process/exec_tail.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

/* Appends `s` to the NUL-terminated text in buf[cap], cutting it to fit. */
static void append(char *buf, size_t cap, const char *s) {
  size_t len = 0;
  while (len + 1 < cap && buf[len] != '\0') ++len;
  while (s != NULL && len + 1 < cap && *s != '\0') buf[len++] = *s++;
  buf[len] = '\0';
}

static void append_unsigned(char *buf, size_t cap, unsigned v) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < 15);
  char out[16];
  for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  out[n] = '\0';
  append(buf, cap, out);
}

void mydocker_exec_tail_fail(int report_fd, int exit_code, int err, const char *what,
                             const char *what2, const char *what3) {
  struct mydocker_exec_tail_error e;
  memset(&e, 0, sizeof e);
  e.exit_code = exit_code;
  e.err = err;
  append(e.what, sizeof e.what, what);
  append(e.what, sizeof e.what, what2);
  append(e.what, sizeof e.what, what3);
  /* Nobody may be left to read it (the reader died): the exit status still tells. */
  if (report_fd >= 0) {
    send(report_fd, &e, sizeof e, MSG_NOSIGNAL);
  } else { /* OCI mode after `start`: the caller (conmon, a shim) logs the command's stderr */
    size_t len = strlen(e.what);
    e.what[len < sizeof e.what - 1 ? len : sizeof e.what - 2] = '\n';
    (void)!write(STDERR_FILENO, e.what, len + 1 < sizeof e.what ? len + 1 : sizeof e.what - 1);
  }
  _exit(exit_code);
}

/* A step of the runtime failed with errno set. */
__attribute__((noreturn)) static void fail_runtime(const struct mydocker_exec_tail_plan *p,
                                                   const char *what, const char *what2) {
  mydocker_exec_tail_fail(p->report_fd, MYDOCKER_EXIT_RUNTIME, errno, what, what2, NULL);
}

static void send_terminal(const struct mydocker_exec_tail_plan *p, int master) {
  char byte = MYDOCKER_EXEC_TAIL_TERMINAL;
  struct iovec iov = {&byte, 1};
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  memset(&control, 0, sizeof control);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
  if (sendmsg(p->report_fd, &msg, MSG_NOSIGNAL) != 1) fail_runtime(p, "send terminal", NULL);
}

/* Opens a pseudo-terminal in /dev/pts, which is the container's own devpts once inside its
 * mount namespace (a pty of the host's would be reachable from the host's sessions), makes it
 * the controlling terminal of our new session and hands the master over. Returns the slave. */
static int open_terminal(const struct mydocker_exec_tail_plan *p) {
  int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail_runtime(p, "open /dev/pts/ptmx", NULL);
  int unlock = 0;
  unsigned n = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) != 0 || ioctl(master, TIOCGPTN, &n) != 0) {
    fail_runtime(p, "set up pseudo-terminal", NULL);
  }
  char path[32] = "/dev/pts/";
  append_unsigned(path, sizeof path, n);
  int slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) fail_runtime(p, "open ", path);
  if (ioctl(slave, TIOCSCTTY, 0) != 0) fail_runtime(p, "set controlling terminal", NULL);
  if (p->rows != 0 && p->cols != 0) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    ws.ws_row = p->rows;
    ws.ws_col = p->cols;
    ioctl(slave, TIOCSWINSZ, &ws); /* a wrong size is no reason to fail the command */
  }
  send_terminal(p, master);
  close(master);
  return slave;
}

/* Before Linux 5.11 close_range has no CLOSE_RANGE_CLOEXEC (EINVAL): FD_CLOEXEC is set on each
 * descriptor from `first` up to the descriptor limit, one fcntl each (EBADF: not open). */
static int set_cloexec_from(int first) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  int end = limit.rlim_cur > INT_MAX ? INT_MAX : (int)limit.rlim_cur;
  for (int fd = first; fd < end; ++fd) {
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 && errno != EBADF) return -1;
  }
  return 0;
}

static void set_up_stdio(const struct mydocker_exec_tail_plan *p) {
  /* A session of its own: no terminal of the caller's stays controlling, and with `terminal`
   * the new one can become it. */
  if (setsid() < 0) fail_runtime(p, "setsid", NULL);
  if (p->terminal) {
    int slave = open_terminal(p);
    for (int fd = 0; fd < 3; ++fd) {
      if (dup2(slave, fd) < 0) fail_runtime(p, "dup2 terminal", NULL);
    }
    if (slave > 2) close(slave);
  } else {
    for (int fd = 0; fd < 3; ++fd) {
      if (p->stdio[fd] < 0 || p->stdio[fd] == fd) continue;
      if (dup2(p->stdio[fd], fd) < 0) fail_runtime(p, "dup2 stdio", NULL);
    }
  }
  /* Nothing of the caller's reaches the command: every descriptor above stdio closes at
   * execve, the report socket too (its end of stream is how the reader learns that execve
   * succeeded). */
  if (syscall(SYS_close_range, 3U + p->preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) != 0 &&
      (errno != EINVAL || set_cloexec_from(3 + p->preserve_fds) != 0)) {
    fail_runtime(p, "close_range", NULL);
  }
}

/* Entered before the user switch, as runc does: a directory that only root may enter still
 * becomes the command's working directory (as in Docker). */
static void enter_working_dir(const struct mydocker_exec_tail_plan *p) {
  if (p->cwd_create != NULL) {
    /* Errors show at the chdir below, with the path the user gave. */
    for (const char *const *dir = p->cwd_create; *dir != NULL; ++dir) mkdir(*dir, 0755);
  }
  if (chdir(p->cwd) != 0) {
    mydocker_exec_tail_fail(p->report_fd, MYDOCKER_EXIT_CANNOT_INVOKE, errno, "chdir to ", p->cwd,
                            NULL);
  }
  /* Defence in depth (CVE-2024-21626): a directory outside our root, reached through a
   * descriptor leaked from the host, reads as "(unreachable)/...". */
  char cwd[4096];
  if (syscall(SYS_getcwd, cwd, sizeof cwd) < 0) fail_runtime(p, "getcwd", NULL);
  if (cwd[0] != '/') {
    mydocker_exec_tail_fail(p->report_fd, MYDOCKER_EXIT_CANNOT_INVOKE, 0,
                            "working directory is outside the container: ", p->cwd, NULL);
  }
}

/* The bounding set limits what any process of the container can ever gain (even through a
 * setuid binary); it can only shrink while we hold CAP_SETPCAP, before the user changes. */
static void drop_bounding_set(const struct mydocker_exec_tail_plan *p) {
  if (!p->limit_capabilities) return;
  for (int cap = 0; cap <= p->last_capability && cap < 64; ++cap) {
    if ((p->capabilities >> cap) & 1) continue;
    /* EINVAL: a capability this kernel does not have. */
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
      char number[16] = "";
      append_unsigned(number, sizeof number, (unsigned)cap);
      mydocker_exec_tail_fail(p->report_fd, MYDOCKER_EXIT_RUNTIME, errno, "drop capability ",
                              number, " from the bounding set");
    }
  }
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

/* Without no_new_privs a filter can only be loaded while we still hold CAP_SYS_ADMIN, so before
 * the user and capabilities change (setuid programs in the container keep working); with it,
 * as late as possible, after every step whose calls a profile might refuse (as runc does).
 * `late` says which of the two points this call is. */
static void load_seccomp(const struct mydocker_exec_tail_plan *p, int late) {
  if (p->seccomp == NULL || p->seccomp_len == 0 || late != (p->no_new_privs != 0)) return;
  struct sock_fprog program = {p->seccomp_len, (struct sock_filter *)p->seccomp};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
    fail_runtime(p, "load seccomp filter", NULL);
  }
}

static void switch_user(const struct mydocker_exec_tail_plan *p) {
  if (!p->set_user) return;
  /* Raw system calls: the C library's wrappers change the ids of every thread it believes the
   * process has, and after a raw clone() that belief is the parent's (threads that do not exist
   * here would be waited for). */
  if (syscall(SYS_setgroups, p->ngroups, p->groups) != 0) fail_runtime(p, "setgroups", NULL);
  if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) != 0) fail_runtime(p, "setgid", NULL);
  if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) != 0) fail_runtime(p, "setuid", NULL);
}

/* Permitted and effective sets for the rest of the way to execve; the inheritable set is
 * emptied (CVE-2022-24769: a non-empty one lets programs with file capabilities gain them).
 * Another uid than 0 lost them all at setresuid. */
static void set_capabilities(const struct mydocker_exec_tail_plan *p) {
  uid_t uid = p->set_user ? p->uid : getuid();
  if (!p->limit_capabilities || (uid != 0 && !p->all_sets)) return;
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  uint64_t effective = p->all_sets ? p->cap_effective : p->capabilities;
  uint64_t permitted = p->all_sets ? p->cap_permitted : p->capabilities;
  uint64_t inheritable = p->all_sets ? p->cap_inheritable : 0;
  for (int i = 0; i < 2; ++i) {
    data[i].effective = (uint32_t)(effective >> (32 * i));
    data[i].permitted = (uint32_t)(permitted >> (32 * i));
    data[i].inheritable = (uint32_t)(inheritable >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) != 0) fail_runtime(p, "capset", NULL);
  if (!p->all_sets) return;
  for (int cap = 0; cap < 64; ++cap) {
    if (((p->cap_ambient >> cap) & 1) &&
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
      fail_runtime(p, "raise ambient capability", NULL);
    }
  }
}

static void rearm_parent_death_signal(const struct mydocker_exec_tail_plan *p) {
  if (p->parent_death_signal != 0) prctl(PR_SET_PDEATHSIG, p->parent_death_signal, 0, 0, 0);
}

/* The command starts with default dispositions and nothing blocked, whatever the caller had
 * (the monitor blocks the signals it reads through a signalfd and ignores SIGPIPE; a library
 * caller may ignore anything). execve resets handlers but keeps ignored signals and the mask. */
static void reset_signals(const struct mydocker_exec_tail_plan *p) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < _NSIG; ++sig) {
    /* The C library refuses its internal signals (EINVAL); they are never ignored. */
    if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
  }
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) fail_runtime(p, "sigprocmask", NULL);
}

/* execve along the candidates as execvp does: a candidate that does not exist or is not
 * permitted is skipped; any other failure stops the search. Messages are Docker's. */
__attribute__((noreturn)) static void exec_command(const struct mydocker_exec_tail_plan *p) {
  int saved = ENOENT, denied = 0;
  for (const char *const *path = p->exec_candidates; path != NULL && *path != NULL; ++path) {
    execve(*path, p->argv, p->envp);
    saved = errno;
    if (saved == EACCES) {
      denied = 1;
    } else if (saved != ENOENT && saved != ENOTDIR) {
      break;
    }
  }
  int missing = saved == ENOENT || saved == ENOTDIR;
  if (missing && denied) { /* found, but not executable: that is what the user needs to hear */
    saved = EACCES;
    missing = 0;
  }
  if (missing && !p->command_has_slash) {
    mydocker_exec_tail_fail(p->report_fd, MYDOCKER_EXIT_NOT_FOUND, 0, "exec: \"", p->command_name,
                            "\": executable file not found in $PATH");
  }
  mydocker_exec_tail_fail(p->report_fd,
                          missing ? MYDOCKER_EXIT_NOT_FOUND : MYDOCKER_EXIT_CANNOT_INVOKE, saved,
                          "exec: \"", p->command_name, "\"");
}

/* OCI mode: tells the creator that the container is ready, then waits for `start`. Returns the
 * plan for the rest: its failures go to stderr, as the creator is gone. */
static struct mydocker_exec_tail_plan wait_for_start(const struct mydocker_exec_tail_plan *p) {
  char created = MYDOCKER_EXEC_TAIL_CREATED;
  if (send(p->report_fd, &created, 1, MSG_NOSIGNAL) != 1) _exit(MYDOCKER_EXIT_RUNTIME);
  char byte;
  ssize_t n;
  do {
    n = read(p->start_fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) _exit(MYDOCKER_EXIT_RUNTIME);
  close(p->start_fd);
  close(p->report_fd);
  struct mydocker_exec_tail_plan after = *p;
  after.report_fd = -1;
  return after;
}

void mydocker_exec_tail_run(const struct mydocker_exec_tail_plan *p) {
  set_up_stdio(p);
  enter_working_dir(p);
  drop_bounding_set(p);
  if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    fail_runtime(p, "set no_new_privs", NULL);
  }
  load_seccomp(p, /*late=*/0);
  /* With all five sets, a non-root user keeps its permitted set across the switch. */
  if (p->all_sets && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) fail_runtime(p, "keepcaps", NULL);
  switch_user(p);
  set_capabilities(p);
  if (p->all_sets) prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  rearm_parent_death_signal(p);
  umask(p->umask);
  reset_signals(p);
  load_seccomp(p, /*late=*/1);
  if (p->wait_for_start) {
    const struct mydocker_exec_tail_plan after = wait_for_start(p);
    exec_command(&after);
  }
  /* Every step before execve went well: the end of stream that follows (the kernel closing our
   * close-on-exec end) then means execve succeeded, even if the command has already exited by
   * the time the reader looks. If this fails the reader is gone: nobody would learn how the
   * command went, so it does not run. */
  char ready = MYDOCKER_EXEC_TAIL_READY;
  if (send(p->report_fd, &ready, 1, MSG_NOSIGNAL) != 1) _exit(MYDOCKER_EXIT_RUNTIME);
  exec_command(p);
}
