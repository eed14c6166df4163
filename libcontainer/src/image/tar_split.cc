#include "image/tar_split.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <nettle/sha2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "mydocker/fs_util.h"
#include "mydocker/status_macros.h"
#include "mydocker/unique_fd.h"

namespace mydocker {
namespace {

constexpr absl::string_view kMagic = "mydocker-tar-split 1\n";
constexpr absl::string_view kFooterMagic = "tsplit1\n";
constexpr size_t kFooterSize = 16;
constexpr size_t kBlock = 512;
constexpr size_t kChunk = 128 * 1024;
// Pax and GNU long-name bodies parsed for the next entry's name and size; a larger one makes
// the rest of the stream verbatim.
constexpr int64_t kMaxMetaBody = 1 << 20;
constexpr size_t kMaxRawItem = 4 << 20;
constexpr size_t kMaxLocation = 8192;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("corrupt layer record: ", what));
}

// One zlib stream written to a file.
class ZWriter {
 public:
  ZWriter(int fd, std::string name) : fd_(fd), name_(std::move(name)), out_(kChunk) {}
  ~ZWriter() {
    if (ready_) deflateEnd(&z_);
  }
  absl::Status Start() {
    if (deflateInit(&z_, Z_DEFAULT_COMPRESSION) != Z_OK) {
      return absl::ResourceExhaustedError("zlib deflateInit");
    }
    ready_ = true;
    return absl::OkStatus();
  }
  absl::Status Write(absl::string_view data) { return Run(data, Z_NO_FLUSH); }
  absl::Status End() {
    MYDOCKER_RETURN_IF_ERROR(Run("", Z_FINISH));
    deflateEnd(&z_);
    ready_ = false;
    return absl::OkStatus();
  }

 private:
  absl::Status Run(absl::string_view data, int flush) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = static_cast<uInt>(data.size());
    int r;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      r = deflate(&z_, flush);
      if (r == Z_STREAM_ERROR) return absl::InternalError("zlib deflate");
      size_t n = out_.size() - z_.avail_out;
      MYDOCKER_RETURN_IF_ERROR(WriteAll(fd_, absl::string_view(out_.data(), n), name_));
    } while (z_.avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
    return absl::OkStatus();
  }

  int fd_;
  std::string name_;
  z_stream z_{};
  bool ready_ = false;
  std::vector<char> out_;
};

// A tar header's numeric field: octal (leading spaces, ended by a space or NUL) or GNU base-256.
std::optional<int64_t> ParseNumber(const char* p, size_t n) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(p[i]); };
  if (byte(0) & 0x80) {
    if (byte(0) != 0x80) return std::nullopt;  // negative, or too large for us
    uint64_t v = 0;
    for (size_t i = 1; i < n; ++i) {
      if (v >> 55) return std::nullopt;
      v = (v << 8) | byte(i);
    }
    return static_cast<int64_t>(v);
  }
  size_t i = 0;
  while (i < n && p[i] == ' ') ++i;
  int64_t v = 0;
  for (; i < n && p[i] >= '0' && p[i] <= '7'; ++i) {
    if (v >> 60) return std::nullopt;
    v = v * 8 + (p[i] - '0');
  }
  return v;
}

std::string CString(const char* p, size_t n) { return std::string(p, strnlen(p, n)); }

// Whether an entry of this name is unpacked as a regular file of that name, as the unpacker
// judges it: not a directory (trailing slash), a whiteout, the root, absolute or escaping.
bool IsPlainFileName(absl::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/') return false;
  absl::string_view last;
  for (absl::string_view part : absl::StrSplit(name, '/', absl::SkipEmpty())) {
    if (part == "..") return false;
    if (part != ".") last = part;
  }
  return !last.empty() && !absl::StartsWith(last, ".wh.");
}

}  // namespace

class TarSplitWriter::Impl {
 public:
  Impl(int fd, std::string name) : fd_(fd), name_(std::move(name)), items_(fd, name_) {}

  absl::Status Start() {
    MYDOCKER_RETURN_IF_ERROR(WriteAll(fd_, kMagic, name_));
    return items_.Start();
  }

  absl::Status Feed(const char* data, size_t size) {
    while (size > 0) {
      size_t used = 0;
      switch (state_) {
        case State::kRest:
          MYDOCKER_RETURN_IF_ERROR(Raw(data, size));
          used = size;
          break;
        case State::kHeader:
          used = std::min(kBlock - have_, size);
          memcpy(block_ + have_, data, used);
          have_ += used;
          if (have_ == kBlock) {
            have_ = 0;
            MYDOCKER_RETURN_IF_ERROR(Raw(block_, kBlock));
            OnHeader();
          }
          break;
        case State::kData:
          MYDOCKER_ASSIGN_OR_RETURN(used, OnData(data, size));
          break;
      }
      data += used;
      size -= used;
    }
    return absl::OkStatus();
  }

  absl::Status Finish(const std::vector<UnpackedFile>& files) {
    if (have_ > 0) MYDOCKER_RETURN_IF_ERROR(Raw(block_, have_));
    MYDOCKER_RETURN_IF_ERROR(FlushRaw());
    MYDOCKER_RETURN_IF_ERROR(items_.Write("E"));
    MYDOCKER_RETURN_IF_ERROR(items_.End());
    if (files.size() < sizes_.size()) {
      return absl::InvalidArgumentError(absl::StrCat(name_, ": the tar reader unpacked ",
                                                     files.size(), " files where the record has ",
                                                     sizes_.size()));
    }
    std::string table;
    PutVarint(&table, sizes_.size());
    for (size_t i = 0; i < sizes_.size(); ++i) {
      if (files[i].size != sizes_[i]) {
        return absl::InvalidArgumentError(absl::StrCat(name_, ": file ", i, " (", files[i].location,
                                                       ") read as ", files[i].size, " and ",
                                                       sizes_[i], " bytes"));
      }
      PutVarint(&table, static_cast<uint64_t>(files[i].size));
      PutVarint(&table, files[i].location.size());
      table += files[i].location;
    }
    off_t table_offset = ::lseek(fd_, 0, SEEK_CUR);
    if (table_offset < 0) return LastErrnoError("seek " + name_);
    ZWriter writer(fd_, name_);
    MYDOCKER_RETURN_IF_ERROR(writer.Start());
    MYDOCKER_RETURN_IF_ERROR(writer.Write(table));
    MYDOCKER_RETURN_IF_ERROR(writer.End());
    std::string footer(8, '\0');
    for (int i = 0; i < 8; ++i) {
      footer[i] = static_cast<char>((static_cast<uint64_t>(table_offset) >> (8 * i)) & 0xff);
    }
    footer.append(kFooterMagic.data(), kFooterMagic.size());
    return WriteAll(fd_, footer, name_);
  }

 private:
  enum class State { kHeader, kData, kRest };
  enum class Body { kSkip, kRaw, kPax, kLongName };

  absl::Status Raw(const char* data, size_t size) {
    pending_.append(data, size);
    if (pending_.size() >= kChunk) return FlushRaw();
    return absl::OkStatus();
  }
  absl::Status FlushRaw() {
    if (pending_.empty()) return absl::OkStatus();
    std::string head = "R";
    PutVarint(&head, pending_.size());
    MYDOCKER_RETURN_IF_ERROR(items_.Write(head));
    MYDOCKER_RETURN_IF_ERROR(items_.Write(pending_));
    pending_.clear();
    return absl::OkStatus();
  }

  // Data of the current entry, then its padding.
  absl::StatusOr<size_t> OnData(const char* data, size_t size) {
    if (data_left_ > 0) {
      size_t n = static_cast<size_t>(std::min<int64_t>(data_left_, static_cast<int64_t>(size)));
      if (body_ != Body::kSkip) MYDOCKER_RETURN_IF_ERROR(Raw(data, n));
      if (body_ == Body::kPax || body_ == Body::kLongName) meta_.append(data, n);
      data_left_ -= static_cast<int64_t>(n);
      if (data_left_ == 0) EndBody();
      if (data_left_ == 0 && pad_left_ == 0 && state_ == State::kData) state_ = State::kHeader;
      return n;
    }
    size_t n = static_cast<size_t>(std::min<int64_t>(pad_left_, static_cast<int64_t>(size)));
    MYDOCKER_RETURN_IF_ERROR(Raw(data, n));
    pad_left_ -= static_cast<int64_t>(n);
    if (pad_left_ == 0 && state_ == State::kData) state_ = State::kHeader;
    return n;
  }

  void BeginBody(int64_t size, Body body) {
    body_ = body;
    data_left_ = size;
    pad_left_ = (static_cast<int64_t>(kBlock) - size % static_cast<int64_t>(kBlock)) %
                static_cast<int64_t>(kBlock);
    meta_.clear();
    state_ = State::kData;
    if (size == 0) {
      EndBody();
      if (state_ == State::kData) state_ = State::kHeader;
    }
  }

  void EndBody() {
    if (body_ == Body::kLongName) long_name_ = CString(meta_.data(), meta_.size());
    if (body_ == Body::kPax && !ParsePax(meta_)) state_ = State::kRest;
    meta_.clear();
  }

  // Keeps what decides the next entry's data length and kind: path, size, a sparse map.
  bool ParsePax(absl::string_view body) {
    while (!body.empty()) {
      size_t space = body.find(' ');
      size_t length = 0;
      if (space == absl::string_view::npos || !absl::SimpleAtoi(body.substr(0, space), &length) ||
          length <= space + 1 || length > body.size() || body[length - 1] != '\n') {
        return false;
      }
      absl::string_view record = body.substr(space + 1, length - space - 2);
      body.remove_prefix(length);
      size_t eq = record.find('=');
      if (eq == absl::string_view::npos) return false;
      absl::string_view key = record.substr(0, eq);
      absl::string_view value = record.substr(eq + 1);
      if (key == "path") {
        pax_path_ = std::string(value);
      } else if (key == "size") {
        int64_t size = 0;
        if (!absl::SimpleAtoi(value, &size) || size < 0) return false;
        pax_size_ = size;
      } else if (absl::StartsWith(key, "GNU.sparse.")) {
        sparse_ = true;
      }
    }
    return true;
  }

  std::string UstarName() const {
    std::string name = CString(block_, 100);
    // POSIX ustar's prefix field; GNU's magic ("ustar  ") has other fields there.
    if (memcmp(block_ + 257, "ustar\0", 6) == 0) {
      std::string prefix = CString(block_ + 345, 155);
      if (!prefix.empty()) name = prefix + "/" + name;
    }
    return name;
  }

  void OnHeader() {
    if (std::all_of(block_, block_ + kBlock, [](char c) { return c == 0; })) {
      state_ = State::kRest;  // the end-of-archive marker: the reader stops here
      return;
    }
    std::optional<int64_t> size = ParseNumber(block_ + 124, 12);
    if (!size) {
      state_ = State::kRest;
      return;
    }
    char type = block_[156];
    switch (type) {
      case 'x':
      case 'L':
        if (*size > kMaxMetaBody) {
          state_ = State::kRest;
          return;
        }
        BeginBody(*size, type == 'x' ? Body::kPax : Body::kLongName);
        return;
      case 'K':
        BeginBody(*size, Body::kRaw);
        return;
      case '0':
      case '\0':
      case '7':
        return OnFile(*size);
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
        // Readers disagree on whether a size given here has data behind it.
        if (pax_size_.value_or(*size) != 0) {
          state_ = State::kRest;
          return;
        }
        ResetEntry();
        BeginBody(0, Body::kRaw);
        return;
      default:  // a global pax header, GNU sparse and vendor types
        state_ = State::kRest;
    }
  }

  void OnFile(int64_t header_size) {
    int64_t size = pax_size_.value_or(header_size);
    std::string name = pax_path_ ? *pax_path_ : long_name_ ? *long_name_ : UstarName();
    bool sparse = sparse_;
    bool plain = !sparse && size > 0 && IsPlainFileName(name);
    ResetEntry();
    if (sparse) {
      // The unpacker writes the expanded file, the stream holds a map and the data blocks.
      state_ = State::kRest;
      return;
    }
    if (plain) {
      absl::Status flushed = FlushRaw();
      if (flushed.ok()) flushed = items_.Write("F");
      if (!flushed.ok()) {
        error_ = flushed;
        state_ = State::kRest;
        return;
      }
      sizes_.push_back(size);
    }
    BeginBody(size, plain ? Body::kSkip : Body::kRaw);
  }

  void ResetEntry() {
    pax_path_.reset();
    pax_size_.reset();
    long_name_.reset();
    sparse_ = false;
  }

  int fd_;
  std::string name_;
  ZWriter items_;
  State state_ = State::kHeader;
  char block_[kBlock];
  size_t have_ = 0;
  Body body_ = Body::kRaw;
  int64_t data_left_ = 0;
  int64_t pad_left_ = 0;
  std::string meta_;
  std::string pending_;
  std::optional<std::string> pax_path_;
  std::optional<int64_t> pax_size_;
  std::optional<std::string> long_name_;
  bool sparse_ = false;
  std::vector<int64_t> sizes_;
  absl::Status error_;  // a failed write while parsing a header

 public:
  const absl::Status& error() const { return error_; }
};

absl::StatusOr<std::unique_ptr<TarSplitWriter>> TarSplitWriter::Create(int fd, std::string name) {
  auto impl = std::make_unique<Impl>(fd, std::move(name));
  MYDOCKER_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<TarSplitWriter>(new TarSplitWriter(std::move(impl)));
}

TarSplitWriter::TarSplitWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TarSplitWriter::~TarSplitWriter() = default;

absl::Status TarSplitWriter::Feed(const char* data, size_t size) {
  MYDOCKER_RETURN_IF_ERROR(impl_->Feed(data, size));
  return impl_->error();
}

absl::Status TarSplitWriter::Finish(const std::vector<UnpackedFile>& files) {
  MYDOCKER_RETURN_IF_ERROR(impl_->error());
  return impl_->Finish(files);
}

namespace {

// Reads one zlib stream stored at [begin, end) of a file.
class ZReader {
 public:
  ZReader(int fd, off_t begin, off_t end) : fd_(fd), at_(begin), end_(end), in_(kChunk) {}
  ~ZReader() {
    if (ready_) inflateEnd(&z_);
  }
  absl::Status Start() {
    if (inflateInit(&z_) != Z_OK) return absl::ResourceExhaustedError("zlib inflateInit");
    ready_ = true;
    return absl::OkStatus();
  }
  // Exactly `size` bytes of the inflated stream.
  absl::Status Read(char* out, size_t size) {
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(size);
    while (z_.avail_out > 0) {
      if (done_) return Corrupt("record ends early");
      if (z_.avail_in == 0) {
        size_t want = static_cast<size_t>(std::min<off_t>(end_ - at_, in_.size()));
        if (want == 0) return Corrupt("record ends early");
        ssize_t n = ::pread(fd_, in_.data(), want, at_);
        if (n <= 0) return n < 0 ? LastErrnoError("read layer record") : Corrupt("short read");
        at_ += n;
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(n);
      }
      int r = inflate(&z_, Z_NO_FLUSH);
      if (r == Z_STREAM_END) {
        done_ = true;
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        return Corrupt("bad zlib data");
      }
    }
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      unsigned char b;
      MYDOCKER_RETURN_IF_ERROR(Read(reinterpret_cast<char*>(&b), 1));
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    return Corrupt("bad number");
  }

 private:
  int fd_;
  off_t at_, end_;
  z_stream z_{};
  bool ready_ = false;
  bool done_ = false;
  std::vector<char> in_;
};

// A location the record names: "diff/<path>" or "replaced/<n>", nothing that could leave the
// layer directory whatever the record says.
bool IsSafeLocation(absl::string_view location) {
  if (absl::ConsumePrefix(&location, "replaced/")) {
    return !location.empty() && std::all_of(location.begin(), location.end(), absl::ascii_isdigit);
  }
  if (!absl::ConsumePrefix(&location, "diff/")) return false;
  for (absl::string_view part : absl::StrSplit(location, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
  }
  return true;
}

// Opens a file beneath the layer directory, never through a symlink.
absl::StatusOr<UniqueFd> OpenBeneath(int layer_fd, const std::string& location) {
  constexpr int kFlags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  struct open_how how = {};
  how.flags = kFlags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  UniqueFd fd(
      static_cast<int>(::syscall(SYS_openat2, layer_fd, location.c_str(), &how, sizeof how)));
  if (!fd && errno == ENOSYS) {
    // Without openat2: one component at a time, none of them a symlink.
    std::vector<std::string> parts = absl::StrSplit(location, '/');
    fd.reset(::fcntl(layer_fd, F_DUPFD_CLOEXEC, 0));
    for (size_t i = 0; fd && i < parts.size(); ++i) {
      int flags = i + 1 < parts.size() ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC : kFlags;
      fd.reset(::openat(fd.get(), parts[i].c_str(), flags));
    }
  }
  if (!fd) return LastErrnoError("open " + location);
  return fd;
}

absl::Status Changed(absl::string_view diff_id, absl::string_view what) {
  return absl::FailedPreconditionError(absl::StrCat(
      "layer ", diff_id, " cannot be rebuilt: ", what,
      " changed since the layer was stored (remove the image and load or pull it again)"));
}

// Output buffered and hashed.
class HashedOut {
 public:
  explicit HashedOut(int fd) : fd_(fd) {
    sha256_init(&sha_);
    buffer_.reserve(kChunk);
  }
  absl::Status Write(const char* data, size_t size) {
    sha256_update(&sha_, size, reinterpret_cast<const uint8_t*>(data));
    total_ += static_cast<int64_t>(size);
    if (buffer_.size() + size > kChunk) MYDOCKER_RETURN_IF_ERROR(Flush());
    if (size >= kChunk) return WriteAll(fd_, absl::string_view(data, size), "layer stream");
    buffer_.append(data, size);
    return absl::OkStatus();
  }
  absl::Status Flush() {
    MYDOCKER_RETURN_IF_ERROR(WriteAll(fd_, buffer_, "layer stream"));
    buffer_.clear();
    return absl::OkStatus();
  }
  std::string Digest() {
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&sha_, sizeof digest, digest);
    return absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                       reinterpret_cast<char*>(digest), sizeof digest)));
  }
  int64_t total() const { return total_; }

 private:
  int fd_;
  struct sha256_ctx sha_;
  std::string buffer_;
  int64_t total_ = 0;
};

absl::StatusOr<std::vector<UnpackedFile>> ReadTable(int fd, off_t begin, off_t end) {
  ZReader table(fd, begin, end);
  MYDOCKER_RETURN_IF_ERROR(table.Start());
  MYDOCKER_ASSIGN_OR_RETURN(uint64_t count, table.Varint());
  if (count > static_cast<uint64_t>(end) * 1024) return Corrupt("too many files");
  std::vector<UnpackedFile> files;
  for (uint64_t i = 0; i < count; ++i) {
    UnpackedFile f;
    MYDOCKER_ASSIGN_OR_RETURN(uint64_t size, table.Varint());
    MYDOCKER_ASSIGN_OR_RETURN(uint64_t length, table.Varint());
    if (size > INT64_MAX || length > kMaxLocation) return Corrupt("bad file entry");
    f.size = static_cast<int64_t>(size);
    f.location.resize(length);
    MYDOCKER_RETURN_IF_ERROR(table.Read(f.location.data(), length));
    if (!IsSafeLocation(f.location)) {
      return Corrupt(absl::StrCat("file location \"", absl::CHexEscape(f.location), "\""));
    }
    files.push_back(std::move(f));
  }
  return files;
}

absl::Status CopyFile(int layer_fd, const UnpackedFile& file, absl::string_view diff_id,
                      HashedOut& out, std::vector<char>& buffer) {
  absl::StatusOr<UniqueFd> in = OpenBeneath(layer_fd, file.location);
  if (!in.ok())
    return Changed(diff_id, absl::StrCat(file.location, " (", in.status().message(), ")"));
  struct stat st;
  if (::fstat(in->get(), &st) != 0) return LastErrnoError("stat " + file.location);
  if (!S_ISREG(st.st_mode) || st.st_size != file.size) return Changed(diff_id, file.location);
  int64_t left = file.size;
  while (left > 0) {
    ssize_t n = ::read(in->get(), buffer.data(),
                       static_cast<size_t>(std::min<int64_t>(left, buffer.size())));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return LastErrnoError("read " + file.location);
    if (n == 0) return Changed(diff_id, file.location);
    MYDOCKER_RETURN_IF_ERROR(out.Write(buffer.data(), static_cast<size_t>(n)));
    left -= n;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> RebuildLayerStream(int layer_fd, absl::string_view diff_id, int out_fd) {
  UniqueFd record(::openat(layer_fd, kTarSplitName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!record) return LastErrnoError(absl::StrCat("open the record of layer ", diff_id));
  struct stat st;
  if (::fstat(record.get(), &st) != 0) return LastErrnoError("stat layer record");
  off_t size = st.st_size;
  char head[kMagic.size()];
  char footer[kFooterSize];
  if (size < static_cast<off_t>(kMagic.size() + kFooterSize) ||
      ::pread(record.get(), head, sizeof head, 0) != static_cast<ssize_t>(sizeof head) ||
      ::pread(record.get(), footer, sizeof footer, size - static_cast<off_t>(kFooterSize)) !=
          static_cast<ssize_t>(sizeof footer)) {
    return Corrupt(absl::StrCat("layer ", diff_id, ": truncated"));
  }
  if (absl::string_view(head, sizeof head) != kMagic ||
      absl::string_view(footer + 8, kFooterMagic.size()) != kFooterMagic) {
    return Corrupt(absl::StrCat("layer ", diff_id, ": unknown format"));
  }
  uint64_t table_at = 0;
  for (int i = 7; i >= 0; --i) table_at = (table_at << 8) | static_cast<unsigned char>(footer[i]);
  off_t table_end = size - static_cast<off_t>(kFooterSize);
  if (table_at < kMagic.size() || table_at > static_cast<uint64_t>(table_end)) {
    return Corrupt(absl::StrCat("layer ", diff_id, ": bad table offset"));
  }
  MYDOCKER_ASSIGN_OR_RETURN(std::vector<UnpackedFile> files,
                            ReadTable(record.get(), static_cast<off_t>(table_at), table_end));
  ZReader items(record.get(), static_cast<off_t>(kMagic.size()), static_cast<off_t>(table_at));
  MYDOCKER_RETURN_IF_ERROR(items.Start());
  HashedOut out(out_fd);
  std::vector<char> buffer(kChunk);
  size_t next_file = 0;
  while (true) {
    char kind;
    MYDOCKER_RETURN_IF_ERROR(items.Read(&kind, 1));
    if (kind == 'E') break;
    if (kind == 'F') {
      if (next_file == files.size()) return Corrupt("more file items than files");
      MYDOCKER_RETURN_IF_ERROR(CopyFile(layer_fd, files[next_file++], diff_id, out, buffer));
    } else if (kind == 'R') {
      MYDOCKER_ASSIGN_OR_RETURN(uint64_t n, items.Varint());
      if (n > kMaxRawItem) return Corrupt("raw item too large");
      std::string raw(n, '\0');
      MYDOCKER_RETURN_IF_ERROR(items.Read(raw.data(), n));
      MYDOCKER_RETURN_IF_ERROR(out.Write(raw.data(), raw.size()));
    } else {
      return Corrupt("unknown item");
    }
  }
  MYDOCKER_RETURN_IF_ERROR(out.Flush());
  std::string digest = out.Digest();
  if (digest != diff_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "layer ", diff_id, " cannot be rebuilt: its stored files give ", digest,
        " (changed since the layer was stored? remove the image and load or pull it again)"));
  }
  return out.total();
}

}  // namespace mydocker
