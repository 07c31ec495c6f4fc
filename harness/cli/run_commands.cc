// `omaiop run`: execute a campaign (selected test cases) against the IUT and
// write the report directory {index.html, junit.xml, results.json, traces/}.
// Without arguments: the whole suite against the simulated peers, report in
// ./omaiop-report/.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "harness/cli/campaign_options.h"
#include "harness/cli/commands.h"
#include "harness/runner/runner.h"
#include "harness/script/iut.h"
#include "harness/script/selection.h"
#include "omaiop/version.h"
#include "reports/report_dir.h"
#include "sim/handset/dm/client_defects.h"
#include "sim/servers/dm_faults.h"
#include "sim/servers/faults.h"

namespace omaiop::cli {

namespace {

namespace fs = std::filesystem;
namespace hs = harness::script;

struct RunArgs {
  CampaignArgs campaign;
  std::size_t jobs = 1;
  std::string out = "omaiop-report";
  std::vector<std::string> faults;
  bool no_progress = false;
};

int RunRun(const RunArgs& a) {
  auto fail = [](const std::string& what) {
    std::cerr << "omaiop run: " << what << "\n";
    return kExitToolFailure;
  };
  auto campaign = SelectCampaign(a.campaign);
  if (!campaign.ok()) return fail(campaign.error().ToString());
  harness::RunOptions ro;
  ro.iut = campaign->iut;
  for (const auto& f : a.faults)
    if (!sim::servers::FaultByName(f) && !sim::servers::DmFaultByName(f) &&
        !sim::handset::dm::DmClientDefectByName(f))
      return fail("unknown fault '" + f +
                  "' (see `omaiop cp faults`, `omaiop dm faults`; role "
                  "dm_server cases: `omaiop dm client-defects`)");
  // Faults go into what omaiop's own peers send: the simulated peers, or
  // the command adapter (omaiop is the push server of a handset IUT).
  if (!a.faults.empty() && ro.iut.adapter != hs::AdapterKind::kSimulated &&
      ro.iut.adapter != hs::AdapterKind::kCommand)
    return fail("--fault needs the simulated or the command adapter");
  ro.faults = a.faults;
  ro.jobs = a.jobs == 0 ? 1 : a.jobs;

  const auto& suite = campaign->suite;
  for (const auto& e : suite.errors)
    std::cerr << "omaiop run: not loaded: " << e.ToString() << "\n";
  const auto& selected = campaign->selected;

  const bool tty = !a.no_progress && isatty(STDERR_FILENO);
  ro.on_case_done = [tty](const reports::CaseResult& r, std::size_t done,
                          std::size_t total) {
    const std::string v(reports::VerdictName(r.verdict));
    if (tty) {
      constexpr std::size_t kWidth = 30;
      const std::size_t fill = total ? done * kWidth / total : kWidth;
      std::fprintf(stderr, "\r\033[K[%s%s] %zu/%zu %-6s %s",
                   std::string(fill, '#').c_str(),
                   std::string(kWidth - fill, '.').c_str(), done, total,
                   v.c_str(), r.id.c_str());
      if (done == total) std::fputc('\n', stderr);
      std::fflush(stderr);
    } else {
      std::cout << "[" << done << "/" << total << "] " << v << "  " << r.id
                << (r.verdict == reports::Verdict::kPass ? "" : "  " + r.reason)
                << "\n"
                << std::flush;
    }
  };
  reports::Campaign c = harness::RunCampaign(selected, ro);
  c.version = kVersion;
  auto files = reports::WriteReportDirectory(c, a.out);
  if (!files.ok()) return fail("report: " + files.error().ToString());

  const auto n = c.Counts();
  if (tty)
    for (const auto& r : c.cases)
      if (r.verdict > reports::Verdict::kPass)
        std::cout << reports::VerdictName(r.verdict) << "  " << r.id << "  "
                  << r.reason << "\n";
  std::cout << c.cases.size() << " case(s) against " << c.iut.name << " ("
            << c.iut.adapter << ")";
  if (!a.faults.empty()) {
    std::cout << " with fault(s)";
    for (const auto& f : a.faults) std::cout << " " << f;
  }
  std::cout << ": ";
  bool first = true;
  for (auto v : reports::kAllVerdicts) {
    std::cout << (first ? "" : ", ") << reports::Count(n, v) << " "
              << reports::VerdictName(v);
    first = false;
  }
  std::cout << "\nreport: " << files->html << "\n";
  if (!suite.errors.empty()) return kExitToolFailure;
  return harness::ExitCodeFor(c);
}

}  // namespace

void RegisterRunCommands(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<RunArgs>();
  auto* run = app.add_subcommand(
      "run",
      "Run a test campaign against the IUT (default: the whole suite against "
      "the simulated peers) and write an HTML/JUnit/JSON/pcap report");
  AddCampaignOptions(*run, args->campaign);
  run->add_option("-j,--jobs", args->jobs, "cases run in parallel")
      ->check(CLI::Range(1, 256));
  run->add_option("-o,--output", args->out,
                  "report directory (default ./omaiop-report)");
  run->add_option("--fault", args->faults,
                  "inject this fault (`omaiop cp faults`) into every push "
                  "omaiop composes (simulated or command adapter), to prove "
                  "the cases fail (repeatable)");
  run->add_flag("--no-progress", args->no_progress,
                "plain lines even on a terminal");
  run->footer(
      "Exit status: 0 every case passed (or was not applicable); 1 some case "
      "failed; 2 inconclusive or error verdicts but no fail; 3 the tool "
      "failed (bad arguments, a test case that does not load, report not "
      "written).");
  run->callback([&ctx, args] { ctx.exit_code = RunRun(*args); });
}

}  // namespace omaiop::cli
