/* The exec tail: the steps from "inside the container's namespaces" to execve, written once for
 * the container's init (process/init.cc, after its mounts and pivot_root) and for the exec stub
 * (nsenter/nsenter.c, after setns and its fork into the PID namespace). Plain C11, so the stub
 * can run it as a constructor before the C++ runtime exists.
 *
 * It runs in the child of clone() or fork() of a process that may have had other threads, so
 * it calls only async-signal-safe functions and system calls, allocates nothing and takes a
 * plan prepared as plain data before the fork. A failing step never returns: it sends one
 * struct mydocker_exec_tail_error on the report socket and _exits with the error's exit code.
 *
 * Exit codes are Docker's, one set for run and exec:
 *   125  a step of the runtime failed (terminal, capabilities, seccomp, user switch, ...);
 *   126  the command cannot be invoked: execve failed other than "not found" (EACCES, ENOEXEC,
 *        a directory, E2BIG, ...), or its working directory cannot be entered (it is part of
 *        how the command was asked to run, like its path: `docker exec -w` reports 126 too);
 *   127  the command was not found. */
#ifndef MYDOCKER_PROCESS_EXEC_TAIL_H_
#define MYDOCKER_PROCESS_EXEC_TAIL_H_

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MYDOCKER_EXIT_RUNTIME 125
#define MYDOCKER_EXIT_CANNOT_INVOKE 126
#define MYDOCKER_EXIT_NOT_FOUND 127

/* What the tail sends on the report socket (SOCK_SEQPACKET: every message arrives whole):
 *   - with a terminal, first one byte MYDOCKER_EXEC_TAIL_TERMINAL carrying the pty master
 *     (SCM_RIGHTS);
 *   - then either one struct mydocker_exec_tail_error (a step failed; the process exits with
 *     its exit_code), or one byte MYDOCKER_EXEC_TAIL_READY (every step before execve went well)
 *     followed by end of stream when execve succeeds (the socket is close-on-exec) or by an
 *     error when execve fails.
 * The layout is the wire format between builds of the helper and the library: never change it,
 * add a new message instead. */
#define MYDOCKER_EXEC_TAIL_TERMINAL 't'
#define MYDOCKER_EXEC_TAIL_READY 'x'
/* OCI mode (`create`, then `start`): every step before execve went well and the process now
 * waits for `start`; nothing more is sent on the report socket after it. */
#define MYDOCKER_EXEC_TAIL_CREATED 'c'

struct mydocker_exec_tail_error {
  int32_t exit_code; /* 125, 126 or 127 */
  int32_t err;       /* errno of the failed call, 0 if none */
  char what[480];    /* the step, NUL-terminated: "chdir to /data", "exec: \"ls\": ..." */
};

/* Everything the tail needs, as plain data. Pointers must stay valid until execve. */
struct mydocker_exec_tail_plan {
  int report_fd; /* SOCK_SEQPACKET, close-on-exec; its other end reads the reports */

  /* Standard streams. With `terminal`, a pseudo-terminal is opened in /dev/pts (the container's
   * devpts), made the controlling terminal of a new session, sized to rows x cols (when both
   * are set) and put on 0, 1 and 2; its master is sent on report_fd. Otherwise stdio[i] is
   * duplicated onto i (an entry equal to i, or -1, leaves i as it is). */
  int terminal;
  unsigned short rows, cols;
  int stdio[3];

  /* Working directory. `cwd_create`, when not NULL, is a NULL-terminated list of directories
   * made first, parents before children (a missing component, as `docker run -w` creates it;
   * `exec -w` creates nothing, as Docker's). */
  const char *cwd;
  const char *const *cwd_create;

  /* Privileges. With limit_capabilities, every capability not in `capabilities` (bit N =
   * capability N) up to last_capability leaves the bounding set, the ambient set is cleared
   * and, for uid 0, permitted and effective become `capabilities` with an empty inheritable
   * set. */
  int limit_capabilities;
  uint64_t capabilities;
  int last_capability;
  int no_new_privs;
  const struct sock_filter *seccomp; /* NULL: no filter */
  unsigned short seccomp_len;        /* instructions */
  int set_user;                      /* 0: keep the caller's ids (unit tests run unprivileged) */
  uid_t uid;
  gid_t gid;
  const gid_t *groups; /* supplementary groups (ngroups of them) */
  size_t ngroups;
  mode_t umask;

  /* Set again after the user switch, which clears it; 0: none. A parent that died before then
   * sends no signal any more; when it also held report_fd's other end (init's monitor does),
   * the ready byte cannot be sent and the tail exits 125 without executing the command. */
  int parent_death_signal;

  /* The command. execve tries each of exec_candidates (NULL-terminated, in $PATH order) as
   * execvp does; command_name is the command as given, for messages. */
  const char *const *exec_candidates;
  const char *command_name;
  int command_has_slash;
  char *const *argv;
  char *const *envp;

  /* OCI mode. With wait_for_start, once every step above went well the tail sends
   * MYDOCKER_EXEC_TAIL_CREATED instead of the ready byte and blocks reading one byte from
   * start_fd (the state directory's fifo, which `start` writes to); failures after that (the
   * command not found) go to the command's stderr, as nobody reads the report socket any more.
   * Descriptors 3 to 3 + preserve_fds - 1 stay open across execve (`--preserve-fds`). */
  int wait_for_start;
  int start_fd;
  unsigned preserve_fds;

  /* OCI process.capabilities, all five sets. With all_sets (and limit_capabilities, whose
   * `capabilities` is then the bounding set), the process gets exactly these sets whatever its
   * uid (capabilities kept across the user switch), ambient ones raised last. */
  int all_sets;
  uint64_t cap_effective, cap_permitted, cap_inheritable, cap_ambient;
};

/* Runs the tail: never returns. REQUIRES: the calling process has a single thread, and signals
 * that could run handlers of the parent's are blocked or harmless (every disposition is reset
 * to its default before execve). */
__attribute__((noreturn, visibility("hidden"))) void mydocker_exec_tail_run(
    const struct mydocker_exec_tail_plan *plan);

/* Sends {exit_code, err, what + what2 + what3 (cut to fit)} on report_fd and _exits with
 * exit_code: the callers' own steps (mounts, namespaces, cgroups) fail in the same format.
 * what2 and what3 may be NULL. */
__attribute__((noreturn, visibility("hidden"))) void mydocker_exec_tail_fail(
    int report_fd, int exit_code, int err, const char *what, const char *what2, const char *what3);

#ifdef __cplusplus
}
#endif

#endif /* MYDOCKER_PROCESS_EXEC_TAIL_H_ */
