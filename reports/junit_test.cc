#include "reports/junit.h"

#include <gtest/gtest.h>

#include <map>

#include "codec/xml.h"
#include "reports/testing/sample_campaign.h"
#include "tests/test_util.h"

namespace omaiop::reports {
namespace {

using testing::SampleCampaign;

std::string SchemaText() {
  return omaiop::testing::ReadFileText(
      omaiop::testing::SourcePath("reports/schema/junit.xsd"));
}

TEST(Junit, ValidatesAgainstTheSchema) {
  const std::string xml = ToJunitXml(SampleCampaign());
  auto s = ValidateAgainstXsd(xml, SchemaText());
  EXPECT_TRUE(s.ok()) << s.error().ToString() << "\n" << xml;
  // The compiled-in copy is the file.
  EXPECT_EQ(JunitXsd(), SchemaText());
  EXPECT_TRUE(ValidateAgainstXsd(ToJunitXml(Campaign{}), JunitXsd()).ok());
}

TEST(Junit, SchemaRejectsWhatCiWouldMisread) {
  const std::string bad =
      "<testsuites><testsuite name='a' tests='x' failures='0' errors='0'/>"
      "</testsuites>";
  auto s = ValidateAgainstXsd(bad, SchemaText());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("line 1"), std::string::npos) << s.error().what;
  EXPECT_FALSE(ValidateAgainstXsd(
                   "<testsuites><testsuite name='a' tests='1' failures='0' "
                   "errors='0'><testcase name='t' classname='c'><failure/>"
                   "<properties/></testcase></testsuite></testsuites>",
                   SchemaText())
                   .ok());
}

TEST(Junit, VerdictsMapSoOnlyPassCountsAsPassed) {
  auto doc = codec::ParseXml(ToJunitXml(SampleCampaign())).value();
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  EXPECT_EQ(codec::GetAttr(root, "tests"), "5");
  EXPECT_EQ(codec::GetAttr(root, "failures"), "1");
  EXPECT_EQ(codec::GetAttr(root, "errors"), "1");
  EXPECT_EQ(codec::GetAttr(root, "skipped"), "2");

  std::map<std::string, std::string> outcome;  // case -> child element
  std::map<std::string, std::string> verdict;  // case -> property
  std::map<std::string, int> suite_tests;
  for (const xmlNode* s = codec::FirstChildElement(root, "testsuite"); s;
       s = codec::NextSiblingElement(s, "testsuite")) {
    int n = 0, f = 0, e = 0, k = 0;
    for (const xmlNode* tc = codec::FirstChildElement(s, "testcase"); tc;
         tc = codec::NextSiblingElement(tc, "testcase")) {
      ++n;
      const std::string id = codec::GetAttr(tc, "name");
      outcome[id] = "passed";
      for (const xmlNode* c = codec::FirstChildElement(tc); c;
           c = codec::NextSiblingElement(c)) {
        const std::string name(codec::NodeName(c));
        if (name == "failure" || name == "error" || name == "skipped")
          outcome[id] = name;
        f += name == "failure";
        e += name == "error";
        k += name == "skipped";
        if (name == "properties")
          for (const xmlNode* p = codec::FirstChildElement(c); p;
               p = codec::NextSiblingElement(p))
            if (codec::GetAttr(p, "name") == "verdict")
              verdict[id] = codec::GetAttr(p, "value");
      }
    }
    // Each suite's counts equal what it holds.
    EXPECT_EQ(codec::GetAttr(s, "tests"), std::to_string(n));
    EXPECT_EQ(codec::GetAttr(s, "failures"), std::to_string(f));
    EXPECT_EQ(codec::GetAttr(s, "errors"), std::to_string(e));
    EXPECT_EQ(codec::GetAttr(s, "skipped"), std::to_string(k));
    suite_tests[codec::GetAttr(s, "name")] = n;
  }
  EXPECT_EQ(outcome["CP-BOOT-SEC-001"], "passed");
  EXPECT_EQ(outcome["CP-BOOT-SEC-003"], "failure");
  EXPECT_EQ(outcome["CP-CONT-001"], "skipped");
  EXPECT_EQ(outcome["DM-SC-002"], "error");
  EXPECT_EQ(outcome["DM-BOOT-004"], "skipped");
  EXPECT_EQ(verdict["CP-CONT-001"], "inconc");
  EXPECT_EQ(verdict["DM-BOOT-004"], "none");
  EXPECT_EQ(verdict["CP-BOOT-SEC-003"], "fail");
  EXPECT_EQ(suite_tests,
            (std::map<std::string, int>{
                {"CP-BOOT", 2}, {"CP-CONT", 1}, {"DM-SC", 1}, {"DM-BOOT", 1}}));
}

TEST(Junit, HostileTextSurvivesAsText) {
  const std::string xml = ToJunitXml(SampleCampaign());
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_EQ(xml.find("<img"), std::string::npos);
  auto doc = codec::ParseXml(xml).value();
  // The failure message carries the reason, unescaped back to the original.
  EXPECT_NE(xml.find("&lt;img src=x onerror="), std::string::npos);
}

}  // namespace
}  // namespace omaiop::reports
