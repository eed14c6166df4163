// mydocker's compact container log (the "local" log driver, the default): one record per read
// of the container's output, not one per line, so a program printing many short lines costs one
// write and 20 bytes per read instead of a JSON object per line (docs/logs.md).
//
// A record is a 16-byte header, the output bytes as the container wrote them, and a 4-byte
// trailer repeating their length, so the log can be walked backwards (`logs --tail`):
//   0  u8   0xD7, a byte no json-file line starts with ('{')
//   1  u8   the stream: 1 stdout, 2 stderr
//   2  u16  flags: bit 0 set when the payload continues a line an earlier record of the same
//           stream began (so a reader starting here drops the fragment); other bits 0
//   4  u32  N, the payload's length (little-endian, at most kMaxPayload)
//   8  i64  the time the output was read, in nanoseconds since the Unix epoch (little-endian)
//  16  N bytes of output
//  16+N u32 N again
#ifndef MYDOCKER_LOG_RECORDS_H_
#define MYDOCKER_LOG_RECORDS_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mydocker::logrec {

inline constexpr unsigned char kMagic = 0xD7;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kTrailerSize = 4;
inline constexpr size_t kOverhead = kHeaderSize + kTrailerSize;
inline constexpr uint32_t kMaxPayload = 1u << 20;

enum class Stream : uint8_t { kStdout = 1, kStderr = 2 };

struct Header {
  Stream stream = Stream::kStdout;
  bool continues = false;  // flag bit 0
  uint32_t size = 0;
  absl::Time time;
};

// One whole record: header, `payload`, trailer (payload at most kMaxPayload bytes).
std::string Encode(Stream stream, absl::string_view payload, absl::Time time,
                   bool continues = false);
// The header at `p` (kHeaderSize bytes), or nullopt when the bytes cannot start a record.
std::optional<Header> DecodeHeader(const char* p);
uint32_t DecodeTrailer(const char* p);

absl::string_view StreamName(Stream stream);  // "stdout", "stderr"
// 0 for stdout, 1 for stderr (an index into per-stream arrays), and back.
inline int StreamIndex(Stream stream) { return stream == Stream::kStderr ? 1 : 0; }
inline Stream StreamAt(int index) { return index == 1 ? Stream::kStderr : Stream::kStdout; }

// True if the file's first byte says it holds records (false: json lines, or empty).
bool IsRecordLog(int fd);

// Where the last whole record of `fd` (a record log of `size` bytes) ends: `size` when the log
// ends with one, else (a write torn by a crash) the end of the last record a scan from the
// start finds intact.
absl::StatusOr<off_t> IntactEnd(int fd, off_t size);

}  // namespace mydocker::logrec

#endif  // MYDOCKER_LOG_RECORDS_H_
