#include "log_records.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "mydocker/status_macros.h"

namespace mydocker::logrec {
namespace {

void PutLe(char* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

uint64_t GetLe(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

bool ReadAt(int fd, char* buf, size_t n, off_t at) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, buf + done, n - done, at + static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

// True if a whole, consistent record starts at `at` and ends at or before `size`; *end is its end.
bool RecordAt(int fd, off_t at, off_t size, off_t* end) {
  if (size - at < static_cast<off_t>(kOverhead)) return false;
  char head[kHeaderSize];
  if (!ReadAt(fd, head, sizeof head, at)) return false;
  std::optional<Header> h = DecodeHeader(head);
  if (!h) return false;
  off_t e = at + static_cast<off_t>(kOverhead + h->size);
  char trailer[kTrailerSize];
  if (e > size || !ReadAt(fd, trailer, sizeof trailer, e - kTrailerSize)) return false;
  if (DecodeTrailer(trailer) != h->size) return false;
  *end = e;
  return true;
}

}  // namespace

std::string Encode(Stream stream, absl::string_view payload, absl::Time time, bool continues) {
  std::string out(kOverhead + payload.size(), '\0');
  char* p = out.data();
  p[0] = static_cast<char>(kMagic);
  p[1] = static_cast<char>(stream);
  p[2] = continues ? 1 : 0;
  PutLe(p + 4, payload.size(), 4);
  PutLe(p + 8, static_cast<uint64_t>(absl::ToUnixNanos(time)), 8);
  payload.copy(p + kHeaderSize, payload.size());
  PutLe(p + kHeaderSize + payload.size(), payload.size(), 4);
  return out;
}

std::optional<Header> DecodeHeader(const char* p) {
  if (static_cast<unsigned char>(p[0]) != kMagic || (p[2] & ~1) != 0 || p[3] != 0) {
    return std::nullopt;
  }
  const auto stream = static_cast<Stream>(p[1]);
  if (stream != Stream::kStdout && stream != Stream::kStderr) return std::nullopt;
  Header h;
  h.stream = stream;
  h.continues = (p[2] & 1) != 0;
  h.size = static_cast<uint32_t>(GetLe(p + 4, 4));
  if (h.size > kMaxPayload) return std::nullopt;
  h.time = absl::FromUnixNanos(static_cast<int64_t>(GetLe(p + 8, 8)));
  return h;
}

uint32_t DecodeTrailer(const char* p) { return static_cast<uint32_t>(GetLe(p, 4)); }

absl::string_view StreamName(Stream stream) {
  return stream == Stream::kStderr ? "stderr" : "stdout";
}

bool IsRecordLog(int fd) {
  char first;
  return ::pread(fd, &first, 1, 0) == 1 && static_cast<unsigned char>(first) == kMagic;
}

absl::StatusOr<off_t> IntactEnd(int fd, off_t size) {
  if (size == 0) return size;
  // The common case: the last record is whole (its trailer leads back to a matching header).
  char trailer[kTrailerSize];
  off_t end = 0;
  if (size >= static_cast<off_t>(kOverhead) && ReadAt(fd, trailer, sizeof trailer, size - 4)) {
    off_t at = size - static_cast<off_t>(kOverhead + DecodeTrailer(trailer));
    if (at >= 0 && RecordAt(fd, at, size, &end) && end == size) return size;
  }
  off_t at = 0;
  while (RecordAt(fd, at, size, &end)) at = end;
  return at;
}

}  // namespace mydocker::logrec
