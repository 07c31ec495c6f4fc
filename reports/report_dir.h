// Everything a finished campaign leaves on disk, in one call for the runner
// (`omaiop run`) and `omaiop report render`:
//   DIR/index.html      self-contained HTML report
//   DIR/junit.xml       JUnit XML, validated against reports/schema/junit.xsd
//   DIR/results.json    the campaign (schema omaiop-results/1), re-read to
//                       check it round-trips
//   DIR/traces/<ID>.pcap  per case with packet-shaped trace entries
#pragma once

#include <string>
#include <vector>

#include "codec/result.h"
#include "reports/campaign.h"
#include "reports/html_report.h"

namespace omaiop::reports {

struct ReportOptions {
  bool write_results_json = true;
  bool write_pcaps = true;
  HtmlOptions html;
};

struct ReportFiles {
  std::string html, junit, results_json;  // "" when not written
  std::vector<std::string> pcaps;
};

codec::Result<ReportFiles> WriteReportDirectory(const Campaign& c,
                                                const std::string& dir,
                                                const ReportOptions& o = {});

}  // namespace omaiop::reports
