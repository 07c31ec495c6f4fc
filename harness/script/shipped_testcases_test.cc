// Every test case shipped in testcases/ validates, loads, refers only to
// files that exist and expands (variables, CSV rows); together they use every
// step type.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "harness/script/iut.h"
#include "harness/script/selection.h"

namespace omaiop::harness::script {
namespace {

const std::string kSuite = std::string(OMAIOP_SOURCE_DIR) + "/testcases";

TEST(ShippedTestCases, AllLoadWithoutErrors) {
  auto suite = LoadSuite(kSuite);
  ASSERT_TRUE(suite.ok()) << suite.error().ToString();
  for (const auto& e : suite->errors) ADD_FAILURE() << e.ToString();
  EXPECT_GE(suite->cases.size(), 6u);
}

TEST(ShippedTestCases, FileReferencesExistAndRunsExpand) {
  auto suite = LoadSuite(kSuite);
  ASSERT_TRUE(suite.ok());
  const VariableMap iut_vars = {{"IUT.dm.url", "https://dm.example/"}};
  for (const auto& tc : suite->cases) {
    auto refs = CheckFileReferences(tc);
    EXPECT_TRUE(refs.ok()) << tc.id << ": " << refs.error().ToString();
    auto runs = Expand(tc, {iut_vars, 0});
    ASSERT_TRUE(runs.ok()) << tc.id << ": " << runs.error().ToString();
    EXPECT_FALSE(runs->empty());
    for (const auto& run : *runs) {
      auto after = CheckFileReferences(run);
      EXPECT_TRUE(after.ok()) << tc.id << ": " << after.error().ToString();
    }
  }
}

TEST(ShippedTestCases, EveryStepTypeIsUsed) {
  auto suite = LoadSuite(kSuite);
  ASSERT_TRUE(suite.ok());
  std::set<std::size_t> used;
  for (const auto& tc : suite->cases)
    for (const auto& s : tc.steps) used.insert(s.body.index());
  for (std::size_t i = 0; i < std::variant_size_v<StepBody>; ++i)
    EXPECT_EQ(used.count(i), 1u) << "step type #" << i << " is not used";
}

TEST(ShippedTestCases, AllApplyToTheSimulatedPeers) {
  auto suite = LoadSuite(kSuite);
  ASSERT_TRUE(suite.ok());
  for (const auto& tc : suite->cases) {
    auto a = Applicability(tc, SimulatedIut());
    EXPECT_TRUE(a.applies) << tc.id << ": " << a.reason;
  }
}

TEST(ShippedTestCases, ThreeShardsCoverTheSuiteOnce) {
  auto suite = LoadSuite(kSuite);
  ASSERT_TRUE(suite.ok());
  const auto all = Select(suite->cases, {});
  std::multiset<std::string> seen;
  for (std::size_t i = 0; i < 3; ++i)
    for (const auto* t : ApplyShard(all, {i, 3})) seen.insert(t->id);
  ASSERT_EQ(seen.size(), all.size());
  for (const auto* t : all) EXPECT_EQ(seen.count(t->id), 1u);
}

}  // namespace
}  // namespace omaiop::harness::script
