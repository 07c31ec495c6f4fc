// Every CP case in testcases/ is proven both ways: it passes against the
// conformant simulated peers, and fails (naming a rule) when each fault its
// <proven-by> declares is injected into omaiop's simulated peer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/runner/runner.h"
#include "harness/script/selection.h"
#include "tests/test_util.h"

namespace omaiop::harness {
namespace {

using reports::Verdict;

TEST(SuiteProof, EveryCpCasePassesAndFailsWithItsFault) {
  script::LoadOptions lo;
  for (const auto& [k, v] : script::IutVariables(script::SimulatedIut()))
    lo.extra_variables.push_back(k);
  auto suite = script::LoadSuite(omaiop::testing::SourcePath("testcases"), lo);
  ASSERT_TRUE(suite.ok()) << suite.error().ToString();
  EXPECT_TRUE(suite->errors.empty());
  script::Filter f;
  f.id_filter = "CP-*";
  auto cp = script::Select(suite->cases, f);
  ASSERT_GE(cp.size(), 12u);
  std::set<std::string> step_types;
  for (const auto* tc : cp) {
    SCOPED_TRACE(tc->id + " (" + tc->source_file + ")");
    for (const auto& s : tc->steps) step_types.insert(s.element);
    EXPECT_FALSE(tc->header.proven_by.empty())
        << "add <proven-by name=\"FAULT\"/> to the header";
    RunOptions clean;
    clean.max_wait = std::chrono::milliseconds(10);
    auto ok = RunCampaign({tc}, clean);
    ASSERT_FALSE(ok.cases.empty());
    for (const auto& r : ok.cases)
      EXPECT_EQ(r.verdict, Verdict::kPass) << r.id << ": " << r.reason;
    for (const auto& fault : tc->header.proven_by) {
      SCOPED_TRACE("fault " + fault);
      RunOptions faulty = clean;
      faulty.faults = {fault};
      auto bad = RunCampaign({tc}, faulty);
      for (const auto& r : bad.cases) {
        EXPECT_EQ(r.verdict, Verdict::kFail) << r.id << ": " << r.reason;
        EXPECT_FALSE(r.rule.empty()) << r.reason;
      }
    }
  }
  // The CP step types are all exercised by the shipped cases.
  for (const char* t :
       {"push", "wait-sms", "card-insert", "card-remove", "power-cycle",
        "user-pin", "user-accept", "user-reject", "expect-event",
        "expect-status", "check-setting", "check-card-file", "wait"})
    EXPECT_TRUE(step_types.count(t)) << "no CP case uses <" << t << ">";
}

// Role dm_client (omaiop's handset vs the simulated DM server): every case
// passes clean and fails, naming a rule, with each DM server fault its
// <proven-by> declares.
TEST(SuiteProof, EveryDmClientCasePassesAndFailsWithItsFault) {
  script::LoadOptions lo;
  for (const auto& [k, v] : script::IutVariables(script::SimulatedIut()))
    lo.extra_variables.push_back(k);
  auto suite = script::LoadSuite(omaiop::testing::SourcePath("testcases"), lo);
  ASSERT_TRUE(suite.ok()) << suite.error().ToString();
  std::vector<const script::TestCase*> cases;
  for (const auto& tc : suite->cases)
    if (tc.header.role == script::Role::kDmClient) cases.push_back(&tc);
  ASSERT_GE(cases.size(), 8u);
  std::set<std::string> step_types;
  for (const auto* tc : cases) {
    SCOPED_TRACE(tc->id + " (" + tc->source_file + ")");
    for (const auto& s : tc->steps) step_types.insert(s.element);
    EXPECT_FALSE(tc->header.proven_by.empty())
        << "add <proven-by name=\"FAULT\"/> (omaiop dm faults)";
    RunOptions clean;
    clean.max_wait = std::chrono::milliseconds(10);
    auto ok = RunCampaign({tc}, clean);
    ASSERT_FALSE(ok.cases.empty());
    for (const auto& r : ok.cases)
      EXPECT_EQ(r.verdict, Verdict::kPass) << r.id << ": " << r.reason;
    for (const auto& fault : tc->header.proven_by) {
      SCOPED_TRACE("fault " + fault);
      RunOptions faulty = clean;
      faulty.faults = {fault};
      auto bad = RunCampaign({tc}, faulty);
      for (const auto& r : bad.cases) {
        EXPECT_EQ(r.verdict, Verdict::kFail) << r.id << ": " << r.reason;
        EXPECT_FALSE(r.rule.empty()) << r.reason;
      }
    }
  }
  for (const char* t : {"dm-session", "server-commands", "expect-status",
                        "expect-event", "check-tree", "check-card-file"})
    EXPECT_TRUE(step_types.count(t)) << "no dm_client case uses <" << t << ">";
}

// Role dm_server (omaiop's DM server vs the simulated DM client, with or
// without a card): every case passes clean and fails, naming a rule, with
// each client defect its <proven-by> declares.
TEST(SuiteProof, EveryDmServerCasePassesAndFailsWithItsDefect) {
  script::LoadOptions lo;
  for (const auto& [k, v] : script::IutVariables(script::SimulatedIut()))
    lo.extra_variables.push_back(k);
  auto suite = script::LoadSuite(omaiop::testing::SourcePath("testcases"), lo);
  ASSERT_TRUE(suite.ok()) << suite.error().ToString();
  std::vector<const script::TestCase*> cases;
  bool card_case = false;
  for (const auto& tc : suite->cases)
    if (tc.header.role == script::Role::kDmServer) {
      cases.push_back(&tc);
      if (tc.id == "UICC-DM-BOOT-001") card_case = true;
    }
  ASSERT_GE(cases.size(), 7u);
  EXPECT_TRUE(card_case) << "UICC-DM-BOOT-001 is a dm_server case";
  for (const auto* tc : cases) {
    SCOPED_TRACE(tc->id + " (" + tc->source_file + ")");
    EXPECT_FALSE(tc->header.proven_by.empty())
        << "add <proven-by name=\"DEFECT\"/> (omaiop dm client-defects)";
    RunOptions clean;
    clean.max_wait = std::chrono::milliseconds(10);
    auto ok = RunCampaign({tc}, clean);
    ASSERT_FALSE(ok.cases.empty());
    for (const auto& r : ok.cases)
      EXPECT_EQ(r.verdict, Verdict::kPass) << r.id << ": " << r.reason;
    for (const auto& fault : tc->header.proven_by) {
      SCOPED_TRACE("defect " + fault);
      RunOptions faulty = clean;
      faulty.faults = {fault};
      auto bad = RunCampaign({tc}, faulty);
      for (const auto& r : bad.cases) {
        EXPECT_EQ(r.verdict, Verdict::kFail) << r.id << ": " << r.reason;
        EXPECT_FALSE(r.rule.empty()) << r.reason;
      }
    }
  }
}

}  // namespace
}  // namespace omaiop::harness
