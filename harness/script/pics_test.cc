#include "harness/script/pics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace omaiop::harness::script {
namespace {

using ::testing::HasSubstr;

std::string Canon(const std::string& text) {
  auto e = ParsePics(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.error().ToString();
  return e.ok() ? e->ToString() : "";
}

TEST(PicsParse, PrecedenceNotOverAndOverOr) {
  EXPECT_EQ(Canon("A or B and C"), "(A or (B and C))");
  EXPECT_EQ(Canon("not A and B"), "((not A) and B)");
  EXPECT_EQ(Canon("(A or B) and not (C or D)"),
            "((A or B) and (not (C or D)))");
  EXPECT_EQ(Canon("A && !B || C"), "((A and (not B)) or C)");
  EXPECT_EQ(Canon("A and B and C"), "(A and B and C)");
}

TEST(PicsParse, ComparisonsAndQuotedValues) {
  EXPECT_EQ(Canon("SMS-MAX-SEGMENTS=8"), "SMS-MAX-SEGMENTS=\"8\"");
  EXPECT_EQ(Canon("X != \"a b\""), "X!=\"a b\"");
  EXPECT_EQ(Canon("CP:SEC/NETWPIN == yes"), "CP:SEC/NETWPIN=\"yes\"");
}

TEST(PicsParse, EmptyIsTrue) {
  auto e = ParsePics("  ");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->kind, PicsExpr::Kind::kTrue);
}

TEST(PicsParse, ErrorsCarryOffsets) {
  struct Case {
    const char* text;
    std::size_t offset;
    const char* what;
  } cases[] = {
      {"A and (B or C", 13, "not closed"},
      {"A B", 2, "after a complete expression"},
      {"A and", 5, "expected a PICS item"},
      {"A = ", 4, "expected a value"},
      {"A # B", 2, "unexpected character"},
      {"X = \"open", 4, "unterminated"},
      {"9A", 0, "must start with a letter"},
      {"and A", 0, "expected a PICS item"},
  };
  for (const auto& c : cases) {
    auto e = ParsePics(c.text);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.error().offset, c.offset) << c.text;
    EXPECT_THAT(e.error().what, HasSubstr(c.what)) << c.text;
  }
}

TEST(PicsParse, DeepNestingIsRefusedNotACrash) {
  std::string deep(10000, '(');
  deep += "A";
  auto e = ParsePics(deep);
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.error().what, HasSubstr("nested deeper"));
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  EXPECT_FALSE(ParsePics(nots + "A").ok());
}

TEST(PicsParse, ItemsListedOnce) {
  auto e = ParsePics("A and (B or not A) and C=1");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->Items(), (std::vector<std::string>{"A", "B", "C"}));
}

PicsResult Eval(const std::string& text, const PicsItems& items) {
  auto e = ParsePics(text);
  EXPECT_TRUE(e.ok()) << text;
  return EvaluatePics(*e, items);
}

TEST(PicsEvaluate, TruthTableAndReasons) {
  const PicsItems items = {
      {"A", "true"}, {"B", "false"}, {"N", "8"}, {"Y", "yes"}};
  EXPECT_TRUE(Eval("A", items).value);
  EXPECT_TRUE(Eval("Y", items).value);
  EXPECT_FALSE(Eval("N", items).value);  // a value is not a boolean true
  auto r = Eval("A and B", items);
  EXPECT_FALSE(r.value);
  EXPECT_EQ(r.reason, "B is false");
  EXPECT_TRUE(Eval("B or A", items).value);
  EXPECT_TRUE(Eval("not B", items).value);
  EXPECT_TRUE(Eval("N=8 and N!=9", items).value);
  r = Eval("N=9", items);
  EXPECT_FALSE(r.value);
  EXPECT_THAT(r.reason, HasSubstr("N is 8"));
  r = Eval("A and MISSING", items);
  EXPECT_FALSE(r.value);
  EXPECT_EQ(r.reason, "MISSING is not declared by the IUT");
  EXPECT_TRUE(Eval("MISSING!=1", items).value);
  r = Eval("B or MISSING", items);
  EXPECT_FALSE(r.value);
  EXPECT_EQ(r.reason, "B is false; MISSING is not declared by the IUT");
}

}  // namespace
}  // namespace omaiop::harness::script
