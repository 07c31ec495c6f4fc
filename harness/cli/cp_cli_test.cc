// `omaiop cp faults` / `omaiop cp compose` run as a user would: the composed
// segments are fed back to `omaiop decode`, which must see each fault.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/cli/cli_test_util.h"
#include "sim/servers/faults.h"

namespace {

using omaiop::cli::testing::CliRun;
using omaiop::cli::testing::Omaiop;
using omaiop::cli::testing::Src;

const std::string kBoot = Src("fixtures/cp/bootstrap.xml");
const std::string kProxy = Src("fixtures/cp/napdef_gprs_proxy.xml");
constexpr char kImsi[] = "262011234567890";

// Writes `text` to a fresh temporary file and returns its path.
std::string TempFile(const std::string& text) {
  std::string path = testing::TempDir() + "cp_cli_XXXXXX";
  int fd = mkstemp(path.data());
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(CpCli, FaultsListsEveryKnobWithLayerRuleAndExpectation) {
  CliRun r = Omaiop("cp faults");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const auto& f : omaiop::sim::servers::AllFaults()) {
    std::string head = std::string(f.name) + "  [";
    EXPECT_NE(r.out.find(head), std::string::npos) << f.name;
    EXPECT_NE(r.out.find(std::string(f.rule)), std::string::npos) << f.name;
  }
  EXPECT_NE(r.out.find("segments-out-of-order  [SMS; handset must accept]"),
            std::string::npos);
  EXPECT_NE(r.out.find("wrong-mac  [security; handset must reject]"),
            std::string::npos);
}

TEST(CpCli, FaultsJsonHasOneObjectPerKnob) {
  CliRun r = Omaiop("cp faults --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), omaiop::sim::servers::AllFaults().size());
  for (const auto& f : j) {
    for (const char* key :
         {"name", "layer", "description", "rule", "handset_must", "expected"})
      EXPECT_FALSE(f[key].get<std::string>().empty()) << key;
  }
  EXPECT_EQ(j[0]["name"], "wrong-mac");
}

TEST(CpCli, ComposedSegmentsFeedDecodeAndVerify) {
  CliRun c = Omaiop("cp compose " + kBoot + " --sec NETWPIN --imsi " + kImsi);
  ASSERT_EQ(c.exit_code, 0) << c.out;
  EXPECT_NE(c.out.find("# faults applied: none"), std::string::npos);
  CliRun d = Omaiop("decode " + TempFile(c.out) + " --imsi " + kImsi);
  EXPECT_EQ(d.exit_code, 0) << d.out;
  EXPECT_NE(d.out.find("MAC matches"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("PROVURL"), std::string::npos);
}

TEST(CpCli, WrongMacFaultIsSeenByDecode) {
  CliRun c = Omaiop("cp compose " + kBoot + " --sec NETWPIN --imsi " + kImsi +
                    " --fault wrong-mac");
  ASSERT_EQ(c.exit_code, 0) << c.out;
  EXPECT_NE(c.out.find("# fault wrong-mac (security)"), std::string::npos);
  EXPECT_NE(c.out.find("handset must reject"), std::string::npos);
  CliRun d = Omaiop("decode " + TempFile(c.out) + " --imsi " + kImsi);
  EXPECT_EQ(d.exit_code, 1) << d.out;
  EXPECT_NE(d.out.find("MAC does NOT match"), std::string::npos) << d.out;
}

TEST(CpCli, MissingSegmentFaultNamesTheSegment) {
  CliRun c = Omaiop("cp compose " + kProxy + " --sec USERPIN --pin 1234 " +
                    "--fault missing-segment");
  ASSERT_EQ(c.exit_code, 0) << c.out;
  CliRun d = Omaiop("decode " + TempFile(c.out) + " --pin 1234");
  EXPECT_EQ(d.exit_code, 1) << d.out;
  EXPECT_NE(d.out.find("segment 2 of"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("missing"), std::string::npos) << d.out;
}

TEST(CpCli, UserPinMacPinFromComposeVerifies) {
  CliRun c = Omaiop("cp compose --json " + kBoot +
                    " --sec USERPINMAC --pin 24680 --fault "
                    "segments-out-of-order");
  ASSERT_EQ(c.exit_code, 0) << c.out;
  auto j = nlohmann::json::parse(c.out);
  std::string pin = j["user_pin"];
  ASSERT_EQ(pin.size(), 10u);
  EXPECT_EQ(pin.substr(0, 5), "24680");
  std::string segs;
  for (const auto& s : j["segments"]) segs += " " + s.get<std::string>();
  CliRun d = Omaiop("decode" + segs + " --pin " + pin);
  EXPECT_EQ(d.exit_code, 0) << d.out;
  EXPECT_NE(d.out.find("MAC matches"), std::string::npos) << d.out;
}

TEST(CpCli, JsonReportsAppliedFaultsAndTrustHeaders) {
  CliRun c =
      Omaiop("cp compose --json " + kBoot + " --sec NETWPIN --imsi " + kImsi +
             " --fault missing-mandatory-parm --fault lower-case-mac "
             "--initiator http://tps.operator.example/prov "
             "--authenticated");
  ASSERT_EQ(c.exit_code, 0) << c.out;
  auto j = nlohmann::json::parse(c.out);
  ASSERT_EQ(j["applied"].size(), 2u);
  EXPECT_EQ(j["applied"][0]["name"], "missing-mandatory-parm");
  EXPECT_EQ(j["applied"][0]["layer"], "document");
  EXPECT_NE(j["applied"][0]["detail"].get<std::string>().find("NAPID"),
            std::string::npos);
  EXPECT_EQ(j["applied"][1]["name"], "lower-case-mac");
  EXPECT_EQ(j["document_xml"].get<std::string>().find("\"NAPID\""),
            std::string::npos);
  std::string mac = j["mac"];
  EXPECT_EQ(mac.find_first_of("ABCDEF"), std::string::npos) << mac;
  // The decoder sees the initiator headers in the WSP layer.
  CliRun d =
      Omaiop("decode " + j["wsp_pdu"].get<std::string>() + " --imsi " + kImsi);
  EXPECT_EQ(d.exit_code, 0) << d.out;
  EXPECT_NE(d.out.find("http://tps.operator.example/prov"), std::string::npos)
      << d.out;
}

TEST(CpCli, UnknownFaultExitsThreeListingTheKnownOnes) {
  CliRun c = Omaiop("cp compose " + kBoot + " --fault no-such-fault");
  EXPECT_EQ(c.exit_code, 3) << c.out;
  EXPECT_NE(c.out.find("unknown fault 'no-such-fault'"), std::string::npos);
  for (const auto& f : omaiop::sim::servers::AllFaults())
    EXPECT_NE(c.out.find(std::string(f.name)), std::string::npos) << f.name;
}

TEST(CpCli, InapplicableFaultOrMissingKeysExitThree) {
  CliRun c = Omaiop("cp compose " + kBoot +
                    " --sec USERPIN --pin 1234 --fault ascii-imsi-key");
  EXPECT_EQ(c.exit_code, 3) << c.out;
  EXPECT_NE(c.out.find("does not apply"), std::string::npos) << c.out;
  CliRun k = Omaiop("cp compose " + kBoot + " --sec NETWPIN");
  EXPECT_EQ(k.exit_code, 3) << k.out;
  EXPECT_NE(k.out.find("needs --imsi"), std::string::npos);
  CliRun m = Omaiop("cp compose /nonexistent.xml");
  EXPECT_EQ(m.exit_code, 3) << m.out;
}

}  // namespace
