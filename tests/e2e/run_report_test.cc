// The main job end to end (issue 6 "Done when"): `omaiop run -o DIR` runs
// the whole shipped suite against the built-in simulated peers, and every
// file it writes is read by an independent tool:
//   - index.html in headless Chromium: no console message, the report's
//     self-check ran, its counts equal results.json's;
//   - junit.xml against the common JUnit schema with xmllint (libxml2-utils);
//   - results.json against reports/schema/results.schema.json with Debian's
//     python3-jsonschema;
//   - every traces/*.pcap in tshark: no malformed packet, no expert info at
//     warning level or above.
// The exit status must follow the documented contract for the verdicts in
// results.json.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/e2e/e2e_tools.h"
#include "tests/test_util.h"

namespace omaiop {
namespace {

namespace fs = std::filesystem;

class RunReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("omaiop_run_e2e_" + std::to_string(getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    out_ = new std::string(omaiop::testing::RunCommand(
        std::string(OMAIOP_BINARY) + " run -o '" + (*dir_ / "r").string() + "'",
        &exit_code_, true));
  }
  static void TearDownTestSuite() {
    if (!std::getenv("OMAIOP_KEEP_REPORT")) fs::remove_all(*dir_);
    delete dir_;
    delete out_;
  }
  static fs::path Report() { return *dir_ / "r"; }
  static nlohmann::json Results() {
    return nlohmann::json::parse(
        omaiop::testing::ReadFileText(Report() / "results.json"));
  }

  static fs::path* dir_;
  static std::string* out_;
  static int exit_code_;
};
fs::path* RunReportTest::dir_ = nullptr;
std::string* RunReportTest::out_ = nullptr;
int RunReportTest::exit_code_ = -1;

TEST_F(RunReportTest, ExitStatusFollowsTheVerdicts) {
  ASSERT_TRUE(fs::exists(Report() / "results.json")) << *out_;
  const auto counts = Results()["counts"];
  ASSERT_GT(counts["total"].get<int>(), 0);
  // omaiop run: 0 all pass or none, 1 some fail, 2 inconc or error, no fail.
  int expected = 0;
  if (counts["fail"].get<int>() > 0)
    expected = 1;
  else if (counts["inconc"].get<int>() + counts["error"].get<int>() > 0)
    expected = 2;
  EXPECT_EQ(exit_code_, expected) << *out_;
}

TEST_F(RunReportTest, HtmlOpensInChromiumWithTheCountsOfResultsJson) {
  const std::string chromium = omaiop::testing::FindOnPath("chromium");
  ASSERT_FALSE(chromium.empty())
      << "chromium not found: run scripts/setup (apt-get install chromium)";
  e2e::Browsed b =
      e2e::OpenInChromium(chromium, Report() / "index.html", *dir_);
  ASSERT_EQ(b.exit_code, 0) << "chromium failed";
  for (const std::string& line : b.console) ADD_FAILURE() << line;
  EXPECT_NE(b.dom.find("data-selfcheck=\"ok\""), std::string::npos)
      << "the report's script did not run to its end";
  const nlohmann::json results = Results();
  htmlDocPtr doc = htmlReadMemory(
      b.dom.data(), static_cast<int>(b.dom.size()), "dom.html", "UTF-8",
      HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  ASSERT_NE(doc, nullptr);
  for (const char* v : {"none", "pass", "inconc", "fail", "error"}) {
    const auto shown = e2e::XPathAttr(
        doc, std::string("//*[@id='count-") + v + "']", "data-count");
    ASSERT_EQ(shown.size(), 1u) << v;
    EXPECT_EQ(shown[0], std::to_string(results["counts"][v].get<int>())) << v;
    int in_json = 0;
    for (const auto& c : results["cases"]) in_json += c["verdict"] == v;
    EXPECT_EQ(
        e2e::XPathAttr(doc, std::string("//article[@data-verdict='") + v + "']",
                       "id")
            .size(),
        static_cast<std::size_t>(in_json))
        << v;
  }
  xmlFreeDoc(doc);
}

TEST_F(RunReportTest, JunitValidatesAgainstTheJunitSchemaWithXmllint) {
  const std::string xmllint = omaiop::testing::FindOnPath("xmllint");
  ASSERT_FALSE(xmllint.empty())
      << "xmllint not found: run scripts/setup (apt-get install "
         "libxml2-utils)";
  int rc = -1;
  const std::string out = omaiop::testing::RunCommand(
      "'" + xmllint + "' --noout --schema '" +
          omaiop::testing::SourcePath("reports/schema/junit.xsd") + "' '" +
          (Report() / "junit.xml").string() + "'",
      &rc, true);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("validates"), std::string::npos) << out;
}

TEST_F(RunReportTest, ResultsJsonValidatesAgainstItsSchema) {
  int rc = -1;
  const std::string out = omaiop::testing::RunCommand(
      "/usr/bin/python3 -c 'import json,sys,jsonschema\n"
      "s=json.load(open(sys.argv[1])); d=json.load(open(sys.argv[2]))\n"
      "jsonschema.Draft202012Validator(s).validate(d); print(\"valid\")' '" +
          omaiop::testing::SourcePath("reports/schema/results.schema.json") +
          "' '" + (Report() / "results.json").string() + "'",
      &rc, true);
  EXPECT_EQ(rc, 0) << out
                   << "\n(python3-jsonschema missing? run scripts/setup)";
  EXPECT_NE(out.find("valid"), std::string::npos) << out;
}

// The one packet shape Wireshark cannot read: a case-2 command (READ
// BINARY, READ RECORD, GET RESPONSE, GET DATA) the card refused with a bare
// status word. Its GSMTAP SIM bytes are the exchange as a SIMtrace would
// capture it (header, then SW without data: ISO 7816-3 T=0), but
// packet-gsm_sim.c (dissect_gsm_apdu, isSIMtrace) reads P3 data octets
// before the SW whatever the SW says, in 4.0 as in later versions. Such a
// packet is 16 (GSMTAP) + 5 (header) + 2 (SW) octets of UDP payload.
bool RefusedCase2Apdu(const e2e::Dissected& d) {
  auto one = [&](const char* f) {
    auto it = d.fields.find(f);
    return it == d.fields.end() || it->second.empty() ? std::string()
                                                      : it->second[0];
  };
  const std::string ins = one("gsm_sim.apdu.ins");
  return d.Has("gsm_sim") && one("udp.length") == "31" &&
         (ins == "0xb0" || ins == "0xb2" || ins == "0xc0" || ins == "0xca");
}

TEST_F(RunReportTest, TsharkReadsEveryPcapWithoutMalformedPackets) {
  std::size_t pcaps = 0, packets = 0, refused = 0;
  for (const auto& f : fs::directory_iterator(Report() / "traces")) {
    if (f.path().extension() != ".pcap") continue;
    ++pcaps;
    for (const e2e::Dissected& d : e2e::Tshark(f.path().string())) {
      ++packets;
      if (!d.problems.empty() && RefusedCase2Apdu(d)) {
        ++refused;
        continue;
      }
      for (const auto& p : d.problems)
        ADD_FAILURE() << f.path().filename() << ": " << p;
    }
  }
  RecordProperty("refused_case2_apdus", static_cast<int>(refused));
  const auto total = Results()["counts"]["total"].get<std::size_t>();
  EXPECT_GT(pcaps, 0u);
  EXPECT_LE(pcaps, total);
  EXPECT_GT(packets, pcaps);  // cases exchange more than one packet
}

}  // namespace
}  // namespace omaiop
