#include "reports/matrix.h"

#include <gtest/gtest.h>

#include "reports/testing/sample_campaign.h"

namespace omaiop::reports {
namespace {

using testing::SampleCampaign;

TEST(Matrix, CasesByIutWithNotRun) {
  Campaign a = SampleCampaign();
  a.iut.name = "A";
  Campaign b = SampleCampaign();
  b.iut.name = "B";
  b.cases.erase(b.cases.begin());       // CP-BOOT-SEC-001 not run for B
  b.cases[0].verdict = Verdict::kPass;  // CP-BOOT-SEC-003 passes on B
  b.cases[0].steps.clear();
  Matrix m = BuildMatrix({{"a.json", a}, {"b.json", b}});
  ASSERT_EQ(m.columns.size(), 2u);
  ASSERT_EQ(m.rows.size(), 5u);
  EXPECT_EQ(m.rows[0].id, "CP-BOOT-SEC-001");  // sorted by ID
  EXPECT_TRUE(m.rows[0].cells[0].run);
  EXPECT_FALSE(m.rows[0].cells[1].run);
  EXPECT_EQ(m.rows[1].cells[0].verdict, Verdict::kFail);
  EXPECT_EQ(m.rows[1].cells[1].verdict, Verdict::kPass);
  EXPECT_EQ(m.columns[1].not_run, 1u);
  EXPECT_EQ(Count(m.columns[1].counts, Verdict::kPass), 1u);
  EXPECT_EQ(Count(m.columns[1].counts, Verdict::kFail), 0u);

  nlohmann::json j = MatrixToJson(m);
  EXPECT_EQ(j["cases"][0]["results"]["B"]["verdict"], "not_run");
  EXPECT_EQ(j["cases"][1]["results"]["A"]["verdict"], "fail");
  EXPECT_EQ(j["iuts"][1]["counts"]["not_run"], 1);

  const std::string html = RenderMatrixHtml(m);
  EXPECT_NE(html.find("data-iut=\"B\" data-case=\"CP-BOOT-SEC-001\" "
                      "data-verdict=\"not_run\""),
            std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);  // titles are escaped
}

TEST(Matrix, ShardsOfOneIutShareAColumnAndKeepTheWorseVerdict) {
  Campaign s1 = SampleCampaign();
  Campaign s2 = SampleCampaign();
  s1.cases = {s1.cases[0]};               // CP-BOOT-SEC-001 pass
  s2.cases = {s2.cases[0], s2.cases[2]};  // again, now inconc; + CP-CONT-001
  s2.cases[0].verdict = Verdict::kInconc;
  Matrix m = BuildMatrix({{"s1.json", s1}, {"s2.json", s2}});
  ASSERT_EQ(m.columns.size(), 1u);
  EXPECT_EQ(m.columns[0].files.size(), 2u);
  ASSERT_EQ(m.rows.size(), 2u);
  EXPECT_EQ(m.rows[0].cells[0].verdict, Verdict::kInconc);
  ASSERT_EQ(m.notes.size(), 1u);
  EXPECT_NE(m.notes[0].find("more than once"), std::string::npos);
}

}  // namespace
}  // namespace omaiop::reports
