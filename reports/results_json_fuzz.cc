// libFuzzer target for results.json, which `omaiop report merge` reads from
// other parties. Besides "never crash": whatever the reader accepts must
// re-serialise to text that reads back identically, and must render to JUnit
// XML that validates against the compiled-in schema, to HTML, and to pcaps.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "reports/campaign.h"
#include "reports/case_pcap.h"
#include "reports/html_report.h"
#include "reports/junit.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  using namespace omaiop::reports;
  auto c = ParseCampaignJson(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!c.ok()) return 0;
  const std::string text = ToJsonText(*c);
  auto again = ParseCampaignJson(text);
  if (!again.ok() || ToJsonText(*again) != text) __builtin_trap();
  if (!ValidateAgainstXsd(ToJunitXml(*c), JunitXsd()).ok()) __builtin_trap();
  (void)RenderHtmlReport(*c);
  for (const CaseResult& cr : c->cases) (void)BuildCaseCapture(cr);
  return 0;
}
