/* A copy of the running binary that no process can write to (CVE-2019-5736): executed where a
 * container's process could otherwise reach the host's binary through /proc/<pid>/exe and
 * overwrite it. Used by the exec stub (nsenter.c, which re-executes itself from it), by the
 * monitor for --init (the container's PID 1 is the helper's init mode, run from such a copy) and
 * by mydocker-runc. C, so the stub can use it before the C++ runtime exists.
 *
 * Made without copying where the kernel allows (as runc 1.2 does): the binary's directory
 * becomes the top layer of a private overlayfs mount with no upper layer, attached nowhere and
 * read-only, so that no write can reach the file through it, not even after a remount (there is
 * no upper layer to write to). Otherwise an in-memory copy, sealed against writes. */
#ifndef MYDOCKER_PROCESS_SEALED_EXE_H_
#define MYDOCKER_PROCESS_SEALED_EXE_H_

#include <limits.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Returns a close-on-exec descriptor to execute (execveat with AT_EMPTY_PATH) that holds what
 * /proc/self/exe holds: the binary opened through such an overlay, whose second layer
 * (overlayfs needs one when it has no upper layer) is `lower`, an empty directory outside the
 * binary's (a state root's, see kSealLowerDir), or, when `lower` is NULL or "", an empty
 * read-only tmpfs mounted nowhere; else (no overlay possible) a memfd holding a copy, sealed
 * against writes, growth, shrinking and further seals; when /proc/self/exe is already such a
 * copy (a monitor's is), that copy, opened again. -1 with errno set and *what naming the step
 * that failed. */
int mydocker_sealed_self_copy(const char *name, const char *lower, const char **what);

/* The executable at `path` through such an overlay (`lower` as above), else a sealed memfd copy
 * of it; `path` itself, opened, when it is already such a copy. What a client starts the
 * container's monitor and exec's stub from, so that neither they nor the container's init (the
 * monitor's clone, which runs the binary until its execve) is the host's file. `real` receives
 * the host file's resolved path ("" when there was none to resolve). -1 with errno set and
 * *what naming the step that failed. */
int mydocker_protected_exe(const char *path, const char *lower, char real[PATH_MAX],
                           const char **what);

/* True if /proc/self/exe is such a copy: a sealed memfd, or a file on a read-only overlayfs. */
int mydocker_running_sealed(void);

/* The environment variable through which a caller gives the exec stub that empty directory. */
#define MYDOCKER_SEAL_LOWER_ENV "_MYDOCKER_SEAL_LOWER"

#ifdef __cplusplus
}
#endif

#endif /* MYDOCKER_PROCESS_SEALED_EXE_H_ */
