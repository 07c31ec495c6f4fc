// Runs the built `omaiop` binary as a user would and checks output and the
// exit-code contract (0 ok, 1 finding, 3 tool failure).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/cli/cli_test_util.h"

namespace {

using omaiop::cli::testing::CliRun;
using omaiop::cli::testing::Omaiop;
using omaiop::cli::testing::Src;

const std::string kCapture =
    Src("fixtures/captures/cp_access_rule_netwpin_2seg.hex");

TEST(Cli, VersionAndHelpTellTheTruth) {
  CliRun v = Omaiop("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("omaiop ", 0), 0u) << v.out;
  CliRun h = Omaiop("--help");
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("decode"), std::string::npos);
  EXPECT_NE(h.out.find("encode"), std::string::npos);
  CliRun d = Omaiop("decode --help");
  EXPECT_NE(d.out.find("--imsi"), std::string::npos);
  EXPECT_NE(d.out.find("Exit status"), std::string::npos);
}

TEST(Cli, DecodeTwoSegmentPushWithRightImsiSaysMacMatches) {
  CliRun r = Omaiop("decode " + kCapture + " --imsi 262011234567890");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("SEC method NETWPIN"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MAC matches"), std::string::npos);
  for (const char* layer : {"SMS user data, input 1 of 2", "WDP datagram",
                            "WSP Push", "WBXML", "<wap-provisioningdoc"})
    EXPECT_NE(r.out.find(layer), std::string::npos) << layer;
}

TEST(Cli, DecodeWithWrongImsiSaysMacDoesNotMatchAndExitsOne) {
  CliRun r = Omaiop("decode " + kCapture + " --imsi 262011234567899");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("MAC does NOT match"), std::string::npos) << r.out;
}

TEST(Cli, DecodeJsonCarriesLayersAndSecurity) {
  CliRun r = Omaiop("decode --json " + kCapture + " --imsi 262011234567890");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "sms");
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["security"]["method"], "NETWPIN");
  EXPECT_EQ(j["security"]["mac_ok"], true);
  EXPECT_EQ(j["security"]["mac"].get<std::string>().size(), 40u);
  EXPECT_GE(j["layers"].size(), 5u);
  EXPECT_TRUE(j["errors"].empty());
}

TEST(Cli, DecodeAcceptsHexArgumentsOnePerSegment) {
  std::ifstream in(kCapture);
  std::string line, args;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') args += " " + line;
  CliRun r = Omaiop("decode" + args + " --imsi 262011234567890");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("MAC matches"), std::string::npos);
}

TEST(Cli, MalformedInputExitsOneWithOffsetAndRule) {
  CliRun r = Omaiop("decode --as wsp 01068180");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("ERROR: offset 2 (0x2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("WSP"), std::string::npos);
}

TEST(Cli, UnreadableInputIsAToolFailure) {
  CliRun r = Omaiop("decode /nonexistent/file.hex");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("neither a readable file nor hex"), std::string::npos);
  CliRun u = Omaiop("decode --no-such-flag 00");
  EXPECT_EQ(u.exit_code, 3) << u.out;
}

TEST(Cli, EncodeNeedsKeyMaterialForTheMethod) {
  CliRun r = Omaiop("encode cp " + Src("fixtures/cp/bootstrap.xml") +
                    " --sec NETWPIN");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("needs --imsi"), std::string::npos) << r.out;
}

TEST(Cli, EncodeThenDecodeRoundTripsEveryMethod) {
  struct Case {
    const char* sec;
    const char* enc_keys;
    const char* dec_keys;
  } cases[] = {
      {"NETWPIN", "--imsi 310150123456789", "--imsi 310150123456789"},
      {"USERPIN", "--pin 2468", "--pin 2468"},
      {"USERNETWPIN", "--imsi 310150123456789 --pin 2468",
       "--imsi 310150123456789 --pin 2468"},
  };
  for (const auto& c : cases) {
    CliRun e = Omaiop("encode cp --json " + Src("fixtures/cp/bootstrap.xml") +
                      " --segments --sec " + c.sec + " " + c.enc_keys);
    ASSERT_EQ(e.exit_code, 0) << e.out;
    auto j = nlohmann::json::parse(e.out);
    std::string segs;
    for (const auto& s : j["segments"]) segs += " " + s.get<std::string>();
    CliRun d = Omaiop("decode" + segs + " " + c.dec_keys);
    EXPECT_EQ(d.exit_code, 0) << c.sec << "\n" << d.out;
    EXPECT_NE(d.out.find(std::string("SEC method ") + c.sec),
              std::string::npos);
  }
}

TEST(Cli, EncodeUserPinMacHandsOutAPinThatVerifies) {
  CliRun e = Omaiop("encode cp --json " + Src("fixtures/cp/bootstrap.xml") +
                    " --sec USERPINMAC --pin 97531");
  ASSERT_EQ(e.exit_code, 0) << e.out;
  auto j = nlohmann::json::parse(e.out);
  std::string pin = j["user_pin"];
  ASSERT_EQ(pin.size(), 10u);
  EXPECT_EQ(pin.substr(0, 5), "97531");
  CliRun d = Omaiop("decode " + j["push"].get<std::string>() + " --pin " + pin);
  EXPECT_EQ(d.exit_code, 0) << d.out;
  CliRun bad =
      Omaiop("decode " + j["push"].get<std::string>() + " --pin 9753100000");
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
}

}  // namespace

namespace {

TEST(Cli, EncodeDmBootstrapPushDecodesAsSyncMlWithMac) {
  CliRun e =
      Omaiop("encode dm --json " + Src("fixtures/dm/pkg2_server_cmds.xml") +
             " --sec NETWPIN --imsi 262011234567890 --segments");
  ASSERT_EQ(e.exit_code, 0) << e.out;
  auto j = nlohmann::json::parse(e.out);
  std::string segs;
  for (const auto& s : j["segments"]) segs += " " + s.get<std::string>();
  CliRun d = Omaiop("decode --json" + segs + " --imsi 262011234567890");
  ASSERT_EQ(d.exit_code, 0) << d.out;
  auto dj = nlohmann::json::parse(d.out);
  EXPECT_EQ(dj["content_type"], "application/vnd.syncml.dm+wbxml");
  EXPECT_EQ(dj["security"]["mac_ok"], true);
  bool syncml_layer = false;
  for (const auto& l : dj["layers"])
    syncml_layer |= l["name"].get<std::string>().rfind("SyncML", 0) == 0;
  EXPECT_TRUE(syncml_layer) << d.out;
}

TEST(Cli, EncodeDmRefusesADocumentThatIsNotSyncMl) {
  CliRun r = Omaiop("encode dm " + Src("fixtures/cp/bootstrap.xml"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("expected <SyncML>"), std::string::npos) << r.out;
}

}  // namespace
