#include "reports/report_dir.h"

#include <filesystem>
#include <fstream>
#include <set>

#include "reports/case_pcap.h"
#include "reports/junit.h"
#include "reports/text.h"

namespace omaiop::reports {
namespace {

namespace fs = std::filesystem;

codec::Status WriteText(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    return codec::Error("cannot write " + p.string(),
                        codec::Diagnostic::kNoOffset, "I/O");
  return codec::OkStatus();
}

}  // namespace

codec::Result<ReportFiles> WriteReportDirectory(const Campaign& c,
                                                const std::string& dir,
                                                const ReportOptions& o) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return codec::Error("cannot create " + dir + ": " + ec.message(),
                        codec::Diagnostic::kNoOffset, "I/O");
  ReportFiles files;
  const fs::path root(dir);

  const std::string junit = ToJunitXml(c);
  // What CI reads must be valid: a failure here is a bug in omaiop.
  auto valid = ValidateAgainstXsd(junit, JunitXsd());
  if (!valid.ok()) {
    codec::Diagnostic d = valid.error();
    d.what = "junit.xml: " + d.what;
    return d;
  }
  files.junit = (root / "junit.xml").string();
  OMAIOP_RETURN_IF_ERROR(WriteText(files.junit, junit));

  files.html = (root / "index.html").string();
  OMAIOP_RETURN_IF_ERROR(WriteText(files.html, RenderHtmlReport(c, o.html)));

  if (o.write_results_json) {
    files.results_json = (root / "results.json").string();
    OMAIOP_RETURN_IF_ERROR(WriteCampaignJson(files.results_json, c));
    auto back = ReadCampaignJson(files.results_json);
    if (!back.ok()) return back.error();
  }

  if (o.write_pcaps) {
    std::set<std::string> used;
    for (const CaseResult& cr : c.cases) {
      OMAIOP_ASSIGN_OR_RETURN(CaseCapture cap, BuildCaseCapture(cr));
      if (cap.packets.empty()) continue;
      std::string name = internal::SafeFileName(cr.id);
      for (int n = 2; used.count(name); ++n)
        name = internal::SafeFileName(cr.id) + "-" + std::to_string(n);
      used.insert(name);
      fs::create_directories(root / "traces", ec);
      const std::string path = (root / "traces" / (name + ".pcap")).string();
      OMAIOP_RETURN_IF_ERROR(WritePcapRecords(path, kLinkTypeRaw, cap.packets));
      files.pcaps.push_back(path);
    }
  }
  return files;
}

}  // namespace omaiop::reports
