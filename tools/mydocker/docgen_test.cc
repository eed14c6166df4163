#include "docgen.h"

#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class DocgenTest : public ::testing::Test {
 protected:
  void SetUp() override { BuildApp(app_, ctx_, "mydocker 1.2.3"); }

  // The commands --help lists, found by a walk of our own: every one needs its page and
  // completion entries.
  std::vector<CLI::App*> Listed(CLI::App& parent) {
    std::vector<CLI::App*> out;
    for (CLI::App* sub : parent.get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_group().empty()) continue;  // hidden (__complete)
      out.push_back(sub);
      for (CLI::App* deeper : Listed(*sub)) out.push_back(deeper);
    }
    return out;
  }

  Context ctx_;
  CLI::App app_{"mydocker: run Linux containers", "mydocker"};
};

std::string RoffEscaped(const std::string& s) { return absl::StrReplaceAll(s, {{"-", "\\-"}}); }

TEST_F(DocgenTest, EveryCommandHasAManPageWithEveryFlag) {
  auto pages = ManPages(app_, "mydocker 1.2.3");
  std::vector<CLI::App*> listed = Listed(app_);
  ASSERT_GT(listed.size(), 40u);
  EXPECT_EQ(pages.size(), listed.size() + 1);
  ASSERT_TRUE(pages.count("mydocker.1"));
  EXPECT_THAT(pages["mydocker.1"], HasSubstr(".TH MYDOCKER 1 \"\" \"mydocker 1.2.3\""));
  EXPECT_THAT(pages["mydocker.1"], HasSubstr("\\fB\\-\\-storage\\-driver\\fR"));
  EXPECT_THAT(pages["mydocker.1"], HasSubstr("Linux 5.10"));
  for (CLI::App* cmd : listed) {
    std::string name =
        absl::StrCat("mydocker-", absl::StrReplaceAll(PathOf(*cmd), {{" ", "-"}}), ".1");
    ASSERT_TRUE(pages.count(name)) << name;
    const std::string& page = pages[name];
    EXPECT_THAT(page, HasSubstr(RoffEscaped(cmd->get_description()))) << name;
    for (const CLI::Option* o : cmd->get_options()) {
      if (!o->nonpositional() || o->get_group().empty()) continue;
      for (const std::string& l : o->get_lnames()) {
        EXPECT_THAT(page, HasSubstr(absl::StrCat("\\fB", RoffEscaped("--" + l), "\\fR")))
            << name << " lacks --" << l;
      }
    }
  }
  EXPECT_FALSE(pages.count("mydocker-__complete.1"));
}

TEST_F(DocgenTest, ManPagesSeeTheirParentAndChildren) {
  auto pages = ManPages(app_, "v");
  EXPECT_THAT(pages["mydocker-image.1"], HasSubstr(".BR mydocker\\-image\\-ls (1)"));
  EXPECT_THAT(pages["mydocker-image-ls.1"], HasSubstr(".BR mydocker\\-image (1)"));
  EXPECT_THAT(pages["mydocker-run.1"], HasSubstr(".B mydocker run\n[OPTIONS] IMAGE"));
}

TEST_F(DocgenTest, EveryCommandAndFlagIsInBothCompletions) {
  const std::string bash = BashCompletion(app_);
  const std::string zsh = ZshCompletion(app_);
  EXPECT_THAT(bash, HasSubstr("complete -F _mydocker mydocker"));
  EXPECT_TRUE(absl::StartsWith(zsh, "#compdef mydocker\n"));
  for (CLI::App* cmd : Listed(app_)) {
    const std::string key = absl::StrCat("'mydocker ", PathOf(*cmd), "'");
    EXPECT_THAT(bash, HasSubstr(absl::StrCat("[", key, "]="))) << key;
    EXPECT_THAT(zsh, HasSubstr(absl::StrCat("  ", key, " "))) << key;
    for (const CLI::Option* o : cmd->get_options()) {
      if (!o->nonpositional() || o->get_group().empty()) continue;
      for (const std::string& l : o->get_lnames()) {
        EXPECT_THAT(bash, HasSubstr("--" + l)) << key;
        EXPECT_THAT(zsh, HasSubstr("--" + l)) << key;
      }
    }
  }
  EXPECT_THAT(bash, Not(HasSubstr("__complete'")));
}

TEST_F(DocgenTest, PositionalsCompleteNamesOfTheirKind) {
  auto kind = [&](std::vector<std::string> path) {
    CLI::App* cmd = &app_;
    for (const std::string& p : path) cmd = cmd->get_subcommand(p);
    return ArgumentKind(*cmd);
  };
  EXPECT_EQ(kind({"rm"}), "containers+");
  EXPECT_EQ(kind({"logs"}), "containers");
  EXPECT_EQ(kind({"run"}), "images");
  EXPECT_EQ(kind({"image", "rm"}), "images+");
  EXPECT_EQ(kind({"volume", "rm"}), "volumes+");
  EXPECT_EQ(kind({"network", "connect"}), "networks containers");
  EXPECT_EQ(kind({"volume", "create"}), "");
  EXPECT_EQ(kind({"ps"}), "");
}

}  // namespace
}  // namespace mydocker::cli
