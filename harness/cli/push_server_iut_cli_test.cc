// `omaiop run --iut fixtures/iut/omaiop_cp_push.xml`: the smpp_push_server
// adapter with a command trigger, omaiop's own `cp push` as the push server
// under test (an ESME binding to the adapter's SMSC on an ephemeral port).
// The Kannel run of the same adapter is tests/e2e/kannel_adapter_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "harness/cli/cli_test_util.h"

namespace {

namespace fs = std::filesystem;
using omaiop::cli::testing::CliRun;
using omaiop::cli::testing::Omaiop;
using omaiop::cli::testing::Src;
using ::testing::HasSubstr;

class PushServerIutCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("omaiop_psiut_cli_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::map<std::string, nlohmann::json> Run(const std::string& args,
                                            CliRun* r) {
    *r = Omaiop("run --no-progress --testcases " + Src("testcases") +
                " --iut " + Src("fixtures/iut/omaiop_cp_push.xml") + " -o " +
                dir_.string() + " " + args);
    std::map<std::string, nlohmann::json> by_id;
    auto j = nlohmann::json::parse(
        omaiop::testing::ReadFileText(dir_ / "results.json"), nullptr, false);
    if (j.is_discarded()) return by_id;
    for (const auto& c : j["cases"]) by_id[c["id"]] = c;
    return by_id;
  }
  fs::path dir_;
};

TEST_F(PushServerIutCli, EveryHandsetCasePassesAgainstOmaiopCpPush) {
  for (const char* jobs : {"-j 1", "-j 2"}) {
    SCOPED_TRACE(jobs);
    CliRun r;
    auto c = Run(jobs, &r);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    for (const char* id : {"CP-SRV-SEC-001", "CP-SRV-SEC-002", "CP-SRV-SEC-003",
                           "CP-BOOT-SMS-001"}) {
      ASSERT_TRUE(c.count(id)) << id << "\n" << r.out;
      EXPECT_EQ(c[id]["verdict"], "pass") << c[id].dump();
    }
    for (const auto& [id, cr] : c)
      if (cr["role"] == "push_server") EXPECT_EQ(cr["verdict"], "none") << id;
  }
}

TEST_F(PushServerIutCli, FaultsCannotBeInjectedIntoARealServer) {
  CliRun r;
  Run("--filter CP-SRV-SEC-002 --fault wrong-mac", &r);
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.out, HasSubstr("--fault needs the simulated or the command"));
}

}  // namespace
