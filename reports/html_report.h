// The campaign as ONE self-contained HTML file: no network, inline CSS, JS
// and SVG only, locked down by a Content-Security-Policy that admits just
// this file's own style and script (by SHA-256). Every text from the
// campaign is escaped (internal::HtmlEscape), so hostile IUT output stays
// text.
//
// Stable hooks for tools and tests:
//   #count-none #count-pass #count-inconc #count-fail #count-error
//   #count-total   each with data-verdict and data-count
//   #overall-verdict (data-verdict)
//   article.case[data-verdict][data-case-id]   one per case
//   table#requirements-table tr[data-requirement][data-verdict]
//   body[data-selfcheck]  set by the inline script to "ok" after it checked
//                         the summary against the case articles (else a
//                         console.error names the mismatch)
#pragma once

#include <cstddef>
#include <string>

#include "reports/campaign.h"

namespace omaiop::reports {

struct HtmlOptions {
  std::string title = "omaiop report";
  // Sequence chart rows per case; more entries stay in the trace table.
  std::size_t max_chart_entries = 400;
  // Bytes shown per hex dump; the rest is summarised.
  std::size_t max_dump_bytes = 16384;
};

std::string RenderHtmlReport(const Campaign& c, const HtmlOptions& o = {});

}  // namespace omaiop::reports
