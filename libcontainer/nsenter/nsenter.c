/* The nsenter stub: runs as a constructor of the helper binary, before the C++ runtime could
 * start threads (a multi-threaded process cannot join a mount namespace with setns). It does
 * nothing unless MYDOCKER_NSENTER_ENV is set. When it is, it
 *   1. re-executes itself from a sealed in-memory copy, so that no process of the container can
 *      reach the host's binary through /proc/<pid>/exe and overwrite it (CVE-2019-5736);
 *   2. reads the request (see nsenter.h) from the socket;
 *   3. joins the container's cgroups, then its namespaces through the pidfd of its init;
 *   4. forks, so that the command is really inside the PID namespace; the child runs the exec
 *      tail (terminal, working directory, privileges, execve: src/process/exec_tail.c, shared
 *      with the container's init); the parent forwards signals to it and exits with its status.
 * Errors go back through the socket as a message, never only to a stderr nobody reads. */
#define _GNU_SOURCE
#include "nsenter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sched.h> /* struct clone_args, CLONE_INTO_CGROUP */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process/exec_tail.h"
#include "process/sealed_exe.h"

/* A NULL-terminated list that grows: an image may set thousands of environment variables (the
   request as a whole is bounded by what the client sends, the command by execve's E2BIG). */
struct list {
  char **items;
  int n;
  int cap;
};

struct request {
  char *cgroups[64];
  int ncgroups;
  const char *cgroup_dir; /* v2: the command is created in this cgroup (CLONE_INTO_CGROUP) */
  unsigned long ns_flags;
  const char *root; /* chroot here after joining (no mount namespace of the container's) */
  const char *cwd;
  uid_t uid;
  gid_t gid;
  gid_t groups[64];
  int ngroups;
  int has_umask;
  mode_t umask;
  int has_oom_score_adj;
  const char *oom_score_adj; /* as given: "-1000" to "1000" */
  int limit_caps;
  unsigned long long caps;
  int last_cap;
  int all_sets; /* capsets=: the four sets below, as OCI process.capabilities */
  unsigned long long cap_sets[4];
  struct {
    int resource;
    unsigned long long soft, hard;
  } rlimits[16];
  int nrlimits;
  int send_pid;
  struct sock_filter *seccomp;
  unsigned short seccomp_len;
  int no_new_privs;
  int tty;
  unsigned short rows, cols;
  int detach;
  int kill_on_alarm;
  struct list env;
  struct list paths;
  struct list args;
  const char *name;
};

static int sock = -1;
static unsigned preserve_fds; /* "3:N" in the variable: see nsenter.h */

/* Every failure, before the fork or in the command's process, in the exec tail's format. */
__attribute__((noreturn)) static void fail(int code, int err, const char *a, const char *b,
                                           const char *c) {
  mydocker_exec_tail_fail(sock, code, err, a, b, c);
}

static void reexec_sealed(char **argv, char **envp) {
  const char *what = NULL;
  int mem = mydocker_sealed_self_copy("mydocker-nsenter", getenv(MYDOCKER_SEAL_LOWER_ENV), &what);
  if (mem < 0) fail(125, errno, what, NULL, NULL);
  syscall(SYS_execveat, mem, "", argv, envp, AT_EMPTY_PATH);
  fail(125, errno, "re-execute the sealed helper", NULL, NULL);
}

static char *read_all(int fd, size_t *size) {
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap);
  if (!buf) return NULL;
  for (;;) {
    /* The request arrives in packets of at most 32 KiB; a read needs room for a whole one. */
    if (cap - len < 65536) {
      if (cap >= (64u << 20)) return NULL; /* a request this large is not ours */
      cap *= 2;
      char *bigger = realloc(buf, cap);
      if (!bigger) return NULL;
      buf = bigger;
    }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return NULL;
    if (n == 0) break;
    len += (size_t)n;
  }
  *size = len;
  return buf;
}

static unsigned long long number(const char *s, int base) { return strtoull(s, NULL, base); }

static void add(struct list *list, char *value) {
  if (list->n + 2 > list->cap) {
    int cap = list->cap ? list->cap * 2 : 64;
    char **bigger = realloc(list->items, (size_t)cap * sizeof *bigger);
    if (!bigger) fail(125, ENOMEM, "exec request", NULL, NULL);
    list->items = bigger;
    list->cap = cap;
  }
  list->items[list->n++] = value;
  list->items[list->n] = NULL;
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes the filter in place: the hex text is twice as long as the bytes. */
static void parse_seccomp(char *hex, struct request *r) {
  size_t len = strlen(hex);
  size_t bytes = len / 2;
  if (len % 2 || bytes % sizeof(struct sock_filter) || bytes == 0 ||
      bytes / sizeof(struct sock_filter) > BPF_MAXINSNS) {
    fail(125, 0, "malformed seccomp filter in exec request", NULL, NULL);
  }
  unsigned char *out = (unsigned char *)hex;
  for (size_t i = 0; i < bytes; ++i) {
    int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) fail(125, 0, "malformed seccomp filter in exec request", NULL, NULL);
    out[i] = (unsigned char)(hi << 4 | lo);
  }
  /* The token follows "seccomp=" in a malloc'd buffer: copy to get sock_filter's alignment. */
  r->seccomp = malloc(bytes);
  if (!r->seccomp) fail(125, ENOMEM, "exec request", NULL, NULL);
  memcpy(r->seccomp, out, bytes);
  r->seccomp_len = (unsigned short)(bytes / sizeof(struct sock_filter));
}

/* "E:P:I:A", four hex masks. */
static void parse_capsets(char *v, struct request *r) {
  for (int i = 0; i < 4; ++i) {
    char *end = NULL;
    r->cap_sets[i] = strtoull(v, &end, 16);
    if (end == v || (i < 3 && *end != ':') || (i == 3 && *end != '\0')) {
      fail(125, 0, "malformed capsets in exec request", NULL, NULL);
    }
    v = end + 1;
  }
  r->all_sets = 1;
}

/* "RESOURCE:SOFT:HARD", decimal. */
static void parse_rlimit(char *v, struct request *r) {
  if (r->nrlimits >= 16) fail(125, 0, "too many rlimits in exec request", NULL, NULL);
  char *end = NULL;
  int resource = (int)strtol(v, &end, 10);
  if (*end != ':') fail(125, 0, "malformed rlimit in exec request", NULL, NULL);
  unsigned long long soft = strtoull(end + 1, &end, 10);
  if (*end != ':') fail(125, 0, "malformed rlimit in exec request", NULL, NULL);
  unsigned long long hard = strtoull(end + 1, &end, 10);
  if (*end != '\0') fail(125, 0, "malformed rlimit in exec request", NULL, NULL);
  r->rlimits[r->nrlimits].resource = resource;
  r->rlimits[r->nrlimits].soft = soft;
  r->rlimits[r->nrlimits].hard = hard;
  r->nrlimits++;
}

static void parse(char *buf, size_t size, struct request *r) {
  memset(r, 0, sizeof *r);
  r->cwd = "/";
  r->name = "";
  char *end = buf + size;
  char *next;
  for (char *tok = buf; tok < end; tok = next) {
    char *nul = memchr(tok, '\0', (size_t)(end - tok));
    if (nul == NULL) break;
    next = nul + 1;
    char *eq = strchr(tok, '=');
    if (!eq) continue;
    *eq = '\0';
    char *v = eq + 1;
    if (!strcmp(tok, "cgroup") && r->ncgroups < 64)
      r->cgroups[r->ncgroups++] = v;
    else if (!strcmp(tok, "cgroupdir"))
      r->cgroup_dir = v;
    else if (!strcmp(tok, "ns"))
      r->ns_flags = (unsigned long)number(v, 16);
    else if (!strcmp(tok, "root"))
      r->root = v;
    else if (!strcmp(tok, "cwd"))
      r->cwd = v;
    else if (!strcmp(tok, "uid"))
      r->uid = (uid_t)number(v, 10);
    else if (!strcmp(tok, "gid"))
      r->gid = (gid_t)number(v, 10);
    else if (!strcmp(tok, "group") && r->ngroups < 64)
      r->groups[r->ngroups++] = (gid_t)number(v, 10);
    else if (!strcmp(tok, "caps")) {
      r->limit_caps = 1;
      r->caps = number(v, 16);
    } else if (!strcmp(tok, "capsets"))
      parse_capsets(v, r);
    else if (!strcmp(tok, "rlimit"))
      parse_rlimit(v, r);
    else if (!strcmp(tok, "umask")) {
      r->has_umask = 1;
      r->umask = (mode_t)number(v, 8) & 0777;
    } else if (!strcmp(tok, "oomscoreadj")) {
      r->has_oom_score_adj = 1;
      r->oom_score_adj = v;
    } else if (!strcmp(tok, "sendpid"))
      r->send_pid = v[0] == '1';
    else if (!strcmp(tok, "lastcap"))
      r->last_cap = (int)number(v, 10);
    else if (!strcmp(tok, "seccomp"))
      parse_seccomp(v, r);
    else if (!strcmp(tok, "nnp"))
      r->no_new_privs = v[0] == '1';
    else if (!strcmp(tok, "tty"))
      r->tty = v[0] == '1';
    else if (!strcmp(tok, "rows"))
      r->rows = (unsigned short)number(v, 10);
    else if (!strcmp(tok, "cols"))
      r->cols = (unsigned short)number(v, 10);
    else if (!strcmp(tok, "detach"))
      r->detach = v[0] == '1';
    else if (!strcmp(tok, "killonalarm"))
      r->kill_on_alarm = v[0] == '1';
    else if (!strcmp(tok, "env"))
      add(&r->env, v);
    else if (!strcmp(tok, "path"))
      add(&r->paths, v);
    else if (!strcmp(tok, "arg"))
      add(&r->args, v);
    else if (!strcmp(tok, "name"))
      r->name = v;
  }
  if (r->args.n == 0) fail(125, 0, "exec request without a command", NULL, NULL);
  /* Empty lists are still lists: NULL-terminated. */
  static char *none[1] = {NULL};
  if (r->env.n == 0) r->env.items = none;
  if (r->paths.n == 0) r->paths.items = none;
}

static int join_fds[64];
static int cgroup_dir_fd = -1;
static int cgroup_ns_fd = -1; /* the container's cgroup namespace, when not joined by pidfd */

/* The namespaces a request may name, in the order they are joined one by one. */
static const struct {
  int flag;
  const char *name;
} kNamespaces[] = {{CLONE_NEWUSER, "user"}, {CLONE_NEWIPC, "ipc"}, {CLONE_NEWUTS, "uts"},
                   {CLONE_NEWNET, "net"},   {CLONE_NEWPID, "pid"}, {CLONE_NEWCGROUP, "cgroup"},
                   {CLONE_NEWNS, "mnt"}};

/* Where the client's kernel gives no pidfd (ENOSYS under valgrind, EPERM in a seccomp sandbox:
 * src/host/pidfd.h), descriptor 4 is the init's /proc/PID directory, checked against its start
 * time by the client, rather than a pidfd. */
static int init_is_proc_dir(void) {
  struct stat st;
  return fstat(MYDOCKER_NSENTER_PIDFD_FD, &st) == 0 && S_ISDIR(st.st_mode);
}

static int open_namespace(const char *name) {
  char path[16] = "ns/";
  strncat(path, name, sizeof path - 4);
  int fd = openat(MYDOCKER_NSENTER_PIDFD_FD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(125, errno, "open the container's namespace ", name, NULL);
  return fd;
}

/* "0" moves the writer itself; this stub is single-threaded, so on v1 (`tasks`) that is the
 * whole process and no system-wide lock is taken. */
static void move_self(const struct request *r) {
  for (int i = 0; i < r->ncgroups; ++i) {
    if (write(join_fds[i], "0", 1) < 0) fail(125, errno, "join cgroup ", r->cgroups[i], NULL);
    close(join_fds[i]);
    join_fds[i] = -1;
  }
}

static void join(const struct request *r) {
  /* Opened before setns: the container's mount namespace does not show the host's cgroups. */
  for (int i = 0; i < r->ncgroups; ++i) {
    join_fds[i] = open(r->cgroups[i], O_WRONLY | O_CLOEXEC);
    if (join_fds[i] < 0) fail(125, errno, "join cgroup ", r->cgroups[i], NULL);
  }
  if (r->cgroup_dir != NULL) {
    cgroup_dir_fd = open(r->cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cgroup_dir_fd < 0) fail(125, errno, "open cgroup ", r->cgroup_dir, NULL);
  } else {
    move_self(r);
  }
  /* One setns through the pidfd joins every namespace at once, in the kernel's order, but the
   * cgroup namespace: the command joins that one once it is in the container's cgroup (with
   * "nsdelegate", a process may only be placed in cgroups under its cgroup namespace's root,
   * and the stub, still in a host cgroup, is not under it). */
  if (!init_is_proc_dir()) {
    /* A container that shares every namespace with the runtime: nothing to join (and setns
     * through a pidfd takes no empty set). */
    if ((r->ns_flags & ~(unsigned long)CLONE_NEWCGROUP) != 0 &&
        setns(MYDOCKER_NSENTER_PIDFD_FD, (int)(r->ns_flags & ~(unsigned long)CLONE_NEWCGROUP)) !=
            0) {
      fail(125, errno, "join the container's namespaces", NULL, NULL);
    }
    return;
  }
  /* A client with no pidfds (see init_is_proc_dir): every namespace file is opened first,
   * through the directory (its files answer ESRCH once that process is gone, whatever took its
   * pid), then joined one by one, the user namespace first and the mount namespace last, as
   * nsenter(1) does. */
  int fds[sizeof kNamespaces / sizeof kNamespaces[0]];
  for (size_t i = 0; i < sizeof kNamespaces / sizeof kNamespaces[0]; ++i) {
    fds[i] = -1;
    if (!(r->ns_flags & kNamespaces[i].flag)) continue;
    fds[i] = open_namespace(kNamespaces[i].name);
  }
  for (size_t i = 0; i < sizeof kNamespaces / sizeof kNamespaces[0]; ++i) {
    if (fds[i] < 0) continue;
    if (kNamespaces[i].flag == CLONE_NEWCGROUP) {
      cgroup_ns_fd = fds[i]; /* joined by the command's process */
      continue;
    }
    if (setns(fds[i], kNamespaces[i].flag) != 0) {
      fail(125, errno, "join the container's namespace ", kNamespaces[i].name, NULL);
    }
    close(fds[i]);
  }
}

/* A container without a mount namespace of its own has its root in the runtime's (the bind
 * its init chrooted into): entered the same way, after the namespaces, before the command's
 * process is made. */
static void enter_root(const struct request *r) {
  if (r->root == NULL) return;
  if (chdir(r->root) != 0) fail(125, errno, "chdir to the container's root ", r->root, NULL);
  if (chroot(".") != 0) fail(125, errno, "chroot into the container's root ", r->root, NULL);
  if (chdir("/") != 0) fail(125, errno, "chdir to /", NULL, NULL);
}

/* In the command's process, once it is in the container's cgroup. */
static void enter_cgroup_namespace(const struct request *r) {
  if (r->ns_flags & CLONE_NEWCGROUP) {
    int fd = cgroup_ns_fd >= 0 ? cgroup_ns_fd : MYDOCKER_NSENTER_PIDFD_FD;
    if (setns(fd, CLONE_NEWCGROUP) != 0) {
      fail(125, errno, "join the container's cgroup namespace", NULL, NULL);
    }
  }
  if (cgroup_ns_fd >= 0) close(cgroup_ns_fd);
  close(MYDOCKER_NSENTER_PIDFD_FD);
}

/* The process that runs the command: on v2 created directly in the container's cgroup, where
 * moving any process through cgroup.procs waits for an RCU grace period (10-13 ms here). The
 * child of a raw clone3 makes only system calls (the exec tail) until execve. */
static pid_t spawn_command(const struct request *r) {
  if (cgroup_dir_fd >= 0) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)cgroup_dir_fd;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid >= 0) return (pid_t)pid;
    if (errno != ENOSYS && errno != E2BIG && errno != EINVAL) {
      fail(125, errno, "create the command's process in cgroup ", r->cgroup_dir, NULL);
    }
    move_self(r); /* before Linux 5.7: the stub moves itself, as on v1 */
  }
  pid_t pid = fork();
  if (pid < 0) fail(125, errno, "fork", NULL, NULL);
  return pid;
}

/* The cgroup descriptors are for placing the command only: closed in both processes. */
static void close_cgroup_fds(const struct request *r) {
  for (int i = 0; i < r->ncgroups; ++i) {
    if (join_fds[i] >= 0) close(join_fds[i]);
    join_fds[i] = -1;
  }
  if (cgroup_dir_fd >= 0) close(cgroup_dir_fd);
  cgroup_dir_fd = -1;
}

/* The caller's descriptors 5.. become the command's 3.. (the report socket moves above them
 * first; the pidfd at 4 is closed already); the tail closes everything above them at execve. */
static void move_preserved_fds(void) {
  if (preserve_fds == 0) return;
  int high = fcntl(sock, F_DUPFD_CLOEXEC, (int)(MYDOCKER_NSENTER_PIDFD_FD + 1 + preserve_fds));
  if (high < 0) fail(125, errno, "move the report socket", NULL, NULL);
  close(sock);
  sock = high;
  for (unsigned i = 0; i < preserve_fds; ++i) {
    if (dup2((int)(MYDOCKER_NSENTER_PIDFD_FD + 1 + i), (int)(3 + i)) < 0) {
      fail(125, errno, "preserve the caller's descriptors", NULL, NULL);
    }
  }
}

/* The command's process: the exec tail from here, exactly as the container's init runs it, but
 * that exec creates no missing working directory (as Docker's) and the command is not tied to
 * the helper's life (the helper forwards signals and waits for it instead). */
__attribute__((noreturn)) static void run_command(const struct request *r) {
  move_preserved_fds();
  struct mydocker_exec_tail_plan t;
  memset(&t, 0, sizeof t);
  t.report_fd = sock;
  t.preserve_fds = preserve_fds;
  t.terminal = r->tty;
  t.rows = r->rows;
  t.cols = r->cols;
  for (int fd = 0; fd < 3; ++fd) t.stdio[fd] = fd; /* as the client spawned the helper */
  t.cwd = r->cwd;
  t.limit_capabilities = r->limit_caps;
  t.capabilities = r->caps;
  t.last_capability = r->last_cap;
  t.all_sets = r->all_sets;
  t.cap_effective = r->cap_sets[0];
  t.cap_permitted = r->cap_sets[1];
  t.cap_inheritable = r->cap_sets[2];
  t.cap_ambient = r->cap_sets[3];
  t.no_new_privs = r->no_new_privs;
  t.seccomp = r->seccomp;
  t.seccomp_len = r->seccomp_len;
  t.set_user = 1;
  t.uid = r->uid;
  t.gid = r->gid;
  t.groups = r->groups;
  t.ngroups = (size_t)r->ngroups;
  /* Docker's 022 unless the request says (OCI process.user.umask): never the client's own. */
  t.umask = r->has_umask ? r->umask : 022;
  t.exec_candidates = (const char *const *)r->paths.items;
  t.command_name = r->name;
  t.command_has_slash = strchr(r->name, '/') != NULL;
  t.argv = r->args.items;
  t.envp = r->env.items;
  for (int i = 0; i < r->nrlimits; ++i) {
    struct rlimit limit = {(rlim_t)r->rlimits[i].soft, (rlim_t)r->rlimits[i].hard};
    if (setrlimit(r->rlimits[i].resource, &limit) != 0) fail(125, errno, "set rlimit", NULL, NULL);
  }
  if (r->has_oom_score_adj) {
    /* In the container's PID namespace and its /proc: "self" is this process. Lowering the
     * score needs CAP_SYS_RESOURCE, as for runc. */
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    size_t len = strlen(r->oom_score_adj);
    if (fd < 0 || write(fd, r->oom_score_adj, len) != (ssize_t)len)
      fail(125, errno, "set oom_score_adj", NULL, NULL);
    close(fd);
  }
  mydocker_exec_tail_run(&t);
}

/* sendpid=1: the command's pid, for the client's pid file. */
static void send_pid(pid_t pid) {
  char msg[1 + sizeof(int32_t)];
  int32_t value = (int32_t)pid;
  msg[0] = MYDOCKER_NSENTER_PID_REPLY;
  memcpy(msg + 1, &value, sizeof value);
  if (send(sock, msg, sizeof msg, MSG_NOSIGNAL) != (ssize_t)sizeof msg) {
    kill(pid, SIGKILL);
    _exit(125);
  }
}

static volatile pid_t child_pid;

static void forward(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

/* A health check that timed out: the command is a session leader (the exec tail's setsid), so
 * its whole process group goes, not only the command. */
static void kill_group(int sig) {
  (void)sig;
  if (child_pid > 0) {
    kill(-child_pid, SIGKILL);
    kill(child_pid, SIGKILL);
  }
}

static void unblock_alarm(void) {
  sigset_t alarm;
  sigemptyset(&alarm);
  sigaddset(&alarm, SIGALRM);
  sigprocmask(SIG_UNBLOCK, &alarm, NULL);
}

static void wait_and_exit(pid_t child, int kill_on_alarm) {
  static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  child_pid = child;
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; ++i)
    sigaction(forwarded[i], &sa, NULL);
  sa.sa_handler = kill_on_alarm ? kill_group : SIG_DFL;
  sigaction(SIGALRM, &sa, NULL);
  unblock_alarm(); /* one that came early is delivered now */
  int status;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) _exit(125);
  }
  if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) _exit(128 + WTERMSIG(status));
  _exit(125);
}

__attribute__((constructor)) static void mydocker_nsenter(int argc, char **argv, char **envp) {
  (void)argc;
  const char *v = getenv(MYDOCKER_NSENTER_ENV);
  if (v == NULL) return;
  sock = atoi(v);
  const char *colon = strchr(v, ':');
  if (colon != NULL) preserve_fds = (unsigned)strtoul(colon + 1, NULL, 10);
  if (preserve_fds > 4096) fail(125, 0, "too many descriptors to preserve", NULL, NULL);
  /* Blocked until the command exists (kept across the re-execution): a health check's
   * timeout may come before that (see wait_and_exit). */
  sigset_t alarm;
  sigemptyset(&alarm);
  sigaddset(&alarm, SIGALRM);
  sigprocmask(SIG_BLOCK, &alarm, NULL);
  /* Only stdio, the socket and the pidfd belong to us; anything else a library caller left
   * open (without close-on-exec) must not reach the container, not even as /proc/self/fd/N
   * for a working directory (CVE-2024-21626). */
  syscall(SYS_close_range, MYDOCKER_NSENTER_PIDFD_FD + 1 + preserve_fds, ~0U, 0U);
  if (!mydocker_running_sealed()) reexec_sealed(argv, envp);
  /* Executed as /proc/self/fd/N, the helper would be named "N" in ps and top. */
  prctl(PR_SET_NAME, "mydocker-exec", 0, 0, 0);
  /* No ptrace and no /proc/<pid>/ access from the container while we hold host resources. */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  size_t size = 0;
  char *buf = read_all(sock, &size);
  if (buf == NULL) fail(125, errno, "read exec request", NULL, NULL);
  struct request r;
  parse(buf, size, &r);
  join(&r);
  enter_root(&r);
  pid_t child = spawn_command(&r);
  close_cgroup_fds(&r);
  if (child == 0) {
    unblock_alarm();
    enter_cgroup_namespace(&r);
    run_command(&r);
  }
  if (r.send_pid) send_pid(child);
  close(MYDOCKER_NSENTER_PIDFD_FD);
  if (cgroup_ns_fd >= 0) close(cgroup_ns_fd);
  close(sock); /* the child's copy tells the client how execve went */
  if (r.detach) _exit(0);
  wait_and_exit(child, r.kill_on_alarm);
}
