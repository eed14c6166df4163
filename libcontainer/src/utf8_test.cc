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

TEST(Utf8Test, MakePrintableRewritesOnlyWhatIsNot) {
  std::string plain = "sleep 60 # ~";
  MakePrintable(&plain);
  EXPECT_EQ(plain, "sleep 60 # ~");
  std::string hostile = "a\x1b[2Jb\tc\xC3\xA9\xFF";
  MakePrintable(&hostile);
  EXPECT_EQ(hostile, "a?[2Jb?c\xC3\xA9?");
  std::string nul("x\0y", 3);
  MakePrintable(&nul);
  EXPECT_EQ(nul, "x?y");
}

TEST(Utf8Test, LongAsciiRunsAroundSequences) {
  std::string text = std::string(100, 'a') + "\xC3\xA9" + std::string(50, 'b') + "\x01";
  EXPECT_EQ(Printable(text), std::string(100, 'a') + "\xC3\xA9" + std::string(50, 'b') + "?");
  EXPECT_EQ(ValidUtf8(text), text);
}

TEST(Utf8Test, AppendUtf8EncodesWhatDecodeUtf8Reads) {
  for (uint32_t cp :
       {0x41u, 0xE9u, 0x7FFu, 0x800u, 0x20ACu, 0xFFFFu, 0x10000u, 0x1F600u, 0x10FFFFu}) {
    std::string s;
    AppendUtf8(cp, &s);
    uint32_t back = 0;
    EXPECT_EQ(DecodeUtf8(s, &back), s.size()) << cp;
    EXPECT_EQ(back, cp);
  }
  std::string bad;
  AppendUtf8(0xD800, &bad);
  AppendUtf8(0x110000, &bad);
  EXPECT_EQ(bad, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace mydocker
