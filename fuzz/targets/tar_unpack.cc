// A layer tarball, as `load`, `import`, `pull` and `cp` unpack it (image/layer_unpacker.h), into a
// scratch directory. The property checked: nothing is ever created outside the target (a
// sibling directory with one file stays as it was), whatever the archive holds.
//
// Compressed input is skipped: a few kilobytes of xz can expand to gigabytes, and the
// decompressors are libarchive's, not ours. Files are capped at 16 MiB (RLIMIT_FSIZE).
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "fuzz.h"
#include "image/layer_unpacker.h"
#include "mydocker/fs_util.h"

namespace {

struct Scratch {
  std::string top, target, outside;
  Scratch() {
    char tmpl[] = "/tmp/mydocker-fuzz-tar-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) ::abort();
    top = tmpl;
    target = top + "/target";
    outside = top + "/outside";
    if (::mkdir(outside.c_str(), 0755) != 0) ::abort();
    if (!mydocker::WriteFileAtomic(outside + "/sentinel", "unchanged").ok()) ::abort();
    ::signal(SIGXFSZ, SIG_IGN);  // a write past the cap fails with EFBIG instead
    struct rlimit fsize = {16 << 20, 16 << 20};
    ::setrlimit(RLIMIT_FSIZE, &fsize);
  }
  ~Scratch() { mydocker::RemoveAll(top).IgnoreError(); }
};

// The decompressors the unpacker enables (image/hashing_source.cc): gzip, bzip2, xz, zstd, lz4.
bool Compressed(const uint8_t* data, size_t size) {
  static const std::string kMagics[] = {{"\x1f\x8b", 2},
                                        {"BZh", 3},
                                        {"\xfd"
                                         "7zXZ",
                                         5},
                                        {"\x28\xb5\x2f\xfd", 4},
                                        {"\x04\x22\x4d\x18", 4},
                                        {"\x02\x21\x4c\x18", 4}};
  for (const std::string& magic : kMagics) {
    if (size >= magic.size() && std::memcmp(data, magic.data(), magic.size()) == 0) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Scratch scratch_dir;  // removed at exit
  Scratch* scratch = &scratch_dir;
  if (Compressed(data, size)) return 0;
  int fd = ::memfd_create("layer.tar", MFD_CLOEXEC);
  if (fd < 0 || ::write(fd, data, size) != static_cast<ssize_t>(size) ||
      ::lseek(fd, 0, SEEK_SET) != 0) {
    ::abort();
  }
  if (::mkdir(scratch->target.c_str(), 0755) != 0) ::abort();
  mydocker::LayerUnpacker::UnpackFd(mydocker::UniqueFd(fd), "layer.tar", scratch->target)
      .IgnoreError();
  if (!mydocker::RemoveAll(scratch->target).ok()) ::abort();
  absl::StatusOr<std::vector<std::string>> top = mydocker::ListDir(scratch->top);
  absl::StatusOr<std::vector<std::string>> outside = mydocker::ListDir(scratch->outside);
  if (!top.ok() || top->size() != 1 || !outside.ok() || outside->size() != 1 ||
      mydocker::ReadFile(scratch->outside + "/sentinel").value_or("") != "unchanged") {
    std::fprintf(stderr, "the archive changed something outside the target\n");
    ::abort();
  }
  return 0;
}
