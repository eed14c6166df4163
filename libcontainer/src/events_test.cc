#include "mydocker/events.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "mydocker/fs_util.h"

namespace mydocker {
namespace {

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mydocker-events-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { RemoveAll(root_).IgnoreError(); }

  std::vector<Event> ReadAll(EventQuery query = {}) {
    std::vector<Event> out;
    EXPECT_TRUE(ReadEvents(root_, query, [&](const Event& e) {
                  out.push_back(e);
                  return true;
                }).ok());
    return out;
  }

  std::string root_;
};

Event Make(const std::string& action, const std::string& id, absl::Time t = absl::UnixEpoch()) {
  Event e;
  e.type = "container";
  e.action = action;
  e.id = id;
  e.attributes = {{"name", "web"}, {"image", "busybox"}};
  e.time = t;
  return e;
}

TEST(EventJsonTest, IsDockersMessageAndReadsBack) {
  Event e = Make("die", "abc", absl::FromUnixNanos(1700000000123456789));
  e.attributes["exitCode"] = "3";
  std::string line = EventToJson(e);
  EXPECT_EQ(line,
            R"({"status":"die","id":"abc","from":"busybox","Type":"container","Action":"die",)"
            R"("Actor":{"ID":"abc","Attributes":{"exitCode":"3","image":"busybox","name":"web"}},)"
            R"("scope":"local","time":1700000000,"timeNano":1700000000123456789})");
  auto back = EventFromJson(line);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->action, "die");
  EXPECT_EQ(back->id, "abc");
  EXPECT_EQ(back->attributes, e.attributes);
  EXPECT_EQ(back->time, e.time);
  EXPECT_FALSE(EventFromJson("{}").ok());
  EXPECT_FALSE(EventFromJson("not json").ok());
}

TEST(EventJsonTest, LongEventsAreShortenedBelowPipeBuf) {
  Event e = Make(std::string(1000, 'x'), "abc");
  for (int i = 0; i < 100; ++i) e.attributes[absl::StrCat("label", i)] = std::string(100, 'v');
  e.attributes["name"] = std::string(300, 'n');
  std::string line = EventToJson(e);
  EXPECT_LE(line.size(), kMaxEventLine);
  auto back = EventFromJson(line);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->attributes.count("name"), 1u);
  EXPECT_EQ(back->action.size(), 256u);
}

TEST_F(EventsTest, RecordedEventsReadBackInOrderAndBySinceUntil) {
  absl::Time t0 = absl::FromUnixSeconds(1700000000);
  RecordEvent(root_, Make("create", "a", t0));
  RecordEvent(root_, Make("start", "a", t0 + absl::Seconds(1)));
  RecordEvent(root_, Make("die", "a", t0 + absl::Seconds(2)));
  std::vector<Event> all = ReadAll();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].action, "create");
  EXPECT_EQ(all[2].action, "die");
  EventQuery q;
  q.since = t0 + absl::Seconds(1);
  q.until = t0 + absl::Seconds(1);
  std::vector<Event> one = ReadAll(q);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].action, "start");
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/events/journal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(EventsTest, ConcurrentWritersNeverInterleave) {
  constexpr int kWriters = 8, kEach = 200;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < kEach; ++i) {
        Event e = Make("exec_start: " + std::string(500, 'a' + w), absl::StrCat(w, "-", i));
        RecordEvent(root_, e);
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  // Every line is a whole event (ReadEvents skips what is not), each writer's in its order.
  std::vector<Event> all = ReadAll();
  EXPECT_EQ(all.size(), static_cast<size_t>(kWriters * kEach));
  std::vector<int> next(kWriters, 0);
  for (const Event& e : all) {
    int w = e.action.back() - 'a';
    ASSERT_GE(w, 0);
    ASSERT_LT(w, kWriters);
    EXPECT_EQ(e.id, absl::StrCat(w, "-", next[w]++));
  }
}

TEST_F(EventsTest, TheJournalIsRotatedAndBounded) {
  Event e = Make("start", "x");
  e.attributes["pad"] = std::string(200, 'p');
  size_t line = EventToJson(e).size() + 1;
  size_t count = 3 * kMaxJournalBytes / line;
  for (size_t i = 0; i < count; ++i) {
    e.id = absl::StrCat(i);
    RecordEvent(root_, e);
  }
  struct stat journal, rotated;
  ASSERT_EQ(::stat((root_ + "/events/journal").c_str(), &journal), 0);
  ASSERT_EQ(::stat((root_ + "/events/journal.1").c_str(), &rotated), 0);
  EXPECT_LE(static_cast<size_t>(journal.st_size), kMaxJournalBytes + line);
  EXPECT_LE(static_cast<size_t>(rotated.st_size), kMaxJournalBytes + line);
  // The newest events are kept, in order, and end with the last one written.
  std::vector<Event> all = ReadAll();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back().id, absl::StrCat(count - 1));
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_EQ(std::stoul(all[i].id), std::stoul(all[i - 1].id) + 1);
  }
}

TEST_F(EventsTest, FollowingSeesNewEventsAcrossARotation) {
  RecordEvent(root_, Make("create", "before"));
  std::vector<std::string> seen;
  std::atomic<bool> caught_up{false};
  EventQuery q;
  q.follow = true;
  std::thread reader([&] {
    ReadEvents(root_, q, [&](const Event& e) {
      seen.push_back(e.id);
      caught_up = true;
      return e.id != "last";
    }).IgnoreError();
  });
  while (!caught_up) std::this_thread::yield();
  // Enough to rotate the journal while the reader follows it.
  Event e = Make("start", "");
  e.attributes["pad"] = std::string(400, 'p');
  size_t count = kMaxJournalBytes / 400 + 10;
  for (size_t i = 0; i < count; ++i) {
    e.id = absl::StrCat(i);
    RecordEvent(root_, e);
  }
  RecordEvent(root_, Make("die", "last"));
  reader.join();
  ASSERT_EQ(seen.size(), count + 2);
  EXPECT_EQ(seen.front(), "before");
  EXPECT_EQ(seen[1], "0");
  EXPECT_EQ(seen[count], absl::StrCat(count - 1));
  EXPECT_TRUE(PathExists(root_ + "/events/journal.1"));
}

TEST_F(EventsTest, FollowingEndsAtUntilOrWhenCancelled) {
  EventQuery q;
  q.follow = true;
  q.until = absl::Now() + absl::Milliseconds(50);
  EXPECT_TRUE(ReadAll(q).empty());
  EventQuery cancelled;
  cancelled.follow = true;
  cancelled.cancel = [] { return true; };
  EXPECT_TRUE(ReadAll(cancelled).empty());
}

}  // namespace
}  // namespace mydocker
