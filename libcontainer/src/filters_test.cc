#include "mydocker/filters.h"

#include "gtest/gtest.h"
#include "mydocker/status_macros.h"

namespace mydocker {
namespace {

TEST(FiltersTest, ParsesKeysAndValuesAsDocker) {
  auto f = Filters::Parse({" Name = web ", "name=db", "status=running", "label=a=b"},
                          {"name", "status", "label"});
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->Values("name"), (std::vector<std::string>{"web", "db"}));
  EXPECT_EQ(f->Values("label"), (std::vector<std::string>{"a=b"}));
  EXPECT_TRUE(f->Has("status"));
  EXPECT_FALSE(f->Has("id"));
}

TEST(FiltersTest, RefusesWithDockersWordsAndStatuses) {
  auto bad = Filters::Parse({"nonsense"}, {"name"});
  EXPECT_EQ(bad.status().message(),
            "invalid argument \"nonsense\" for \"-f, --filter\" flag: bad format of filter "
            "(expected name=value)");
  EXPECT_EQ(ExitCodeOf(bad.status()), 125);
  auto unknown = Filters::Parse({"color=red"}, {"name"});
  EXPECT_EQ(unknown.status().message(), "invalid filter 'color'");
  EXPECT_EQ(ExitCodeOf(unknown.status()), 1);
  auto f = Filters::Parse({"status=bogus"}, {"status"});
  absl::Status s = f->CheckValues("status", {"running", "exited"});
  EXPECT_EQ(s.message(), "invalid filter 'status=bogus'");
  EXPECT_EQ(ExitCodeOf(s), 1);
}

TEST(FiltersTest, MatchIsEqualityOrAnUnanchoredExpression) {
  auto f = Filters::Parse({"name=^web", "name=db$", "name=[broken"}, {"name"});
  EXPECT_TRUE(f->Match("name", "web-1"));
  EXPECT_TRUE(f->Match("name", "main-db"));
  EXPECT_FALSE(f->Match("name", "my-web"));
  EXPECT_TRUE(f->Match("name", "[broken"));
  EXPECT_TRUE(f->Match("id", "anything"));  // no values: no constraint
}

TEST(FiltersTest, EveryLabelMustMatch) {
  auto f = Filters::Parse({"label=tier", "label=env=prod"}, {"label"});
  EXPECT_TRUE(f->MatchLabels("label", {{"tier", "web"}, {"env", "prod"}}));
  EXPECT_FALSE(f->MatchLabels("label", {{"tier", "web"}, {"env", "dev"}}));
  EXPECT_FALSE(f->MatchLabels("label", {{"env", "prod"}}));
  EXPECT_TRUE(Filters::Parse({}, {"label"})->MatchLabels("label", {}));
}

}  // namespace
}  // namespace mydocker
