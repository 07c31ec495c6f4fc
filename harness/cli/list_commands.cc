// `omaiop list`: the campaign a `run` would execute, with each case's
// requirements and whether it applies to the IUT (and why not).
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "harness/cli/campaign_options.h"
#include "harness/cli/commands.h"
#include "harness/cli/render.h"
#include "harness/script/iut.h"
#include "harness/script/selection.h"

namespace omaiop::cli {

namespace {

namespace fs = std::filesystem;
namespace hs = harness::script;
using nlohmann::json;

struct ListArgs {
  CampaignArgs campaign;
  bool json = false;
};

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

int RunList(const ListArgs& a) {
  auto fail = [](const codec::Diagnostic& d) {
    std::cerr << "omaiop list: " << d.ToString() << "\n";
    return kExitToolFailure;
  };
  auto campaign = SelectCampaign(a.campaign);
  if (!campaign.ok()) return fail(campaign.error());
  const hs::Iut& iut = campaign->iut;
  const auto& suite = campaign->suite;
  const auto& selected = campaign->selected;
  const auto& shard = campaign->shard;
  const std::size_t before_shard = campaign->before_shard;
  const std::string dir =
      a.campaign.testcases.empty() ? DefaultSuiteDir() : a.campaign.testcases;

  std::size_t applicable = 0;
  json cases = json::array();
  std::string text;
  for (const auto* tc : selected) {
    const auto app = hs::Applicability(*tc, iut);
    applicable += app.applies;
    if (a.json) {
      json refs = json::array();
      for (const auto& r : tc->header.spec_refs)
        refs.push_back({{"document", r.document}, {"section", r.section}});
      cases.push_back({{"id", tc->id},
                       {"title", tc->header.title},
                       {"file", tc->source_file},
                       {"role", hs::RoleName(tc->header.role)},
                       {"requirements", tc->header.requirements},
                       {"spec_refs", refs},
                       {"scr", tc->header.scr},
                       {"tags", tc->header.tags},
                       {"steps", tc->steps.size()},
                       {"data_rows", tc->data ? tc->data->table.rows.size()
                                              : std::size_t{0}},
                       {"applicability",
                        {{"expression", tc->header.applicability_text},
                         {"applies", app.applies},
                         {"reason", app.reason}}}});
      continue;
    }
    text += tc->id + "  [" + std::string(hs::RoleName(tc->header.role)) +
            "]  " + (app.applies ? "applies" : "n/a") + "  " +
            tc->header.title + "\n";
    text += "    requirements: " + Join(tc->header.requirements);
    if (!tc->header.tags.empty()) text += "; tags: " + Join(tc->header.tags);
    text += "\n    file: " + tc->source_file + "\n";
    text += std::string("    ") +
            (app.applies ? "applies: " : "not applicable (verdict none): ") +
            app.reason + "\n";
  }
  if (a.json) {
    json errors = json::array();
    for (const auto& e : suite.errors) errors.push_back(ToJson(e));
    json out = {{"suite", dir},
                {"iut",
                 {{"name", iut.name},
                  {"adapter", hs::AdapterName(iut.adapter)},
                  {"file", iut.source_file}}},
                {"selected", before_shard},
                {"listed", selected.size()},
                {"applicable", applicable},
                {"cases", cases},
                {"errors", errors}};
    if (shard)
      out["shard"] = {{"index", shard->index}, {"total", shard->total}};
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << text;
    std::cout << "# " << selected.size() << " case(s) listed";
    if (shard)
      std::cout << " (shard " << shard->index << " of " << shard->total
                << ", from " << before_shard << " selected)";
    std::cout << ", " << applicable << " applicable to " << iut.name << " ("
              << hs::AdapterName(iut.adapter) << ")\n";
    for (const auto& e : suite.errors)
      std::cerr << "omaiop list: " << e.ToString() << "\n";
  }
  return suite.errors.empty() ? kExitOk : kExitToolFailure;
}

}  // namespace

void RegisterListCommands(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<ListArgs>();
  auto* list = app.add_subcommand(
      "list",
      "List the test cases a campaign selects, with their requirements and "
      "whether each applies to the IUT (and why not)");
  AddCampaignOptions(*list, args->campaign);
  list->add_flag("--json", args->json, "print JSON");
  list->footer(
      "Exit status: 0 listed; 3 a test case or the IUT file does not load "
      "(the others are still listed), or bad arguments.");
  list->callback([&ctx, args] { ctx.exit_code = RunList(*args); });
}

}  // namespace omaiop::cli
