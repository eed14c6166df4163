#include "log_records.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "mydocker/logs.h"
#include "mydocker/unique_fd.h"
#include "process/log_writer.h"

namespace mydocker {
namespace {

class LogFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/log-records-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/container.log";
  }
  void TearDown() override {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  std::string Contents() {
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    std::string out(1 << 16, '\0');
    ssize_t n = ::read(fd.get(), out.data(), out.size());
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return out;
  }
  void Append(absl::string_view bytes) {
    UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    ASSERT_EQ(::write(fd.get(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  std::string dir_;
  std::string path_;
};

TEST(LogRecordsTest, EncodesAndDecodesOneRecord) {
  const absl::Time t = absl::FromUnixNanos(1765000000123456789);
  std::string r = logrec::Encode(logrec::Stream::kStderr, "a\nbc", t);
  ASSERT_EQ(r.size(), logrec::kOverhead + 4);
  EXPECT_EQ(static_cast<unsigned char>(r[0]), logrec::kMagic);
  std::optional<logrec::Header> h = logrec::DecodeHeader(r.data());
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->stream, logrec::Stream::kStderr);
  EXPECT_EQ(h->size, 4u);
  EXPECT_EQ(h->time, t);
  EXPECT_FALSE(h->continues);
  std::string cont = logrec::Encode(logrec::Stream::kStdout, "x", t, /*continues=*/true);
  ASSERT_TRUE(logrec::DecodeHeader(cont.data()).has_value());
  EXPECT_TRUE(logrec::DecodeHeader(cont.data())->continues);
  EXPECT_EQ(r.substr(logrec::kHeaderSize, 4), "a\nbc");
  EXPECT_EQ(logrec::DecodeTrailer(r.data() + r.size() - 4), 4u);
}

TEST(LogRecordsTest, RefusesWhatCannotBeAHeader) {
  std::string r = logrec::Encode(logrec::Stream::kStdout, "x", absl::Now());
  std::string bad = r;
  bad[0] = '{';
  EXPECT_FALSE(logrec::DecodeHeader(bad.data()).has_value());
  bad = r;
  bad[1] = 3;  // no such stream
  EXPECT_FALSE(logrec::DecodeHeader(bad.data()).has_value());
  bad = r;
  bad[2] = 2;  // an unknown flag
  EXPECT_FALSE(logrec::DecodeHeader(bad.data()).has_value());
  bad = r;
  bad[7] = 0x7f;  // a payload beyond kMaxPayload
  EXPECT_FALSE(logrec::DecodeHeader(bad.data()).has_value());
}

TEST_F(LogFileTest, WriterWritesOneRecordPerReadAndNoneForDriverNone) {
  {
    absl::StatusOr<process::LogWriter> w =
        process::LogWriter::Open(path_, process::LogFormat::kLocal);
    ASSERT_TRUE(w.ok()) << w.status();
    w->Add("stdout", "y\ny\ny\n");
    w->Add("stderr", "partial");
    w->Flush("stderr");
  }
  std::string log = Contents();
  ASSERT_EQ(log.size(), 2 * logrec::kOverhead + 6 + 7);
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_TRUE(logrec::IsRecordLog(fd.get()));
  std::optional<logrec::Header> second = logrec::DecodeHeader(log.data() + logrec::kOverhead + 6);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->stream, logrec::Stream::kStderr);
  EXPECT_FALSE(second->continues);
  EXPECT_EQ(log.substr(logrec::kOverhead + 6 + logrec::kHeaderSize, 7), "partial");

  std::string none = dir_ + "/none.log";
  absl::StatusOr<process::LogWriter> w = process::LogWriter::Open(none, process::LogFormat::kNone);
  ASSERT_TRUE(w.ok());
  w->Add("stdout", "dropped\n");
  EXPECT_NE(::access(none.c_str(), F_OK), 0) << "driver none must not make a log file";
}

TEST_F(LogFileTest, ATornLastRecordIsCutWhenTheLogIsOpenedAgain) {
  {
    auto w = process::LogWriter::Open(path_, process::LogFormat::kLocal);
    ASSERT_TRUE(w.ok());
    w->Add("stdout", "one\n");
    w->Add("stdout", "two\n");
  }
  const size_t whole = Contents().size();
  // A crash in the middle of a write: half a record.
  std::string third = logrec::Encode(logrec::Stream::kStdout, "three\n", absl::Now());
  Append(third.substr(0, 9));
  {
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    absl::StatusOr<off_t> end = logrec::IntactEnd(fd.get(), static_cast<off_t>(whole + 9));
    ASSERT_TRUE(end.ok());
    EXPECT_EQ(*end, static_cast<off_t>(whole));
  }
  {
    auto w = process::LogWriter::Open(path_, process::LogFormat::kLocal);
    ASSERT_TRUE(w.ok());
    w->Add("stdout", "four\n");
  }
  std::string log = Contents();
  ASSERT_EQ(log.size(), whole + logrec::kOverhead + 5);
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  absl::StatusOr<off_t> end = logrec::IntactEnd(fd.get(), static_cast<off_t>(log.size()));
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, static_cast<off_t>(log.size()));
  EXPECT_EQ(log.substr(whole + logrec::kHeaderSize, 5), "four\n");
}

TEST_F(LogFileTest, AJsonLogIsNotARecordLog) {
  {
    auto w = process::LogWriter::Open(path_, process::LogFormat::kJsonFile);
    ASSERT_TRUE(w.ok());
    w->Add("stdout", "one\n");
  }
  EXPECT_EQ(Contents().front(), '{');
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_FALSE(logrec::IsRecordLog(fd.get()));
}

TEST(LogTimeTest, ParsesDockersForms) {
  const absl::Time now = absl::FromUnixSeconds(1765000000);
  EXPECT_EQ(*ParseLogTime("10m", now), now - absl::Minutes(10));
  EXPECT_EQ(*ParseLogTime("1h30m", now), now - absl::Minutes(90));
  EXPECT_EQ(*ParseLogTime("1700000000", now), absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(*ParseLogTime("1700000000.25", now),
            absl::FromUnixSeconds(1700000000) + absl::Milliseconds(250));
  EXPECT_EQ(*ParseLogTime("2026-01-02T03:04:05Z", now), absl::FromUnixSeconds(1767323045));
  EXPECT_EQ(*ParseLogTime("2026-01-02T03:04:05.5+01:00", now),
            absl::FromUnixSeconds(1767323045 - 3600) + absl::Milliseconds(500));
  EXPECT_TRUE(ParseLogTime("2026-01-02", now).ok());
  for (const char* bad : {"", "yesterday", "10x", "2026-13-40", "1.2.3", "17e8"}) {
    EXPECT_FALSE(ParseLogTime(bad, now).ok()) << bad;
  }
}

}  // namespace
}  // namespace mydocker
