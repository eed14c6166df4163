#include "template/formatter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mydocker::cli::tmpl {
namespace {

using ::testing::HasSubstr;

TEST(TabAlignTest, ColumnsAreAtLeastTenWideAndThreeApart) {
  EXPECT_EQ(TabAlign("CONTAINER ID\tNAMES\nabc\tweb\n"),
            "CONTAINER ID   NAMES\n"
            "abc            web\n");
  EXPECT_EQ(TabAlign("a\tb\tc\naa\tbbbbbbbbbbbb\tc\nx\n"),
            "a         b              c\n"
            "aa        bbbbbbbbbbbb   c\n"
            "x\n");
}

TEST(TabAlignTest, ALineWithoutTheColumnEndsItsBlock) {
  EXPECT_EQ(TabAlign("aaaaaaaaaaaaaaa\tb\nno tabs\nc\td\n"),
            "aaaaaaaaaaaaaaa   b\n"
            "no tabs\n"
            "c         d\n");
  // A trailing tab makes the last text a cell: it is padded too.
  EXPECT_EQ(TabAlign("é\t\nab\tc"), "é         \nab        c");
}

Value Row(const std::string& id, const std::string& names) {
  Methods methods;
  methods["Label"] = [](const std::vector<Value>& args) -> absl::StatusOr<Value> {
    return Value::String(args.size() == 1 ? "v-" + args[0].string_value() : "");
  };
  return Value::Struct("container", {{"ID", Value::String(id)}, {"Names", Value::String(names)}},
                       methods);
}

Value Header() { return HeaderMap({{"ID", "CONTAINER ID"}, {"Names", "NAMES"}}); }

TEST(ListFormatterTest, DefaultAndTableAlone) {
  EXPECT_TRUE(ListFormatter::Create("")->is_default());
  EXPECT_TRUE(ListFormatter::Create("table")->is_default());
  EXPECT_FALSE(ListFormatter::Create("json")->is_default());
}

TEST(ListFormatterTest, TableTemplateHasAHeaderAndAlignedColumns) {
  // As typed in a shell's double quotes: a backslash and a t.
  auto f = ListFormatter::Create(
      R"(table {{.ID}}\t{{upper .Names}}\t{{.Label "com.example.tier-name"}})");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_TRUE(f->Add(Row("0123456789ab", "web")).ok());
  ASSERT_TRUE(f->Add(Row("ba9876543210", "database")).ok());
  EXPECT_EQ(f->Finish(Header()),
            "CONTAINER ID   NAMES      TIER NAME\n"
            "0123456789ab   WEB        v-com.example.tier-name\n"
            "ba9876543210   DATABASE   v-com.example.tier-name\n");
}

TEST(ListFormatterTest, TemplateAndJsonLines) {
  auto f = ListFormatter::Create("  {{.ID}}: {{.Names}}  ");
  ASSERT_TRUE(f->Add(Row("a", "web")).ok());
  ASSERT_TRUE(f->Add(Row("b", "db")).ok());
  EXPECT_EQ(f->Finish(Header()), "a: web\nb: db\n");
  auto j = ListFormatter::Create("json");
  ASSERT_TRUE(j->Add(Row("a", "web")).ok());
  EXPECT_EQ(j->Finish(Header()), "{\"ID\":\"a\",\"Names\":\"web\"}\n");
}

TEST(ListFormatterTest, ErrorsAreDockersTemplateParsingErrors) {
  EXPECT_EQ(ListFormatter::Create("{{.ID").status().message(),
            "template parsing error: template: :1: unclosed action");
  auto f = ListFormatter::Create("{{.Nope}}");
  ASSERT_TRUE(f.ok());
  EXPECT_THAT(std::string(f->Add(Row("a", "b")).message()),
              HasSubstr("template parsing error: template: :1:2: executing \"\" at <.Nope>: "
                        "can't evaluate field Nope in type container"));
}

TEST(ListFormatterTest, LabelHeaderAsDocker) {
  EXPECT_EQ(LabelHeader("com.example.vendor-name"), "VENDOR NAME");
  EXPECT_EQ(LabelHeader("tier_x"), "TIER X");
}

}  // namespace
}  // namespace mydocker::cli::tmpl
