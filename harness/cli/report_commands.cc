// `omaiop report render` (results.json -> HTML report, JUnit XML, per-case
// pcaps) and `omaiop report merge` (several results.json -> the
// interoperability matrix, cases x IUTs, as HTML and JSON).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "harness/cli/commands.h"
#include "reports/campaign.h"
#include "reports/matrix.h"
#include "reports/report_dir.h"

namespace omaiop::cli {
namespace {

namespace fs = std::filesystem;

int Render(const std::string& input, const std::string& out_dir) {
  auto campaign = reports::ReadCampaignJson(input);
  if (!campaign.ok()) {
    std::cerr << "omaiop report render: " << campaign.error().ToString()
              << "\n";
    return kExitToolFailure;
  }
  reports::ReportOptions o;
  o.write_results_json = false;  // the input is the results
  auto files = reports::WriteReportDirectory(*campaign, out_dir, o);
  if (!files.ok()) {
    std::cerr << "omaiop report render: " << files.error().ToString() << "\n";
    return kExitToolFailure;
  }
  const reports::VerdictCounts n = campaign->Counts();
  std::cout << "report: " << files->html << "\njunit: " << files->junit
            << " (valid against reports/schema/junit.xsd)\n";
  for (const std::string& p : files->pcaps) std::cout << "pcap: " << p << "\n";
  std::cout << campaign->cases.size() << " cases:";
  for (reports::Verdict v : reports::kAllVerdicts)
    std::cout << " " << reports::VerdictName(v) << " " << reports::Count(n, v);
  std::cout << "\n";
  return kExitOk;
}

int Merge(const std::vector<std::string>& inputs, const std::string& out_dir) {
  std::vector<reports::NamedCampaign> all;
  for (const std::string& in : inputs) {
    auto c = reports::ReadCampaignJson(in);
    if (!c.ok()) {
      std::cerr << "omaiop report merge: " << c.error().ToString() << "\n";
      return kExitToolFailure;
    }
    all.push_back({in, std::move(*c)});
  }
  const reports::Matrix m = reports::BuildMatrix(all);
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  const fs::path html = fs::path(out_dir) / "matrix.html";
  const fs::path json = fs::path(out_dir) / "matrix.json";
  std::ofstream(html, std::ios::binary) << reports::RenderMatrixHtml(m);
  std::ofstream(json, std::ios::binary)
      << reports::MatrixToJson(m).dump(2, ' ', false,
                                       nlohmann::json::error_handler_t::replace)
      << "\n";
  if (ec || !fs::exists(html) || !fs::exists(json)) {
    std::cerr << "omaiop report merge: cannot write to " << out_dir << "\n";
    return kExitToolFailure;
  }
  for (const std::string& note : m.notes) std::cerr << "note: " << note << "\n";
  std::cout << "matrix: " << html.string() << "\nmatrix: " << json.string()
            << "\n"
            << m.rows.size() << " cases x " << m.columns.size() << " IUTs\n";
  return kExitOk;
}

}  // namespace

void RegisterReportCommands(CLI::App& app, CommandContext& ctx) {
  auto* report = app.add_subcommand(
      "report", "Reports over finished campaigns (results.json)");
  report->require_subcommand(1);

  struct RenderArgs {
    std::string input;
    std::string out = "omaiop-report";
  };
  auto render_args = std::make_shared<RenderArgs>();
  auto* render = report->add_subcommand(
      "render",
      "Render results.json as DIR/index.html, DIR/junit.xml (validated "
      "against the JUnit schema) and DIR/traces/<case>.pcap");
  render->add_option("results", render_args->input, "results.json")
      ->required()
      ->check(CLI::ExistingFile);
  render->add_option("-o,--output", render_args->out, "output directory")
      ->capture_default_str();
  render->callback([&ctx, render_args] {
    ctx.exit_code = Render(render_args->input, render_args->out);
  });

  struct MergeArgs {
    std::vector<std::string> inputs;
    std::string out = "omaiop-matrix";
  };
  auto merge_args = std::make_shared<MergeArgs>();
  auto* merge = report->add_subcommand(
      "merge",
      "Merge results.json files of several IUTs into the interoperability "
      "matrix DIR/matrix.html and DIR/matrix.json");
  merge->add_option("results", merge_args->inputs, "results.json files")
      ->required()
      ->check(CLI::ExistingFile);
  merge->add_option("-o,--output", merge_args->out, "output directory")
      ->capture_default_str();
  merge->callback([&ctx, merge_args] {
    ctx.exit_code = Merge(merge_args->inputs, merge_args->out);
  });
}

}  // namespace omaiop::cli
