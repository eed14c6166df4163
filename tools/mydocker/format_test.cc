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

}  // namespace
}  // namespace mydocker::cli
