#include <set>
#include <string>

#include "commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker::cli {
namespace {

std::set<std::string> TopLevelWords(CLI::App& app) {
  std::set<std::string> words;
  for (CLI::App* sub : app.get_subcommands({})) {
    words.insert(sub->get_name());
    for (const std::string& alias : sub->get_aliases()) words.insert(alias);
  }
  return words;
}

// Each group lists exactly the words its Register function adds, so that BuildApp, given one
// of them, builds the function that handles it.
TEST(CommandGroupsTest, ListTheWordsEachRegisterFunctionAdds) {
  for (const CommandGroup& group : CommandGroups()) {
    CLI::App app;
    Context ctx;
    group.add(app, ctx);
    std::set<std::string> listed(group.words.begin(), group.words.end());
    EXPECT_EQ(TopLevelWords(app), listed) << group.words.front();
  }
}

TEST(CommandGroupsTest, AKnownWordBuildsOnlyItsGroupAndAnythingElseTheWholeTree) {
  Context ctx;
  CLI::App whole;
  BuildApp(whole, ctx, "v", "");
  std::set<std::string> all;
  for (const CommandGroup& group : CommandGroups())
    all.insert(group.words.begin(), group.words.end());
  EXPECT_EQ(TopLevelWords(whole), all);
  for (const char* word : {"nope", "--help", "__complete"}) {
    CLI::App app;
    BuildApp(app, ctx, "v", word);
    EXPECT_EQ(TopLevelWords(app), all) << word;
  }
  CLI::App exec;
  BuildApp(exec, ctx, "v", "exec");
  EXPECT_EQ(TopLevelWords(exec), std::set<std::string>{"exec"});
  CLI::App rmi;
  BuildApp(rmi, ctx, "v", "rmi");
  EXPECT_TRUE(TopLevelWords(rmi).count("images") && TopLevelWords(rmi).count("rmi"));
  EXPECT_EQ(TopLevelWords(rmi).count("exec"), 0u);
}

}  // namespace
}  // namespace mydocker::cli
