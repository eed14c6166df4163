// Compiled seccomp programs kept under the state root. libseccomp takes about a millisecond to
// compile the default profile for three architectures, on every start and every exec; the
// program for a given profile and libseccomp version never changes, so it is compiled once.
//
// A cache file holds the exact text it was compiled from and a checksum over everything, and is
// used only when both match and when it and its directory are ours alone (owned by this user,
// writable by nobody else, no symlink): a different profile can never share a program (no reliance
// on a hash being collision-free), and a file torn by a crash (they are renamed into place but not
// fsynced: losing one costs only a recompile) is recompiled, never loaded.
#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "mydocker/fs_util.h"
#include "mydocker/unique_fd.h"
#include "security/seccomp.h"

namespace mydocker {
namespace {

constexpr uint32_t kMagic = 0x6d647363;  // "mdsc"

uint64_t Fnv1a(absl::string_view data, uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// What a program is compiled from: the profile, the compiler's version and how it is asked to
// lay the program out (kLayout changes whenever CompileSeccomp's choice of layout does).
constexpr absl::string_view kLayout = "btree, ENOSYS prelude, compacted 2";

std::string CacheKeyText(const LinuxSeccomp& seccomp) {
  const scmp_version* v = seccomp_version();
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  WriteSeccomp(w, seccomp);
  return absl::StrCat("libseccomp ", v->major, ".", v->minor, ".", v->micro, " native ",
                      seccomp_arch_native(), " ", kLayout, "\n",
                      absl::string_view(buffer.GetString(), buffer.GetSize()));
}

template <typename T>
void Append(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof value);
}

std::string Encode(absl::string_view key, const std::vector<sock_filter>& program) {
  std::string out;
  Append(&out, kMagic);
  Append(&out, static_cast<uint32_t>(key.size()));
  out.append(key.data(), key.size());
  Append(&out, static_cast<uint32_t>(program.size()));
  out.append(reinterpret_cast<const char*>(program.data()), program.size() * sizeof(sock_filter));
  Append(&out, Fnv1a(out));
  return out;
}

// The program in `data` if it was compiled from `key` and is intact.
std::optional<std::vector<sock_filter>> Decode(absl::string_view data, absl::string_view key) {
  size_t header = 2 * sizeof(uint32_t) + key.size() + sizeof(uint32_t);
  if (data.size() < header + sizeof(uint64_t)) return std::nullopt;
  uint64_t sum;
  std::memcpy(&sum, data.data() + data.size() - sizeof sum, sizeof sum);
  if (Fnv1a(data.substr(0, data.size() - sizeof sum)) != sum) return std::nullopt;
  uint32_t magic, key_size, count;
  std::memcpy(&magic, data.data(), sizeof magic);
  std::memcpy(&key_size, data.data() + 4, sizeof key_size);
  if (magic != kMagic || key_size != key.size() || data.substr(8, key.size()) != key) {
    return std::nullopt;
  }
  std::memcpy(&count, data.data() + 8 + key.size(), sizeof count);
  if (count == 0 || count > BPF_MAXINSNS ||
      data.size() != header + count * sizeof(sock_filter) + sizeof sum) {
    return std::nullopt;
  }
  std::vector<sock_filter> program(count);
  std::memcpy(program.data(), data.data() + header, count * sizeof(sock_filter));
  return program;
}

// Only what this user alone could have written is trusted: a directory or file that someone
// else owns, or that others may write, is ignored (a cached program is loaded as is).
bool OwnedAndPrivate(const struct stat& st) {
  return st.st_uid == ::geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// The cache directory, created if missing; invalid if it is not a private directory of ours
// (a symlink, or a directory others can write).
UniqueFd OpenCacheDir(const std::string& dir) {
  ::mkdir(dir.c_str(), 0700);
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !OwnedAndPrivate(st)) return UniqueFd();
  return fd;
}

std::optional<std::string> ReadCacheFile(int dir, const std::string& name) {
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || !OwnedAndPrivate(st) ||
      st.st_size > (1 << 20)) {
    return std::nullopt;
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  if (::pread(fd.get(), data.data(), data.size(), 0) != st.st_size) return std::nullopt;
  return data;
}

// Best effort: a cache that cannot be written only means compiling next time too.
void WriteCacheFile(int dir, const std::string& name, absl::string_view data) {
  std::string tmp = absl::StrCat(name, ".tmp.", ::getpid(), ".", ::gettid());
  UniqueFd fd(
      ::openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return;
  bool ok = ::write(fd.get(), data.data(), data.size()) == static_cast<ssize_t>(data.size());
  if (!ok || ::renameat(dir, tmp.c_str(), dir, name.c_str()) != 0) ::unlinkat(dir, tmp.c_str(), 0);
}

}  // namespace

absl::StatusOr<std::vector<sock_filter>> CompileSeccompCached(const LinuxSeccomp& seccomp,
                                                              const std::string& cache_dir) {
  if (cache_dir.empty()) return CompileSeccomp(seccomp);
  UniqueFd dir = OpenCacheDir(cache_dir);
  if (!dir) return CompileSeccomp(seccomp);
  std::string key = CacheKeyText(seccomp);
  std::string name = absl::StrCat(absl::Hex(Fnv1a(key), absl::kZeroPad16), ".bpf");
  if (std::optional<std::string> data = ReadCacheFile(dir.get(), name)) {
    if (auto program = Decode(*data, key)) return *std::move(program);
  }
  absl::StatusOr<std::vector<sock_filter>> program = CompileSeccomp(seccomp);
  if (program.ok()) WriteCacheFile(dir.get(), name, Encode(key, *program));
  return program;
}

std::string SeccompCacheDir(const std::string& state_root) {
  return absl::StrCat(state_root, "/cache");
}

}  // namespace mydocker
