#include "reports/html_report.h"

#include <gtest/gtest.h>
#include <libxml/HTMLparser.h>

#include <regex>

#include "reports/testing/sample_campaign.h"

namespace omaiop::reports {
namespace {

using testing::SampleCampaign;

std::size_t Occurrences(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = hay.find(needle); at != std::string::npos;
       at = hay.find(needle, at + 1))
    ++n;
  return n;
}

TEST(HtmlReport, HostileStringsStayText) {
  const std::string html = RenderHtmlReport(SampleCampaign());
  // Exactly one script element (ours) and no injected element or handler.
  EXPECT_EQ(Occurrences(html, "<script"), 1u);
  EXPECT_EQ(Occurrences(html, "</script>"), 1u);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("onerror=\""), std::string::npos);
  EXPECT_NE(html.find("&lt;/script&gt;&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;quoted&#39; &amp; &#39;single&quot;"),
            std::string::npos);
  // Invalid UTF-8 and control characters are replaced, not passed on.
  EXPECT_EQ(html.find('\xFF'), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_NE(html.find("bad \xEF\xBF\xBD\xEF\xBF\xBD utf8"), std::string::npos);
}

TEST(HtmlReport, NothingLoadsFromOutside) {
  const std::string html = RenderHtmlReport(SampleCampaign());
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"),
            std::string::npos);
  EXPECT_EQ(html.find("src=\""), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url(http"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
}

TEST(HtmlReport, CountsHaveStableHooks) {
  const std::string html = RenderHtmlReport(SampleCampaign());
  for (const char* v : {"none", "pass", "inconc", "fail", "error"}) {
    EXPECT_NE(html.find(std::string("id=\"count-") + v + "\" data-verdict=\"" +
                        v + "\" data-count=\"1\""),
              std::string::npos)
        << v;
    EXPECT_EQ(Occurrences(html, std::string("<article class=\"case "
                                            "filterable\"")),
              5u);
  }
  EXPECT_NE(html.find("id=\"count-total\" data-count=\"5\""),
            std::string::npos);
  EXPECT_NE(html.find("id=\"overall-verdict\" data-verdict=\"error\""),
            std::string::npos);
}

TEST(HtmlReport, OffendingBytesAreMarked) {
  const std::string html = RenderHtmlReport(SampleCampaign());
  // The push's WBXML header (offsets 4..7: 03 0B 6A 00) in one mark, with
  // the reason as its title; the VERIFY's SW 63C2 in the APDU table.
  std::regex mark(
      "<mark title=\"WBXML header &lt;img src=x onerror=&quot;"
      "alert\\(1\\)&quot;&gt;\">03 0B 6A 00</mark>");
  EXPECT_TRUE(std::regex_search(html, mark));
  EXPECT_NE(html.find("<mark title=\"wrong PIN: 2 tries left\">63</mark>"
                      "<mark title=\"wrong PIN: 2 tries left\">C2</mark>"),
            std::string::npos);
  EXPECT_NE(html.find("bytes 4\u20138 (4 octets)"), std::string::npos);
}

TEST(HtmlReport, SequenceChartHasLifelinesArrowsAndNotes) {
  Campaign c = SampleCampaign();
  const std::string html = RenderHtmlReport(c);
  const std::size_t start = html.find("id=\"case-1\"");
  const std::size_t end = html.find("id=\"case-2\"");
  const std::string case1 = html.substr(start, end - start);
  // smsc, server, handset, uicc lifelines; 4 SMPP PDUs, the push and 2
  // APDUs; 1 decision note.
  EXPECT_EQ(Occurrences(case1, "<rect class=\"head\""), 4u);
  EXPECT_EQ(Occurrences(case1, "<line class=\"msg"), 7u);
  EXPECT_EQ(Occurrences(case1, "<rect class=\"note"), 1u);
  EXPECT_NE(case1.find("OMA-WAP-ProvBoot §5.3"), std::string::npos);
}

TEST(HtmlReport, ParsesAsHtmlWithoutErrors) {
  const std::string html = RenderHtmlReport(SampleCampaign());
  htmlDocPtr doc = htmlReadMemory(
      html.data(), static_cast<int>(html.size()), "report.html", "UTF-8",
      HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
  ASSERT_NE(doc, nullptr);
  xmlFreeDoc(doc);
}

TEST(HtmlReport, LongTraceIsCapped) {
  Campaign c = SampleCampaign();
  HtmlOptions o;
  o.max_chart_entries = 2;
  o.max_dump_bytes = 16;
  const std::string html = RenderHtmlReport(c, o);
  // Case 1 has 8 entries: 2 charted, 6 left to the table.
  EXPECT_NE(html.find("6 further entries are in the trace table"),
            std::string::npos);
  EXPECT_NE(html.find("more bytes"), std::string::npos);
}

}  // namespace
}  // namespace omaiop::reports
