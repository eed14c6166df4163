#define _GNU_SOURCE
#include "process/sealed_exe.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: needed where vm.memfd_noexec forbids executable memfds */
#endif

#define MYDOCKER_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

int mydocker_running_sealed(void) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  int seals = fcntl(fd, F_GET_SEALS);
  close(fd);
  return seals >= 0 && (seals & MYDOCKER_SEALS) == MYDOCKER_SEALS;
}

static int fail(int fd, const char *step, const char **what) {
  int saved = errno;
  if (fd >= 0) close(fd);
  *what = step;
  errno = saved;
  return -1;
}

int mydocker_sealed_self_copy(const char *name, const char **what) {
  int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (src < 0) return fail(-1, "open /proc/self/exe", what);
  int mem = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mem < 0 && errno == EINVAL) mem = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mem < 0) return fail(src, "memfd_create", what);
  struct stat st;
  if (fstat(src, &st) != 0) {
    close(mem);
    return fail(src, "stat /proc/self/exe", what);
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
