#include <set>
#include <string>
#include <vector>

#include "cli_util.h"
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

// OptionBatch adds options without CLI11's check for a name already taken: no command may
// repeat one (CLI11 would have thrown OptionAlreadyAdded while building it).
void ExpectNoRepeatedNames(CLI::App* cmd, const std::string& path) {
  std::set<std::string> seen;
  for (const CLI::Option* option : cmd->get_options()) {
    std::vector<std::string> names = option->get_lnames();
    for (const std::string& s : option->get_snames()) names.push_back(s);
    if (!option->get_positional()) {
      for (const std::string& name : names) {
        EXPECT_TRUE(seen.insert(name).second) << path << ": " << name << " twice";
      }
    }
  }
  for (CLI::App* sub : cmd->get_subcommands({})) {
    ExpectNoRepeatedNames(sub, path + " " + sub->get_name());
  }
}

TEST(CommandTreeTest, NoCommandRepeatsAnOptionName) {
  Context ctx;
  CLI::App whole;
  BuildApp(whole, ctx, "v", "");
  ExpectNoRepeatedNames(&whole, "mydocker");
  EXPECT_NE(whole.get_subcommand("run")->get_option_no_throw("--detach-keys"), nullptr);
  EXPECT_NE(whole.get_subcommand("create")->get_option_no_throw("--dns-option"), nullptr);
}

TEST(OptionBatchTest, KeepsTheOrderAndTheOptionsAddedBeforeIt) {
  CLI::App app;
  app.set_help_flag("--help");
  std::string a, b;
  bool c = false;
  app.add_option("--first", a);
  {
    OptionBatch batch(&app);
    batch->add_option("--second,-s", b);
    batch->add_flag("--third", c);
  }
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) names.push_back(option->get_name());
  EXPECT_THAT(names, testing::ElementsAre("--help", "--first", "--second", "--third"));
  // CLI11 takes a vector in reverse: --third -s x --first y
  app.parse(std::vector<std::string>{"y", "--first", "x", "-s", "--third"});
  EXPECT_EQ(b, "x");
  EXPECT_EQ(a, "y");
  EXPECT_TRUE(c);
}

}  // namespace
}  // namespace mydocker::cli
