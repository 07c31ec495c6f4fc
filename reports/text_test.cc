#include "reports/text.h"

#include <gtest/gtest.h>

namespace omaiop::reports::internal {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(CleanText, KeepsValidUtf8AndWhitespace) {
  const std::string ok = "a\t\n\r \xC2\xA7 \xE2\x80\x93 \xF0\x9F\x93\xB1";
  EXPECT_EQ(CleanText(ok), ok);
}

TEST(CleanText, ReplacesWhatXmlForbids) {
  EXPECT_EQ(CleanText("\x01"), kFffd);
  EXPECT_EQ(CleanText(std::string("a\0b", 3)), "a" + kFffd + "b");
  EXPECT_EQ(CleanText("\xC0\xAF"), kFffd + kFffd);               // overlong '/'
  EXPECT_EQ(CleanText("\xED\xA0\x80"), kFffd + kFffd + kFffd);   // surrogate
  EXPECT_EQ(CleanText("\xF4\x90\x80\x80").substr(0, 3), kFffd);  // >U+10FFFF
  EXPECT_EQ(CleanText("\xEF\xBF\xBF"), kFffd + kFffd + kFffd);   // U+FFFF
  EXPECT_EQ(CleanText("\xE2\x80"), kFffd + kFffd);               // truncated
}

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(HtmlEscape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

TEST(SafeFileName, NeverEscapesTheDirectory) {
  EXPECT_EQ(SafeFileName("CP-BOOT-SEC-003"), "CP-BOOT-SEC-003");
  EXPECT_EQ(SafeFileName("../etc/passwd"), ".._etc_passwd");
  EXPECT_EQ(SafeFileName(".."), "_..");
  EXPECT_EQ(SafeFileName(""), "_");
  EXPECT_EQ(SafeFileName("a b/c"), "a_b_c");
}

TEST(AreaOf, IdUpToTheSecondDash) {
  EXPECT_EQ(AreaOf("CP-BOOT-SEC-003"), "CP-BOOT");
  EXPECT_EQ(AreaOf("DM-SC"), "DM-SC");
  EXPECT_EQ(AreaOf("UICC"), "UICC");
}

TEST(Seconds, MillisecondPrecision) {
  EXPECT_EQ(Seconds(1234567), "1.234");
  EXPECT_EQ(Seconds(999), "0.000");
}

}  // namespace
}  // namespace omaiop::reports::internal
