#include "cli_parse.h"

#include "gtest/gtest.h"

namespace mydocker::cli {
namespace {

using Args = std::vector<std::string>;

// A small command tree shaped like mydocker's own.
class PreparseTest : public ::testing::Test {
 protected:
  PreparseTest() {
    app_.formatter(std::make_shared<DockerFormatter>());
    app_.require_subcommand(1);
    app_.add_option("--root", root_);
    CLI::App* run = app_.add_subcommand("run");
    run->set_help_flag("--help");
    run->prefix_command();
    SetUsage(run, "[OPTIONS] IMAGE [COMMAND] [ARG...]");
    run->add_flag("-i,--interactive", flag_);
    run->add_flag("-t,--tty", flag_);
    run->add_flag("-d,--detach", flag_);
    run->add_option("--name", value_);
    run->add_option("-m,--memory", value_);
    run->add_option("--cpu-shares", value_);
    run->add_option("--cpuset-cpus", value_);
    run->add_option("-p,--publish", values_)->allow_extra_args(false);
    app_.add_subcommand("commit")->add_flag("-p,--pause", flag_);
    CLI::App* exec = app_.add_subcommand("exec");
    exec->prefix_command();
    exec->add_flag("-i", flag_);
    CLI::App* stop = app_.add_subcommand("stop");
    stop->add_option("-t,--time", value_);
    stop->add_option("containers", values_)->required();
    app_.add_subcommand("ps");
    app_.add_subcommand("pause");
    CLI::App* image = app_.add_subcommand("image");
    image->require_subcommand(1);
    image->add_subcommand("ls")->alias("list");
  }

  Preparsed Pre(Args args) {
    args.insert(args.begin(), "mydocker");
    return Preparse(app_, args);
  }

  CLI::App app_{"test", "mydocker"};
  std::string root_, value_;
  std::vector<std::string> values_;
  bool flag_ = false;
};

TEST(EditDistanceTest, Levenshtein) {
  EXPECT_EQ(EditDistance("", "ps"), 2u);
  EXPECT_EQ(EditDistance("pss", "ps"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("run", "run"), 0u);
}

TEST(SuggestionsTest, ClosestFirstAndPrefixes) {
  EXPECT_EQ(Suggestions("pss", {"pause", "ps", "rm"}), (Args{"ps"}));
  EXPECT_EQ(Suggestions("ima", {"images", "image", "run"}), (Args{"image", "images"}));
  EXPECT_TRUE(Suggestions("zzzzz", {"ps", "run"}).empty());
  EXPECT_TRUE(Suggestions("cp", {"ps", "rm"}).empty());  // 2 edits is everything for 2 letters
}

TEST_F(PreparseTest, UnknownCommandWithSuggestion) {
  EXPECT_EQ(Pre({"pss"}).error,
            "mydocker: 'pss' is not a mydocker command.\nDid you mean this?\n\tps\nSee 'mydocker "
            "--help'\n");
  EXPECT_EQ(Pre({"--root", "/r", "cp", "a", "b"}).error,
            "mydocker: 'cp' is not a mydocker command.\nSee 'mydocker --help'\n");
  EXPECT_EQ(Pre({"image", "lss"}).error,
            "mydocker: 'image lss' is not a mydocker command.\nDid you mean this?\n\tls\n"
            "See 'mydocker --help'\n");
}

TEST_F(PreparseTest, NoCommand) {
  EXPECT_TRUE(Pre({}).no_command);
  EXPECT_TRUE(Pre({"--root", "/r"}).no_command);
  EXPECT_FALSE(Pre({"--help"}).no_command);
  EXPECT_FALSE(Pre({"ps"}).no_command);
}

TEST_F(PreparseTest, UnknownFlags) {
  EXPECT_EQ(Pre({"run", "--foo", "busybox"}).error,
            "unknown flag: --foo\nSee 'mydocker run --help'.\n");
  EXPECT_EQ(Pre({"run", "--foo=1", "busybox"}).error,
            "unknown flag: --foo\nSee 'mydocker run --help'.\n");
  EXPECT_EQ(Pre({"run", "-iz", "busybox"}).error,
            "unknown shorthand flag: 'z' in -iz\nSee 'mydocker run --help'.\n");
  EXPECT_EQ(Pre({"exec", "--privileged", "c", "ls"}).error,
            "unknown flag: --privileged\nSee 'mydocker exec --help'.\n");
  EXPECT_EQ(Pre({"stop", "c", "--foo"}).error,
            "unknown flag: --foo\nSee 'mydocker stop --help'.\n");
  EXPECT_EQ(Pre({"--foo", "ps"}).error, "unknown flag: --foo\nSee 'mydocker --help'.\n");
  EXPECT_EQ(Pre({"image", "ls", "--foo"}).error,
            "unknown flag: --foo\nSee 'mydocker image ls --help'.\n");
}

TEST_F(PreparseTest, EverythingAfterTheImageBelongsToTheCommand) {
  Preparsed p =
      Pre({"run", "-it", "--name", "-x", "-p", "80:80", "busybox", "ls", "-la", "--foo", "-name"});
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.args, (Args{"mydocker", "run", "-it", "--name", "-x", "-p", "80:80", "busybox", "ls",
                          "-la", "--foo", "-name"}));
  EXPECT_EQ(Pre({"exec", "-i", "c", "sh", "--privileged"}).error, "");
  EXPECT_EQ(Pre({"stop", "-t", "-1", "c"}).error, "");  // a value that looks like a flag
  EXPECT_EQ(Pre({"stop", "--", "--c"}).error, "");
}

TEST_F(PreparseTest, EqualsForms) {
  EXPECT_EQ(Pre({"run", "-name=x", "-mem=50m", "-cpuset=0", "-cpu=512", "busybox"}).args,
            (Args{"mydocker", "run", "--name=x", "--memory=50m", "--cpuset-cpus=0",
                  "--cpu-shares=512", "busybox"}));
  EXPECT_EQ(Pre({"run", "-name", "x", "-mem", "50m", "busybox"}).args,
            (Args{"mydocker", "run", "--name", "x", "--memory", "50m", "busybox"}));
  EXPECT_EQ(Pre({"run", "-m=20m", "-p=80:80", "busybox"}).args,
            (Args{"mydocker", "run", "-m", "20m", "-p", "80:80", "busybox"}));
  // A boolean by its letter with a value (`commit -p=false`) takes its long form.
  EXPECT_EQ(Pre({"commit", "-p=false", "c"}).args,
            (Args{"mydocker", "commit", "--pause=false", "c"}));
  EXPECT_EQ(Pre({"run", "--name=", "busybox"}).args,
            (Args{"mydocker", "run", "--name", "", "busybox"}));
}

TEST_F(PreparseTest, EmptyNameDoesNotSwallowTheImage) {
  Preparsed p = Pre({"run", "--name=", "busybox", "true"});
  std::vector<const char*> argv;
  for (const std::string& a : p.args) argv.push_back(a.c_str());
  value_ = "unset";
  app_.parse(static_cast<int>(argv.size()), argv.data());
  EXPECT_EQ(value_, "");
  EXPECT_EQ(app_.get_subcommand("run")->remaining(), (Args{"busybox", "true"}));
}

TEST_F(PreparseTest, UsageLines) {
  EXPECT_EQ(UsageLine(*app_.get_subcommand("run")),
            "mydocker run [OPTIONS] IMAGE [COMMAND] [ARG...]");
  EXPECT_EQ(UsageLine(*app_.get_subcommand("stop")),
            "mydocker stop [OPTIONS] CONTAINER [CONTAINER...]");
  EXPECT_EQ(UsageLine(*app_.get_subcommand("image")), "mydocker image COMMAND");
  EXPECT_EQ(UsageLine(app_), "mydocker [OPTIONS] COMMAND");
  std::string help = app_.get_subcommand("run")->help();
  EXPECT_EQ(help.substr(0, help.find('\n')),
            "Usage:  mydocker run [OPTIONS] IMAGE [COMMAND] [ARG...]");
}

}  // namespace
}  // namespace mydocker::cli

namespace mydocker::cli {
namespace {

TEST_F(PreparseTest, HelpCommandIsTheHelpFlag) {
  EXPECT_EQ(Pre({"help"}).args, (Args{"mydocker", "--help"}));
  EXPECT_EQ(Pre({"help", "run"}).args, (Args{"mydocker", "run", "--help"}));
  EXPECT_EQ(Pre({"help", "image", "ls"}).args, (Args{"mydocker", "image", "ls", "--help"}));
  EXPECT_FALSE(Pre({"help"}).no_command);
  EXPECT_EQ(Pre({"--root", "/r", "help", "ps"}).args,
            (Args{"mydocker", "--root", "/r", "ps", "--help"}));
}

TEST_F(PreparseTest, GroupWithoutCommandShowsItsUsage) {
  Preparsed p = Pre({"image"});
  EXPECT_TRUE(p.error.empty());
  ASSERT_NE(p.group_help, nullptr);
  EXPECT_EQ(p.group_help->get_name(), "image");
  EXPECT_EQ(Pre({"--root", "/r", "image"}).group_help, p.group_help);
  EXPECT_EQ(Pre({"image", "ls"}).group_help, nullptr);
  EXPECT_EQ(Pre({"image", "--help"}).group_help, nullptr);
  EXPECT_EQ(Pre({"ps"}).group_help, nullptr);
  EXPECT_FALSE(Pre({"image", "lss"}).error.empty());
}

}  // namespace
}  // namespace mydocker::cli
