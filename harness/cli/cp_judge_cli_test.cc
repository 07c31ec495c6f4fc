// `omaiop cp judge` (the stand-in handset IUT) as a user runs it, and the
// command adapter driving it through `omaiop run --iut
// fixtures/iut/command_handset.xml`: the same case passes against the
// conformant stand-in and fails, naming the MAC rule, against the
// deliberately defective one (--defect accept-bad-mac).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "codec/bytes.h"
#include "harness/cli/cli_test_util.h"
#include "sim/servers/cp_push_server.h"

namespace {

namespace fs = std::filesystem;
using omaiop::cli::testing::CliRun;
using omaiop::cli::testing::Omaiop;
using omaiop::cli::testing::Src;
using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr char kImsi[] = "001010123456789";

class CpJudgeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("omaiop_judge_cli_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Composes bootstrap.xml with omaiop's push server; writes the WSP PDU
  // and the segments (hex lines); returns the PDU path.
  std::string Push(omaiop::codec::SecMethod sec, const std::string& imsi,
                   const std::string& pin = "") {
    omaiop::sim::servers::ComposeOptions o;
    o.sec = sec;
    o.imsi = imsi;
    o.pin = pin;
    auto p = omaiop::sim::servers::CpPushServer().Compose(
        omaiop::testing::ReadFileText(Src("fixtures/cp/bootstrap.xml")), o);
    EXPECT_TRUE(p.ok()) << p.error().ToString();
    const std::string pdu = (dir_ / "push.wsp").string();
    std::ofstream(pdu, std::ios::binary)
        .write(reinterpret_cast<const char*>(p->wsp_pdu.data()),
               static_cast<std::streamsize>(p->wsp_pdu.size()));
    std::ofstream seg(dir_ / "push.segments");
    for (const auto& s : p->segments) seg << omaiop::codec::ToHex(s) << "\n";
    return pdu;
  }
  static json LastJson(const std::string& out) {
    std::string line;
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);)
      if (!l.empty() && l[0] == '{') line = l;
    return json::parse(line);
  }
  fs::path dir_;
};

TEST_F(CpJudgeCli, ConformantHandsetAcceptsAndReportsSettings) {
  const auto pdu = Push(omaiop::codec::SecMethod::kNetwPin, kImsi);
  CliRun r = Omaiop("cp judge --pdu " + pdu + " --imsi " + kImsi);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json j = LastJson(r.out);
  EXPECT_EQ(j["verdict"], "accepted");
  bool verified = false;
  for (const auto& e : j["events"]) verified |= e["kind"] == "mac_verified";
  EXPECT_TRUE(verified) << j.dump();
  bool nap = false;
  for (const auto& s : j["settings"])
    nap |= s["kind"] == "NAPDEF" && s["id"] == "BOOT_NAP" &&
           s["parms"]["NAP-ADDRESS"] == "tps.operator.example";
  EXPECT_TRUE(nap) << j["settings"].dump();
  EXPECT_EQ(j["dst_port"], 2948);
}

TEST_F(CpJudgeCli, WrongImsiIsRejectedUnlessTheHandsetIsDefective) {
  const auto pdu = Push(omaiop::codec::SecMethod::kNetwPin, "001010123456780");
  CliRun r = Omaiop("cp judge --pdu " + pdu + " --imsi " + kImsi);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  json j = LastJson(r.out);
  EXPECT_EQ(j["verdict"], "rejected");
  EXPECT_THAT(j["rule"].get<std::string>(), HasSubstr("B-C-006"));
  EXPECT_TRUE(j["settings"].empty());
  r = Omaiop("cp judge --pdu " + pdu + " --imsi " + kImsi +
             " --defect accept-bad-mac");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  j = LastJson(r.out);
  EXPECT_EQ(j["verdict"], "accepted");
  EXPECT_THAT(j["events"].dump(), HasSubstr("DEFECT accept-bad-mac"));
}

TEST_F(CpJudgeCli, SegmentsAndUserPins) {
  Push(omaiop::codec::SecMethod::kUserPin, "", "4321");
  const std::string seg = (dir_ / "push.segments").string();
  CliRun r = Omaiop("cp judge --segments " + seg + " --user-pins 1111,4321");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  json j = LastJson(r.out);
  EXPECT_EQ(j["outcome"]["pin_attempts"], 2);
  r = Omaiop("cp judge --segments " + seg + " --user-pins cancel");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(LastJson(r.out)["events"].dump(), HasSubstr("pin_cancelled"));
}

TEST_F(CpJudgeCli, UsageAndToolFailures) {
  CliRun r = Omaiop("cp judge --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("\"verdict\""));
  EXPECT_THAT(r.out, HasSubstr("accept-bad-mac"));
  EXPECT_EQ(Omaiop("cp judge").exit_code, 3);
  EXPECT_EQ(Omaiop("cp judge --pdu " + (dir_ / "none").string()).exit_code, 3);
  EXPECT_NE(Omaiop("cp judge --pdu x --defect no-such-defect").exit_code, 0);
}

TEST_F(CpJudgeCli, SameCasePassesOnConformantAndFailsOnDefectiveStandIn) {
  auto run = [&](const std::string& iut, const std::string& out) {
    return Omaiop("run --no-progress --testcases " + Src("testcases") +
                  " --filter CP-BOOT-SEC-001 --iut " + Src(iut) + " -o " +
                  (dir_ / out).string());
  };
  CliRun ok = run("fixtures/iut/command_handset.xml", "ok");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  json good =
      json::parse(omaiop::testing::ReadFileText(dir_ / "ok" / "results.json"));
  ASSERT_EQ(good["cases"].size(), 1u);
  EXPECT_EQ(good["cases"][0]["verdict"], "pass");
  EXPECT_EQ(good["iut"]["adapter"], "command");

  CliRun bad = run("fixtures/iut/command_handset_defective.xml", "bad");
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  json b =
      json::parse(omaiop::testing::ReadFileText(dir_ / "bad" / "results.json"));
  ASSERT_EQ(b["cases"].size(), 1u);
  EXPECT_EQ(b["cases"][0]["verdict"], "fail");
  EXPECT_THAT(b["cases"][0]["rule"].get<std::string>(), HasSubstr("B-C-006"));
  EXPECT_THAT(b["cases"][0]["reason"].get<std::string>(),
              HasSubstr("mac_mismatch"));
}

TEST_F(CpJudgeCli, FaultsGoIntoThePushesHandedToTheCommand) {
  // omaiop is the push server: a wrong MAC reaches the conformant stand-in,
  // which rejects it, so the case that wants acceptance fails on the rule.
  CliRun r = Omaiop("run --no-progress --testcases " + Src("testcases") +
                    " --filter CP-BOOT-SEC-003 --fault wrong-mac --iut " +
                    Src("fixtures/iut/command_handset.xml") + " -o " +
                    (dir_ / "f").string());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  json j =
      json::parse(omaiop::testing::ReadFileText(dir_ / "f" / "results.json"));
  ASSERT_EQ(j["cases"].size(), 1u);
  EXPECT_EQ(j["cases"][0]["verdict"], "fail");
  EXPECT_THAT(j["cases"][0]["rule"].get<std::string>(), HasSubstr("B-C-006"));
}

TEST_F(CpJudgeCli, ListWithTheCommandIutKeepsItToPushServerCases) {
  CliRun r = Omaiop("list --json --testcases " + Src("testcases") + " --iut " +
                    Src("fixtures/iut/command_handset.xml"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json j = json::parse(r.out);
  EXPECT_EQ(j["iut"]["adapter"], "command");
  int applicable = 0;
  for (const auto& c : j["cases"]) {
    const bool applies = c["applicability"]["applies"];
    applicable += applies;
    if (c["role"] == "handset") EXPECT_FALSE(applies) << c.dump();
  }
  EXPECT_GE(applicable, 8);
}

}  // namespace
