/* The protocol between a client (Container::Exec) and the nsenter stub that runs inside the
 * helper binary before its C++ runtime starts. Plain C: the stub is C, the client is C++. */
#ifndef MYDOCKER_NSENTER_H_
#define MYDOCKER_NSENTER_H_

/* Set in the helper's environment to the number of the request socket; nothing happens
 * without it. "3:N" (runc's exec --preserve-fds N): descriptors 5 to 5+N-1 are the caller's,
 * and the command gets them as 3 to 3+N-1. */
#define MYDOCKER_NSENTER_ENV "_MYDOCKER_NSENTER"

/* Descriptors in the helper: 0-2 the command's stdio (unused with a terminal), the request
 * socket, and a pidfd of the container's init (pins that very process). */
#define MYDOCKER_NSENTER_SOCKET_FD 3
#define MYDOCKER_NSENTER_PIDFD_FD 4

/* The request is a sequence of NUL-terminated "key=value" tokens, sent by the client before
 * it shuts down its writing side:
 *   cgroup=<path of a cgroup.procs file to join>   (repeated)
 *   ns=<hex CLONE_NEW* flags to join through the pidfd>
 *   cwd=<dir>  uid=<n>  gid=<n>  group=<n> (repeated)
 *   caps=<hex mask kept>  lastcap=<n>   (absent: capabilities unchanged)
 *   seccomp=<hex bytes of a struct sock_filter array>   (absent: no filter)
 *   nnp=1   (set no_new_privs before loading the filter)
 *   tty=1  rows=<n>  cols=<n>  detach=1
 *   killonalarm=1   (SIGALRM to the helper kills the command's process group: health checks)
 *   capsets=<hex effective>:<hex permitted>:<hex inheritable>:<hex ambient>
 *                   (with caps=: exactly these sets whatever the uid, as OCI process.capabilities)
 *   rlimit=<resource>:<soft>:<hard>   (repeated; set in the command's process)
 *   sendpid=1       (the stub reports the command's pid, see below)
 *   env=<KEY=VALUE> (repeated)  path=<candidate executable> (repeated, in order)
 *   arg=<argv element> (repeated)  name=<command as typed, for messages> */

/* Replies on the socket: the exec tail's reports (src/process/exec_tail.h), from the stub
 * itself for a step before the fork (exit code 125) and from the command's process after it:
 * a terminal master, the ready byte, or one struct mydocker_exec_tail_error. End of stream
 * after the ready byte means execve succeeded. The helper's own exit status is the command's
 * (128+N when killed by signal N); with detach=1 the helper exits 0 as soon as the command is
 * started. With sendpid=1 the stub itself also sends one message MYDOCKER_NSENTER_PID_REPLY
 * followed by the command's pid (int32_t, in the client's PID namespace) as soon as it exists;
 * it may come before or after the command's own reports. */
#define MYDOCKER_NSENTER_PID_REPLY 'p'

#endif /* MYDOCKER_NSENTER_H_ */
