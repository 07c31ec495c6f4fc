// `omaiop list` run as a user would: selection, applicability against an IUT
// description, sharding by flags and by the GoogleTest variables, errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "harness/cli/cli_test_util.h"

namespace {

namespace fs = std::filesystem;
using omaiop::cli::testing::CliRun;
using omaiop::cli::testing::Omaiop;
using omaiop::cli::testing::Src;
using ::testing::HasSubstr;

const std::string kSuite = "--testcases " + Src("testcases");
const char* const kShippedIds[] = {
    "CP-BOOT-SEC-001", "CP-BOOT-SEC-002",  "CP-BOOT-SEC-003", "CP-BOOT-SEC-004",
    "CP-BOOT-SEC-005", "CP-BOOT-SEC-006",  "CP-BOOT-SEC-007", "CP-BOOT-SMS-001",
    "CP-BOOT-UNT-001", "CP-CONT-TRU-001",  "CP-SC-001",       "CP-SRV-SEC-001",
    "CP-SRV-SEC-002",  "CP-SRV-SEC-003",   "CP-UAB-USR-001",  "DM-CLI-AUTH-001",
    "DM-CLI-AUTH-002", "DM-CLI-AUTH-003",  "DM-CLI-CARD-001", "DM-CLI-ENC-001",
    "DM-CLI-PKG0-001", "DM-CLI-SESS-001",  "DM-CLI-SESS-002", "DMS-EXEC-001",
    "DMS-GET-001",     "DMS-PKG0-001",     "DMS-REP-001",     "DMS-UI-001",
    "DMS-UI-002",      "UICC-DM-BOOT-001", "UICC-DM-SC-002"};

std::set<std::string> JsonIds(const std::string& out) {
  std::set<std::string> ids;
  auto j = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << out;
  if (j.is_discarded()) return ids;
  for (const auto& c : j["cases"]) ids.insert(c["id"].get<std::string>());
  return ids;
}

TEST(ListCli, ListsEveryShippedCaseWithRequirements) {
  CliRun r = Omaiop("list " + kSuite);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* id : kShippedIds) EXPECT_THAT(r.out, HasSubstr(id));
  EXPECT_THAT(r.out, HasSubstr("requirements: ProvBoot-B-C-006"));
  EXPECT_THAT(r.out, HasSubstr("31 case(s) listed, 31 applicable"));
}

TEST(ListCli, FilterTagAndRequirement) {
  CliRun r = Omaiop("list --json " + kSuite + " --filter 'CP-*:-*-SEC-*'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(JsonIds(r.out),
            (std::set<std::string>{"CP-BOOT-SMS-001", "CP-BOOT-UNT-001",
                                   "CP-CONT-TRU-001", "CP-SC-001",
                                   "CP-UAB-USR-001"}));
  r = Omaiop("list --json " + kSuite + " --tag card");
  EXPECT_EQ(JsonIds(r.out),
            (std::set<std::string>{"CP-SC-001", "DM-CLI-CARD-001",
                                   "UICC-DM-BOOT-001", "UICC-DM-SC-002"}));
  r = Omaiop("list --json " + kSuite +
             " --requirement 'ProvUAB-*' --requirement DM-SC-BOOT-001");
  EXPECT_EQ(JsonIds(r.out),
            (std::set<std::string>{"CP-BOOT-SEC-002", "CP-BOOT-SEC-006",
                                   "CP-UAB-USR-001", "UICC-DM-BOOT-001"}));
}

TEST(ListCli, IutDecidesApplicabilityWithReasons) {
  CliRun r = Omaiop("list --json " + kSuite + " --iut " +
                    Src("fixtures/iut/kannel.xml"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["iut"]["adapter"], "smpp_push_server");
  int applicable = 0;
  for (const auto& c : j["cases"]) {
    const bool applies = c["applicability"]["applies"];
    applicable += applies;
    EXPECT_FALSE(c["applicability"]["reason"].get<std::string>().empty());
    // Kannel is a push server: only cases where omaiop is the handset, and
    // not USERPINMAC (its PICS say false).
    const std::string id = c["id"];
    EXPECT_EQ(applies, id == "CP-BOOT-SMS-001" || id == "CP-SRV-SEC-001" ||
                           id == "CP-SRV-SEC-002")
        << c.dump();
  }
  EXPECT_EQ(j["applicable"], applicable);
}

TEST(ListCli, ThreeShardsByFlagCoverTheSuiteOnce) {
  std::multiset<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    CliRun r = Omaiop("list --json " + kSuite + " --shard-index " +
                      std::to_string(i) + " --total-shards 3");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    for (const auto& id : JsonIds(r.out)) seen.insert(id);
  }
  ASSERT_EQ(seen.size(), std::size(kShippedIds));
  for (const char* id : kShippedIds) EXPECT_EQ(seen.count(id), 1u) << id;
}

TEST(ListCli, ShardsFromGoogleTestEnvironment) {
  const std::string status =
      testing::TempDir() + "omaiop_list_status_" + std::to_string(getpid());
  fs::remove(status);
  std::multiset<std::string> seen;
  for (int i = 0; i < 2; ++i) {
    int code = -1;
    std::string out = omaiop::testing::RunCommand(
        "GTEST_SHARD_INDEX=" + std::to_string(i) +
            " GTEST_TOTAL_SHARDS=2 GTEST_SHARD_STATUS_FILE=" + status + " " +
            OMAIOP_BINARY + " list --json " + kSuite,
        &code);
    ASSERT_EQ(code, 0) << out;
    EXPECT_EQ(nlohmann::json::parse(out)["shard"]["total"], 2);
    for (const auto& id : JsonIds(out)) seen.insert(id);
  }
  EXPECT_EQ(seen.size(), std::size(kShippedIds));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(),
            seen.size());
  EXPECT_TRUE(fs::exists(status));
  fs::remove(status);
  int code = -1;
  std::string out = omaiop::testing::RunCommand(
      std::string("GTEST_SHARD_INDEX=5 GTEST_TOTAL_SHARDS=2 ") + OMAIOP_BINARY +
          " list " + kSuite,
      &code, true);
  EXPECT_EQ(code, 3) << out;
  EXPECT_THAT(out, HasSubstr("not in [0, 2)"));
}

TEST(ListCli, BrokenCaseIsReportedWithFileAndLineAndExitThree) {
  const fs::path dir = fs::path(testing::TempDir()) /
                       ("omaiop_list_" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::copy_file(
      Src("testcases/cp/uab/user_rejects_settings_nothing_stored.xml"),
      dir / "good.xml", fs::copy_options::overwrite_existing);
  std::ofstream(dir / "bad.xml")
      << "<testcase id=\"CP-BAD-001\">\n<header>\n<title>t</title>\n"
         "<bogus/>\n</header></testcase>\n";
  CliRun r = Omaiop("list --testcases " + dir.string());
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("CP-UAB-USR-001"));  // the good one is listed
  EXPECT_THAT(r.out, HasSubstr("bad.xml:4"));
  EXPECT_THAT(r.out, HasSubstr("bogus"));
  fs::remove_all(dir);
}

TEST(ListCli, MissingDirectoryIsToolFailure) {
  CliRun r = Omaiop("list --testcases /nonexistent/omaiop-cases");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("not found"));
}

}  // namespace
