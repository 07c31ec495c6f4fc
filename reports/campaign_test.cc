#include "reports/campaign.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "reports/testing/sample_campaign.h"
#include "tests/test_util.h"

namespace omaiop::reports {
namespace {

namespace fs = std::filesystem;
using testing::SampleCampaign;

TEST(Verdict, OrderAndWorse) {
  EXPECT_EQ(Worse(Verdict::kPass, Verdict::kFail), Verdict::kFail);
  EXPECT_EQ(Worse(Verdict::kFail, Verdict::kPass), Verdict::kFail);
  EXPECT_EQ(Worse(Verdict::kInconc, Verdict::kPass), Verdict::kInconc);
  EXPECT_EQ(Worse(Verdict::kError, Verdict::kFail), Verdict::kError);
  EXPECT_EQ(Worse(Verdict::kNone, Verdict::kPass), Verdict::kPass);
  for (Verdict v : kAllVerdicts) {
    EXPECT_EQ(ParseVerdict(VerdictName(v)), v);
    EXPECT_EQ(Worse(v, Verdict::kNone), v);
  }
  EXPECT_EQ(VerdictName(Verdict::kInconc), "inconc");
  EXPECT_FALSE(ParseVerdict("PASS").has_value());
}

TEST(Campaign, CountsAndOverall) {
  Campaign c = SampleCampaign();
  VerdictCounts n = c.Counts();
  for (Verdict v : kAllVerdicts) EXPECT_EQ(Count(n, v), 1u);
  EXPECT_EQ(c.Overall(), Verdict::kError);
  EXPECT_EQ(Campaign{}.Overall(), Verdict::kNone);
}

TEST(Time, FormatsAndParsesMicroseconds) {
  EXPECT_EQ(FormatTimeUtc(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimeUtc(1700000000123456ull), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(ParseTimeUtc("2023-11-14T22:13:20.123456Z").value(),
            1700000000123456ull);
  EXPECT_FALSE(ParseTimeUtc("2023-11-14 22:13:20Z").ok());
  EXPECT_FALSE(ParseTimeUtc("2023-13-14T22:13:20.000000Z").ok());
  EXPECT_FALSE(ParseTimeUtc("2023-02-31T00:00:00.000000Z").ok());
  EXPECT_FALSE(ParseTimeUtc("1969-12-31T23:59:59.000000Z").ok());
}

TEST(CampaignJson, RoundTripsEveryField) {
  Campaign c = SampleCampaign();
  auto back = ParseCampaignJson(ToJsonText(c));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  // Invalid UTF-8 is replaced on output, so compare after one round trip.
  auto again = ParseCampaignJson(ToJsonText(*back));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ToJsonText(*back), ToJsonText(*again));
  ASSERT_EQ(back->cases.size(), 5u);
  const CaseResult& f = back->cases[1];
  EXPECT_EQ(f.title, testing::kHostileScript);
  EXPECT_EQ(f.verdict, Verdict::kFail);
  EXPECT_EQ(f.rule, "OMA-WAP-ProvBoot §5.3");
  ASSERT_EQ(f.trace.size(), 3u);
  EXPECT_EQ(f.trace[0].raw, testing::SamplePush());
  ASSERT_EQ(f.trace[0].highlights.size(), 1u);
  EXPECT_EQ(f.trace[0].highlights[0].offset, 4u);
  EXPECT_TRUE(f.trace[1].highlights[0].in_response);
  EXPECT_EQ(f.trace[1].response, codec::ParseHex("63C2").value());
  EXPECT_EQ(f.trace[1].direction, Direction::kOut);
  EXPECT_EQ(f.trace[1].peer, "uicc");
  EXPECT_EQ(back->cases[4].applicability, c.cases[4].applicability);
  EXPECT_EQ(back->cases[0].trace[0].decoded, c.cases[0].trace[0].decoded);
  EXPECT_EQ(back->started_us, c.started_us);
  EXPECT_EQ(back->iut.name, c.iut.name);
}

TEST(CampaignJson, CountsMustMatchCases) {
  nlohmann::json j = ToJson(SampleCampaign());
  j["counts"]["pass"] = 2;
  auto r = CampaignFromJson(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "/counts/pass");
}

TEST(CampaignJson, StepWorseThanCaseIsRejected) {
  nlohmann::json j = ToJson(SampleCampaign());
  j["cases"][0]["steps"][1]["verdict"] = "fail";  // case 0 is pass
  auto r = CampaignFromJson(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "/cases/0/steps/1/verdict");
}

TEST(CampaignJson, TypeErrorsNameThePath) {
  nlohmann::json j = ToJson(SampleCampaign());
  j["cases"][1]["trace"][0]["raw"] = "XYZ";
  auto r = CampaignFromJson(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "/cases/1/trace/0/raw");
  j = ToJson(SampleCampaign());
  j["cases"][1]["trace"][0]["highlights"][0]["length"] = 1000;
  r = CampaignFromJson(j);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "/cases/1/trace/0/highlights/0");
  EXPECT_FALSE(ParseCampaignJson("{not json").ok());
  EXPECT_FALSE(ParseCampaignJson("[]").ok());
}

// Independent oracle: Debian's python3-jsonschema validates what we write
// against reports/schema/results.schema.json, and rejects a broken file.
class JsonSchemaTest : public ::testing::Test {
 protected:
  int Validate(const std::string& json_text, std::string* out) {
    const fs::path dir = fs::temp_directory_path() /
                         ("omaiop_schema_" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "results.json") << json_text;
    const std::string script =
        "import json,sys,jsonschema\n"
        "s=json.load(open(sys.argv[1]))\n"
        "jsonschema.Draft202012Validator.check_schema(s)\n"
        "jsonschema.Draft202012Validator(s).validate(json.load(open(sys.argv["
        "2])))\n"
        "print('valid')\n";
    std::ofstream(dir / "check.py") << script;
    int status = -1;
    *out = omaiop::testing::RunCommand(
        "/usr/bin/python3 '" + (dir / "check.py").string() + "' '" +
            omaiop::testing::SourcePath("reports/schema/results.schema.json") +
            "' '" + (dir / "results.json").string() + "'",
        &status, true);
    fs::remove_all(dir);
    return status;
  }
};

TEST_F(JsonSchemaTest, ProducedJsonIsValid) {
  int rc = -1;
  std::string out = omaiop::testing::RunCommand(
      "/usr/bin/python3 -c 'import jsonschema'", &rc, true);
  ASSERT_EQ(rc, 0) << "python3-jsonschema missing: run scripts/setup "
                      "(apt-get install python3-jsonschema)\n"
                   << out;
  EXPECT_EQ(Validate(ToJsonText(SampleCampaign()), &out), 0) << out;
  EXPECT_NE(out.find("valid"), std::string::npos);
  EXPECT_EQ(Validate(ToJsonText(Campaign{}), &out), 0) << out;
}

TEST_F(JsonSchemaTest, SchemaRejectsBrokenResults) {
  nlohmann::json j = ToJson(SampleCampaign());
  j["cases"][0]["verdict"] = "passed";
  std::string out;
  EXPECT_NE(
      Validate(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
               &out),
      0);
  EXPECT_NE(out.find("passed"), std::string::npos) << out;
  j = ToJson(SampleCampaign());
  j["cases"][0]["trace"][0]["time"] = "yesterday";
  EXPECT_NE(
      Validate(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
               &out),
      0);
}

}  // namespace
}  // namespace omaiop::reports
