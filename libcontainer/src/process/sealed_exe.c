#define _GNU_SOURCE
#include "process/sealed_exe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: needed where vm.memfd_noexec forbids executable memfds */
#endif
#define MYDOCKER_OVERLAYFS_MAGIC 0x794c7630

#define MYDOCKER_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* True if `fd` is a sealed memfd or a file on a read-only overlayfs. */
static int is_protected(int fd) {
  int seals = fcntl(fd, F_GET_SEALS);
  if (seals >= 0 && (seals & MYDOCKER_SEALS) == MYDOCKER_SEALS) return 1;
  struct statfs fs;
  return fstatfs(fd, &fs) == 0 && fs.f_type == MYDOCKER_OVERLAYFS_MAGIC &&
         (fs.f_flags & ST_RDONLY) != 0;
}

int mydocker_running_sealed(void) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  int sealed = is_protected(fd);
  close(fd);
  return sealed;
}

static int fail(int fd, const char *step, const char **what) {
  int saved = errno;
  if (fd >= 0) close(fd);
  *what = step;
  errno = saved;
  return -1;
}

/* Appends s[0..n) to out (of size cap, at *len), escaping overlayfs's separators '\\' and ':'.
 * 0 if it does not fit. */
static int append_layer(char *out, size_t cap, size_t *len, const char *s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (*len + 3 > cap) return 0;
    if (s[i] == '\\' || s[i] == ':') out[(*len)++] = '\\';
    out[(*len)++] = s[i];
  }
  out[*len] = '\0';
  return 1;
}

/* overlay_view with `lower` an absolute path. */
static int overlay_view_over(const char *path, int file, const char *lower) {
  const char *slash = strrchr(path, '/');
  char layers[2 * PATH_MAX + 2];
  size_t len = 0;
  if (!append_layer(layers, sizeof layers, &len, path,
                    slash == path ? 1 : (size_t)(slash - path)) ||
      len + 2 >= sizeof layers) {
    return -1;
  }
  layers[len++] = ':';
  if (!append_layer(layers, sizeof layers, &len, lower, strlen(lower))) return -1;
  int ctx = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (ctx < 0) return -1;
  /* The binary's directory on top: a file of the same name in `lower` cannot hide it. */
  if (syscall(SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "lowerdir", layers, 0) != 0) {
    close(ctx);
    return -1;
  }
  /* Inode numbers are of no use here; "auto" may log a warning when the layers' file systems
   * differ. */
  (void)syscall(SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "xino", "off", 0);
  if (syscall(SYS_fsconfig, ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
    close(ctx);
    return -1;
  }
  int mnt = (int)syscall(SYS_fsmount, ctx, FSMOUNT_CLOEXEC,
                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
  close(ctx);
  if (mnt < 0) return -1;
  int fd = openat(mnt, slash + 1, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  close(mnt);
  if (fd < 0) return -1;
  /* The file there now must be the one running (not a newer one installed since it started). */
  struct stat seen, running;
  if (fstat(fd, &seen) != 0 || fstat(file, &running) != 0 || !S_ISREG(seen.st_mode) ||
      seen.st_size != running.st_size || seen.st_mtim.tv_sec != running.st_mtim.tv_sec ||
      seen.st_mtim.tv_nsec != running.st_mtim.tv_nsec) {
    close(fd);
    return -1;
  }
  return fd;
}

/* An empty, read-only tmpfs mounted nowhere (the new mount API): the second layer when the
 * caller names no empty directory. Its root is reachable only as /proc/self/fd/<fd>, which is
 * written to `buf`; it ends when the descriptor is closed (the overlay keeps what it needs). -1
 * where the kernel or the caller's privileges do not allow it. */
static int empty_layer(char *buf, size_t cap) {
  int ctx = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (ctx < 0) return -1;
  (void)syscall(SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "size", "4k", 0);
  if (syscall(SYS_fsconfig, ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0) {
    close(ctx);
    return -1;
  }
  int mnt =
      (int)syscall(SYS_fsmount, ctx, FSMOUNT_CLOEXEC,
                   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
  close(ctx);
  if (mnt < 0) return -1;
  /* "/proc/self/fd/" and at most ten digits: no formatting function needed. */
  static const char prefix[] = "/proc/self/fd/";
  char digits[12];
  size_t n = 0;
  for (unsigned v = (unsigned)mnt; n == 0 || v > 0; v /= 10) digits[n++] = (char)('0' + v % 10);
  if (sizeof prefix + n > cap) {
    close(mnt);
    return -1;
  }
  memcpy(buf, prefix, sizeof prefix - 1);
  for (size_t i = 0; i < n; ++i) buf[sizeof prefix - 1 + i] = digits[n - 1 - i];
  buf[sizeof prefix - 1 + n] = '\0';
  return mnt;
}

/* The file at `path` (absolute, no symbolic link in it), open as `file`, opened again through a
 * private, read-only overlay of its directory over `lower` (mounted nowhere: it lives as long as
 * the descriptor or a process executing it), or over an empty tmpfs of its own when `lower` is
 * NULL or empty; -1 where the kernel, the file systems or the paths do not allow it. */
static int overlay_view(const char *path, int file, const char *lower) {
  if (path[0] != '/' || path[1] == '\0') return -1;
  char own_lower[32];
  int own = -1;
  if (lower == NULL || lower[0] == '\0') {
    own = empty_layer(own_lower, sizeof own_lower);
    if (own < 0) return -1;
    lower = own_lower;
  }
  int view = overlay_view_over(path, file, lower);
  if (own >= 0) close(own);
  return view;
}

/* A memfd holding a copy of `src` (closed here), sealed against writes, growth, shrinking and
 * further seals. */
static int sealed_copy(int src, const char *name, const char **what) {
  int mem = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mem < 0 && errno == EINVAL) mem = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mem < 0) return fail(src, "memfd_create", what);
  struct stat st;
  if (fstat(src, &st) != 0) {
    close(mem);
    return fail(src, "stat the helper binary", what);
  }
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = sendfile(mem, src, NULL, (size_t)left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      close(src);
      return fail(mem, "copy the helper binary", what);
    }
    left -= n;
  }
  close(src);
  if (fcntl(mem, F_ADD_SEALS, MYDOCKER_SEALS) != 0)
    return fail(mem, "seal the helper binary", what);
  return mem;
}

int mydocker_sealed_self_copy(const char *name, const char *lower, const char **what) {
  int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (src < 0) return fail(-1, "open /proc/self/exe", what);
  /* Started from such a copy (a monitor is): that copy serves as it is. */
  if (is_protected(src)) return src;
  if (lower == NULL || lower[0] == '\0' || lower[0] == '/') {
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    int view = -1;
    if (n > 0 && (size_t)n < sizeof path - 1) {
      path[n] = '\0';
      view = overlay_view(path, src, lower);
    }
    if (view >= 0) {
      close(src);
      return view;
    }
  }
  return sealed_copy(src, name, what);
}

int mydocker_protected_exe(const char *path, const char *lower, char real[PATH_MAX],
                           const char **what) {
  real[0] = '\0';
  int file = open(path, O_RDONLY | O_CLOEXEC);
  if (file < 0) return fail(-1, "open the helper binary", what);
  /* Already such a copy (/proc/self/exe of a monitor): it serves as it is. */
  if (is_protected(file)) return file;
  if (realpath(path, real) == NULL) real[0] = '\0';
  if (real[0] != '\0' && (lower == NULL || lower[0] == '\0' || lower[0] == '/')) {
    int view = overlay_view(real, file, lower);
    if (view >= 0) {
      close(file);
      return view;
    }
  }
  return sealed_copy(file, "mydocker-helper", what);
}
