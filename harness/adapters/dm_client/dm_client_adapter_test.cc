// The dm_client adapter with `omaiop dm client` (the simulated handset as a
// separate process) as the DM client under test: the shipped DMS-* cases run
// through the Runner against fixtures/iut/dm_client_omaiop.xml.
#include "harness/adapters/dm_client/dm_client_adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/runner/runner.h"
#include "harness/script/selection.h"
#include "tests/test_util.h"

namespace omaiop::harness {
namespace {

using reports::Verdict;
using ::testing::HasSubstr;

script::Iut StandIn() {
  auto iut = script::LoadIut(
      omaiop::testing::SourcePath("fixtures/iut/dm_client_omaiop.xml"));
  EXPECT_TRUE(iut.ok()) << iut.error().ToString();
  if (!iut.ok()) return {};
  iut->params["omaiop-binary"] = OMAIOP_BINARY;
  return *iut;
}

std::vector<script::TestCase> DmsCases(const script::Iut& iut) {
  script::LoadOptions lo;
  for (const auto& [k, v] : script::IutVariables(iut))
    lo.extra_variables.push_back(k);
  auto suite = script::LoadSuite(omaiop::testing::SourcePath("testcases"), lo);
  EXPECT_TRUE(suite.ok()) << suite.error().ToString();
  std::vector<script::TestCase> out;
  if (!suite.ok()) return out;
  for (const auto& tc : suite->cases)
    if (tc.id.rfind("DMS-", 0) == 0) out.push_back(tc);
  return out;
}

TEST(DmClientAdapter, ShippedDmsCasesPassAgainstOmaiopDmClientProcess) {
  auto iut = StandIn();
  ASSERT_EQ(iut.adapter, script::AdapterKind::kDmClient);
  auto cases = DmsCases(iut);
  ASSERT_GE(cases.size(), 6u);
  std::vector<const script::TestCase*> ptrs;
  for (const auto& tc : cases) ptrs.push_back(&tc);
  RunOptions o;
  o.iut = iut;
  o.max_wait = std::chrono::milliseconds(10);
  auto c = RunCampaign(ptrs, o);
  ASSERT_EQ(c.cases.size(), cases.size());
  for (const auto& r : c.cases) {
    SCOPED_TRACE(r.id);
    EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
    // The IUT was a separate process: its --json output is in the trace.
    bool ran = false;
    for (const auto& e : r.trace)
      if (e.summary.rfind("trigger dm-", 0) == 0 && e.decoded &&
          e.decoded->find("\"completed\": true") != std::string::npos)
        ran = true;
    EXPECT_TRUE(ran);
  }
}

TEST(DmClientAdapter, AWrongClientSecretFailsWithTheAuthRule) {
  // The IUT is configured with another CLCRED secret than omaiop's server
  // demands: the server refuses its digest.
  auto iut = StandIn();
  for (auto& c : iut.credentials)
    if (c.name == "clcred") c.password = "not-the-handset-secret";
  auto cases = DmsCases(iut);
  const script::TestCase* get = nullptr;
  for (const auto& tc : cases)
    if (tc.id == "DMS-GET-001") get = &tc;
  ASSERT_TRUE(get);
  // The template passes ${CLIENT_SECRET}: give the IUT a different one.
  for (auto& t : iut.triggers) {
    auto at = t.text.find("${CLIENT_SECRET}");
    ASSERT_NE(at, std::string::npos);
    t.text.replace(at, 16, "wrong-secret");
  }
  RunOptions o;
  o.iut = iut;
  auto c = RunCampaign({get}, o);
  ASSERT_EQ(c.cases.size(), 1u);
  EXPECT_EQ(c.cases[0].verdict, Verdict::kFail) << c.cases[0].reason;
  EXPECT_EQ(c.cases[0].rule, "dm.auth.wrong-cred") << c.cases[0].reason;
}

TEST(DmClientAdapter, MissingTriggerIsInconcAndOtherRolesAreNotSupported) {
  auto iut = StandIn();
  iut.triggers.clear();
  auto cases = DmsCases(iut);
  ASSERT_FALSE(cases.empty());
  RunOptions o;
  o.iut = iut;
  auto c = RunCampaign({&cases.front()}, o);
  ASSERT_EQ(c.cases.size(), 1u);
  EXPECT_EQ(c.cases[0].verdict, Verdict::kInconc);
  EXPECT_THAT(c.cases[0].reason, HasSubstr("no trigger 'dm-"));

  adapters::DmClientAdapter a;
  script::TestCase cp;
  cp.header.role = script::Role::kPushServer;
  auto s = a.Open(cp, {iut, {}}, std::make_shared<adapters::Recorder>());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().rule, adapters::kRuleNotSupported);
}

}  // namespace
}  // namespace omaiop::harness
