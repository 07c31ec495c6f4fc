// `omaiop run` as a user runs it: the report directory, the counts in
// results.json, and the exit-code contract.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "harness/cli/cli_test_util.h"

namespace {

namespace fs = std::filesystem;
using omaiop::cli::testing::CliRun;
using omaiop::cli::testing::Omaiop;
using omaiop::cli::testing::Src;
using ::testing::HasSubstr;

class RunCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("omaiop_run_cli_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  CliRun Run(const std::string& args) {
    return Omaiop("run --no-progress --testcases " + Src("testcases") + " -o " +
                  dir_.string() + " " + args);
  }
  nlohmann::json Results() {
    return nlohmann::json::parse(
        omaiop::testing::ReadFileText(dir_ / "results.json"));
  }
  fs::path dir_;
};

TEST_F(RunCli, WholeSuiteWritesTheFourOutputsWithMatchingCounts) {
  auto r = Run("");
  // Every shipped case passes against the simulated peers.
  EXPECT_EQ(r.exit_code, 0) << r.out;
  for (const char* f : {"index.html", "junit.xml", "results.json"})
    EXPECT_TRUE(fs::is_regular_file(dir_ / f)) << f;
  ASSERT_TRUE(fs::is_directory(dir_ / "traces"));
  EXPECT_TRUE(fs::is_regular_file(dir_ / "traces" / "CP-BOOT-SEC-003.pcap"));
  auto j = Results();
  const auto& cases = j["cases"];
  std::map<std::string, int> counted;
  for (const auto& c : cases) ++counted[c["verdict"].get<std::string>()];
  EXPECT_EQ(j["counts"]["total"].get<int>(), static_cast<int>(cases.size()));
  for (const char* v : {"none", "pass", "inconc", "fail", "error"})
    EXPECT_EQ(j["counts"][v].get<int>(), counted[v]) << v;
  EXPECT_EQ(counted["fail"], 0);
  EXPECT_EQ(counted["inconc"], 0);
  EXPECT_EQ(counted["error"], 0);
  EXPECT_EQ(counted["pass"], static_cast<int>(cases.size()));
  EXPECT_GE(counted["pass"], 32);
  // The summary line says the same.
  EXPECT_THAT(r.out, HasSubstr(std::to_string(counted["pass"]) + " pass"));
  EXPECT_THAT(r.out, HasSubstr("[1/"));  // plain progress lines off a TTY
}

TEST_F(RunCli, AllPassIsExitZero) {
  auto r = Run("--filter 'CP-*' --jobs 3");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto j = Results();
  EXPECT_EQ(j["counts"]["pass"], j["counts"]["total"]);
}

TEST_F(RunCli, FaultMakesTheRunFail) {
  auto r = Run("--fault wrong-mac");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  auto j = Results();
  EXPECT_GT(j["counts"]["fail"].get<int>(), 0);
  bool named = false;
  for (const auto& c : j["cases"])
    if (c["id"] == "CP-BOOT-SEC-003") {
      EXPECT_EQ(c["verdict"], "fail");
      EXPECT_THAT(c["rule"].get<std::string>(), HasSubstr("B-C-006"));
      named = true;
    }
  EXPECT_TRUE(named);
  // The HTML report marks the offending bytes.
  const std::string html = omaiop::testing::ReadFileText(dir_ / "index.html");
  EXPECT_THAT(html, HasSubstr("MAC does not verify"));
}

TEST_F(RunCli, NotApplicableOnlyIsExitZero) {
  // Shard 0 of many: at most one case; select one that does not apply.
  auto r =
      Run("--filter CP-BOOT-SEC-003 --iut " + Src("fixtures/iut/kannel.xml"));
  // kannel is a push server: a push_server-role case does not apply.
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto j = Results();
  ASSERT_EQ(j["cases"].size(), 1u);
  EXPECT_EQ(j["cases"][0]["verdict"], "none");
}

TEST_F(RunCli, ShardsSplitTheSuite) {
  auto a = Run("--shard-index 0 --total-shards 2");
  auto na = Results()["counts"]["total"].get<int>();
  auto b = Run("--shard-index 1 --total-shards 2");
  auto nb = Results()["counts"]["total"].get<int>();
  auto all = Run("");
  EXPECT_EQ(na + nb, Results()["counts"]["total"].get<int>());
  EXPECT_GT(na, 0);
  EXPECT_GT(nb, 0);
}

TEST_F(RunCli, BadArgumentsAreToolFailures) {
  EXPECT_EQ(Run("--fault no-such-fault").exit_code, 3);
  EXPECT_EQ(Run("--shard-index 1").exit_code, 3);
  EXPECT_EQ(
      Omaiop("run --testcases /nonexistent/dir -o " + dir_.string()).exit_code,
      3);
}

}  // namespace
