#include "mydocker/housekeeping.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "mydocker/events.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

TEST(PruneFiltersTest, UntilAndLabelsAsDocker) {
  auto f = PruneFilters::Parse({"until=1h", "label=tier", "label!=keep=yes"});
  ASSERT_TRUE(f.ok()) << f.status();
  absl::Time old = absl::Now() - absl::Hours(2);
  EXPECT_TRUE(f->Matches(old, {{"tier", "web"}}));
  EXPECT_FALSE(f->Matches(absl::Now(), {{"tier", "web"}}));  // created after until
  EXPECT_FALSE(f->Matches(old, {{"other", "x"}}));           // lacks the label
  EXPECT_FALSE(f->Matches(old, {{"tier", "web"}, {"keep", "yes"}}));
  EXPECT_TRUE(f->Matches(old, {{"tier", "web"}, {"keep", "no"}}));
  auto none = PruneFilters::Parse({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->Matches(absl::Now(), {}));
}

TEST(PruneFiltersTest, BadFiltersNameWhatIsWrong) {
  auto key = PruneFilters::Parse({"dangling=true"});
  EXPECT_EQ(key.status().message(), "invalid filter 'dangling'");
  EXPECT_EQ(ExitCodeOf(key.status()), 1);
  auto until = PruneFilters::Parse({"until=soon"});
  EXPECT_EQ(until.status().message(), "invalid filter 'until=soon'");
  auto form = PruneFilters::Parse({"label"});
  EXPECT_NE(form.status().message().find("bad format of filter"), absl::string_view::npos);
  EXPECT_EQ(ExitCodeOf(form.status()), 125);
  auto dangling = ParseVolumeFilters({"dangling=maybe"});
  EXPECT_EQ(dangling.status().message(), "invalid filter 'dangling=maybe'");
  EXPECT_TRUE(ParseVolumeFilters({"dangling=1", "name=^a", "driver=local", "label=k"}).ok());
}

TEST(EventFilterTest, DockersRules) {
  Event e{"container",
          "exec_start: sh -c true",
          "0123abcd",
          {{"name", "web"}, {"image", "busybox:latest"}, {"tier", "front"}}};
  auto match = [&e](std::vector<std::string> specs) {
    auto f = EventFilter::Parse(specs);
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() && f->Matches(e);
  };
  EXPECT_TRUE(match({}));
  EXPECT_TRUE(match({"event=exec_start", "type=container"}));
  EXPECT_TRUE(match({"container=0123", "image=busybox"}));
  EXPECT_TRUE(match({"container=we", "label=tier=front"}));
  EXPECT_FALSE(match({"type=image"}));
  EXPECT_FALSE(match({"event=exec"}));
  EXPECT_FALSE(match({"label=tier=back"}));
  EXPECT_EQ(EventFilter::Parse({"type=nope"}).status().message(), "invalid filter 'type=nope'");
  EXPECT_EQ(EventFilter::Parse({"since=1"}).status().message(), "invalid filter 'since'");
}

}  // namespace
}  // namespace mydocker
