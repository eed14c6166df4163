#include "mydocker/utf8.h"

#include "gtest/gtest.h"

namespace mydocker {
namespace {

TEST(Utf8Test, DecodesWellFormedSequencesOnly) {
  uint32_t cp = 0;
  EXPECT_EQ(DecodeUtf8("a", &cp), 1u);
  EXPECT_EQ(DecodeUtf8("\xC3\xA9", &cp), 2u);
  EXPECT_EQ(cp, 0xE9u);
  EXPECT_EQ(DecodeUtf8("\xF0\x9F\x98\x80", &cp), 4u);
  EXPECT_EQ(cp, 0x1F600u);
  for (const char* bad : {"\x80", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"}) {
    EXPECT_EQ(DecodeUtf8(bad, &cp), 0u) << bad;
  }
}

TEST(Utf8Test, InvalidBytesBecomeTheReplacementCharacter) {
  EXPECT_EQ(ValidUtf8("ok \xC3\xA9"), "ok \xC3\xA9");
  EXPECT_EQ(ValidUtf8("a\xFF"
                      "b\xC3"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
  EXPECT_EQ(ValidUtf8(std::string("\0\x1b", 2)), std::string("\0\x1b", 2));  // valid, kept
}

TEST(Utf8Test, ControlCharactersArePrintedAsQuestionMarks) {
  EXPECT_EQ(Printable("sleep 60"), "sleep 60");
  EXPECT_EQ(Printable("\x1b]0;owned\x07x\x7f\xC2\x9B"
                      "2J\xFF\xC3\xA9"),
            "?]0;owned?x??2J?\xC3\xA9");
}

}  // namespace
}  // namespace mydocker
