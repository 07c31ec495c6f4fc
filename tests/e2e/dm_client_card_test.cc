// The dm_client adapter serving the case's virtual card to the DM client
// under test through pcscd + vsmartcard-vpcd (PIXIT reads-card="true"): the
// stand-in IUT (tests/e2e/dm_client_reading_card.sh) reads the card's ATR
// with OpenSC's opensc-tool in reader "Virtual PCD 00 00", then runs
// `omaiop dm client` for the session. pcscd is one per machine: this test
// carries RESOURCE_LOCK pcscd.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "harness/runner/runner.h"
#include "harness/script/iut.h"
#include "harness/script/selection.h"
#include "sim/uicc/profile_loader.h"
#include "tests/test_util.h"

namespace omaiop {
namespace {

using harness::RunCampaign;
using harness::RunOptions;
using reports::Verdict;

std::string ColonHex(codec::ByteView b) {  // as opensc-tool prints ATRs
  std::string s;
  char h[4];
  for (std::size_t i = 0; i < b.size(); ++i) {
    std::snprintf(h, sizeof h, i ? ":%02x" : "%02x", b[i]);
    s += h;
  }
  return s;
}

TEST(DmClientCard, CaseCardIsServedToTheIutThroughPcscd) {
  for (const char* tool : {"pcscd", "opensc-tool"})
    ASSERT_FALSE(testing::FindOnPath(tool).empty())
        << tool
        << " not found: install with scripts/setup (Debian packages pcscd "
           "vsmartcard-vpcd opensc)";
  auto iut = harness::script::LoadIut(
      testing::SourcePath("fixtures/iut/dm_client_omaiop.xml"));
  ASSERT_TRUE(iut.ok()) << iut.error().ToString();
  iut->params["reads-card"] = "true";
  iut->params["omaiop-binary"] = OMAIOP_BINARY;
  iut->params["card_script"] =
      testing::SourcePath("tests/e2e/dm_client_reading_card.sh");
  for (auto& t : iut->triggers)
    t.text = "/bin/sh ${IUT.card_script} ${READER} " + t.text;

  harness::script::LoadOptions lo;
  for (const auto& [k, v] : harness::script::IutVariables(*iut))
    lo.extra_variables.push_back(k);
  auto tc = harness::script::LoadTestCase(
      testing::SourcePath("testcases/dm/server/get_devid_client_initiated.xml"),
      lo);
  ASSERT_TRUE(tc.ok()) << tc.error().ToString();
  // The card the case puts in the handset.
  harness::script::CardSetup card;
  card.profile = "uicc-3g";
  tc->preconditions.card = card;
  auto profile =
      sim::uicc::LoadProfile(testing::SourcePath("fixtures/uicc/uicc-3g.xml"));
  ASSERT_TRUE(profile.ok()) << profile.error().ToString();
  const std::string atr = ColonHex(profile->Atr());

  RunOptions o;
  o.iut = *iut;
  auto c = RunCampaign({&*tc}, o);
  ASSERT_EQ(c.cases.size(), 1u);
  const auto& r = c.cases[0];
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  bool served = false, atr_read = false;
  for (const auto& e : r.trace) {
    if (e.summary.find("served to the IUT in reader 'Virtual PCD 00 00'") !=
        std::string::npos)
      served = true;
    if (e.decoded && e.decoded->find(atr) != std::string::npos) atr_read = true;
  }
  EXPECT_TRUE(served);
  std::string outputs;  // what the IUT printed, for the failure message
  for (const auto& e : r.trace)
    if (e.decoded && e.summary.rfind("trigger ", 0) == 0)
      outputs += e.summary + ":\n" + e.decoded->substr(0, 400) + "\n";
  EXPECT_TRUE(atr_read) << "the IUT's output does not show the card's ATR "
                        << atr << "\n"
                        << outputs;
}

}  // namespace
}  // namespace omaiop
