#include "format.h"

#include "gtest/gtest.h"

namespace mydocker::cli {
namespace {

TEST(FormatTest, TableAlignsColumnsByDisplayWidth) {
  Table t({"A", "B"});
  t.Add({"x…", "y"});
  t.Add({"long", "z"});
  EXPECT_EQ(t.Render(), "A      B\nx…     y\nlong   z\n");
}

TEST(FormatTest, TableTrimsTrailingSpaceAndCleansCells) {
  Table t({"ID", "PORTS", "NAMES"});
  t.Add({"abc", "", "web"});
  t.Add({"d", "80/tcp", ""});  // an empty last cell leaves no trailing space
  t.Add({"e\x1b[2J", "", "n\x07"});
  EXPECT_EQ(t.Render(),
            "ID      PORTS    NAMES\n"
            "abc              web\n"
            "d       80/tcp\n"
            "e?[2J            n?\n");
}

}  // namespace
}  // namespace mydocker::cli
