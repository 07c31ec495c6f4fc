// End-to-end: a synthetic campaign (every verdict, an APDU trace, offending
// bytes, hostile strings) written as results.json, rendered by the real
// `omaiop report render`, and opened in headless Chromium (Debian package
// `chromium`). Chromium logs every console message (console.*, uncaught
// exceptions, CSP violations) to stderr as ":CONSOLE" lines; the report logs
// nothing when all is well, so any such line fails. --dump-dom gives the DOM
// after the report's script ran: its counts must equal results.json's, read
// here with nlohmann directly (not through our model).
#include <gtest/gtest.h>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "codec/xml.h"
#include "reports/campaign.h"
#include "reports/testing/sample_campaign.h"
#include "tests/e2e/e2e_tools.h"
#include "tests/test_util.h"

namespace omaiop {
namespace {

namespace fs = std::filesystem;

using e2e::Browsed;
using e2e::XPathAttr;

class HtmlReportChromiumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = omaiop::testing::FindOnPath("chromium");
    ASSERT_FALSE(chromium_.empty())
        << "chromium not found: run scripts/setup (apt-get install chromium)";
    dir_ = fs::temp_directory_path() /
           ("omaiop_html_e2e_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!std::getenv("OMAIOP_KEEP_REPORT")) fs::remove_all(dir_);
  }

  Browsed Open(const fs::path& html) {
    return e2e::OpenInChromium(chromium_, html, dir_);
  }

  std::string Render(const reports::Campaign& c, int* rc) {
    const fs::path json = dir_ / "results.json";
    EXPECT_TRUE(reports::WriteCampaignJson(json.string(), c).ok());
    return omaiop::testing::RunCommand(
        std::string(OMAIOP_BINARY) + " report render '" + json.string() +
            "' -o '" + (dir_ / "report").string() + "'",
        rc, true);
  }

  std::string chromium_;
  fs::path dir_;
};

TEST_F(HtmlReportChromiumTest, OpensWithoutConsoleErrorsAndCountsMatchJson) {
  int rc = -1;
  const std::string out = Render(reports::testing::SampleCampaign(), &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("valid against"), std::string::npos) << out;
  ASSERT_TRUE(fs::exists(dir_ / "report" / "junit.xml"));
  EXPECT_TRUE(fs::exists(dir_ / "report" / "traces" / "CP-BOOT-SEC-001.pcap"));

  Browsed b = Open(dir_ / "report" / "index.html");
  ASSERT_EQ(b.exit_code, 0) << "chromium failed";
  for (const std::string& line : b.console) ADD_FAILURE() << line;
  EXPECT_NE(b.dom.find("data-selfcheck=\"ok\""), std::string::npos)
      << "the report's script did not run to its end";

  const nlohmann::json results = nlohmann::json::parse(
      omaiop::testing::ReadFileText(dir_ / "results.json"));
  htmlDocPtr doc = htmlReadMemory(
      b.dom.data(), static_cast<int>(b.dom.size()), "dom.html", "UTF-8",
      HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  ASSERT_NE(doc, nullptr);
  for (const char* v : {"none", "pass", "inconc", "fail", "error"}) {
    const auto shown =
        XPathAttr(doc, std::string("//*[@id='count-") + v + "']", "data-count");
    ASSERT_EQ(shown.size(), 1u) << v;
    EXPECT_EQ(shown[0], std::to_string(results["counts"][v].get<int>())) << v;
    int in_json = 0;
    for (const auto& c : results["cases"]) in_json += c["verdict"] == v;
    EXPECT_EQ(
        XPathAttr(doc, std::string("//article[@data-verdict='") + v + "']",
                  "id")
            .size(),
        static_cast<std::size_t>(in_json))
        << v;
  }
  EXPECT_EQ(XPathAttr(doc, "//*[@id='count-total']", "data-count").at(0),
            std::to_string(results["counts"]["total"].get<int>()));
  // Hostile strings did not become elements.
  EXPECT_EQ(XPathAttr(doc, "//script", "src").size(), 1u);
  EXPECT_TRUE(XPathAttr(doc, "//img", "src").empty());
  EXPECT_TRUE(XPathAttr(doc, "//*[@onerror]", "onerror").empty());
  // The offending bytes are marked in the rendered page.
  EXPECT_GE(XPathAttr(doc, "//pre[@class='hex']//mark", "title").size(), 2u);
  xmlFreeDoc(doc);
}

// The checks above can fail: a report whose summary lies, or with an
// injected script, produces console lines.
TEST_F(HtmlReportChromiumTest, TamperedReportIsCaught) {
  int rc = -1;
  ASSERT_EQ((Render(reports::testing::SampleCampaign(), &rc), rc), 0);
  std::string html =
      omaiop::testing::ReadFileText(dir_ / "report" / "index.html");
  const std::string good =
      "id=\"count-pass\" data-verdict=\"pass\" "
      "data-count=\"1\"";
  const std::size_t at = html.find(good);
  ASSERT_NE(at, std::string::npos);
  html.replace(at, good.size(),
               "id=\"count-pass\" data-verdict=\"pass\" data-count=\"2\"");
  html.insert(html.find("</body>"), "<script>window.x=1</script>");
  std::ofstream(dir_ / "tampered.html") << html;
  Browsed b = Open(dir_ / "tampered.html");
  ASSERT_EQ(b.exit_code, 0);
  std::string all;
  for (const std::string& line : b.console) all += line + "\n";
  EXPECT_NE(all.find("summary says 2 pass but 1 cases have it"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("Content Security Policy"), std::string::npos) << all;
  EXPECT_NE(b.dom.find("data-selfcheck=\"mismatch\""), std::string::npos);
}

TEST_F(HtmlReportChromiumTest, MatrixOpensWithoutConsoleErrors) {
  reports::Campaign a = reports::testing::SampleCampaign();
  reports::Campaign b = reports::testing::SampleCampaign();
  a.iut.name = "Vendor A </td><script>x()</script>";
  b.iut.name = "Vendor B";
  b.cases.pop_back();  // DM-BOOT-004 not run for B
  ASSERT_TRUE(reports::WriteCampaignJson((dir_ / "a.json").string(), a).ok());
  ASSERT_TRUE(reports::WriteCampaignJson((dir_ / "b.json").string(), b).ok());
  int rc = -1;
  const std::string out = omaiop::testing::RunCommand(
      std::string(OMAIOP_BINARY) + " report merge '" +
          (dir_ / "a.json").string() + "' '" + (dir_ / "b.json").string() +
          "' -o '" + (dir_ / "m").string() + "'",
      &rc, true);
  ASSERT_EQ(rc, 0) << out;
  Browsed br = Open(dir_ / "m" / "matrix.html");
  for (const std::string& line : br.console) ADD_FAILURE() << line;
  htmlDocPtr doc = htmlReadMemory(
      br.dom.data(), static_cast<int>(br.dom.size()), "m.html", "UTF-8",
      HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(
      XPathAttr(doc, "//td[@data-case='DM-BOOT-004'][@data-iut='Vendor B']",
                "data-verdict")
          .at(0),
      "not_run");
  EXPECT_EQ(XPathAttr(doc,
                      "//td[@data-case='CP-BOOT-SEC-003'][@data-iut='Vendor "
                      "A </td><script>x()</script>']",
                      "data-verdict")
                .at(0),
            "fail");
  EXPECT_TRUE(XPathAttr(doc, "//script", "src").empty());
  xmlFreeDoc(doc);
}

}  // namespace
}  // namespace omaiop
