#include "log.h"

#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mydocker::runc {

void Log::Open(const std::string& path, const std::string& format) {
  json_ = format == "json";
  if (path.empty()) return;
  // Far above the descriptors --preserve-fds hands to the container.
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    static const char kMsg[] = "mydocker-runc: cannot open the --log file\n";
    (void)!::write(STDERR_FILENO, kMsg, sizeof kMsg - 1);
    return;
  }
  fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 100);
  ::close(fd);
}

void Log::Write(absl::string_view level, absl::string_view message) const {
  if (fd_ < 0) return;
  std::string time = absl::FormatTime("%Y-%m-%dT%H:%M:%E9SZ", absl::Now(), absl::UTCTimeZone());
  std::string line;
  if (json_) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("level");
    w.String(level.data(), static_cast<rapidjson::SizeType>(level.size()));
    w.Key("msg");
    w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    w.Key("time");
    w.String(time.c_str());
    w.EndObject();
    line = absl::StrCat(absl::string_view(buffer.GetString(), buffer.GetSize()), "\n");
  } else {
    line = absl::StrCat("time=\"", time, "\" level=", level, " msg=\"", message, "\"\n");
  }
  (void)!::write(fd_, line.data(), line.size());
}

void Log::Error(absl::string_view message) const {
  std::string line = absl::StrCat("mydocker-runc: ", message, "\n");
  (void)!::write(STDERR_FILENO, line.data(), line.size());
  Write("error", message);
}

void Log::Debug(absl::string_view message) const {
  if (debug_) Write("debug", message);
}

}  // namespace mydocker::runc
