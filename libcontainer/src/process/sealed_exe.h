/* A sealed in-memory copy of the running binary (CVE-2019-5736): executed where a container's
 * process could otherwise reach the host's binary through /proc/<pid>/exe and overwrite it.
 * Used by the exec stub (nsenter.c, which re-executes itself from it) and by the monitor for
 * --init (the container's PID 1 is the helper's init mode, run from such a copy). C, so the
 * stub can use it before the C++ runtime exists. */
#ifndef MYDOCKER_PROCESS_SEALED_EXE_H_
#define MYDOCKER_PROCESS_SEALED_EXE_H_

#ifdef __cplusplus
extern "C" {
#endif

/* Returns a close-on-exec memfd holding /proc/self/exe, sealed against writes, growth, shrinking
 * and further seals; or -1 with errno set and *what naming the step that failed. */
int mydocker_sealed_self_copy(const char *name, const char **what);

/* True if /proc/self/exe is such a copy. */
int mydocker_running_sealed(void);

#ifdef __cplusplus
}
#endif

#endif /* MYDOCKER_PROCESS_SEALED_EXE_H_ */
