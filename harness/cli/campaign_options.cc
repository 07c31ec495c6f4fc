#include "harness/cli/campaign_options.h"

#include <filesystem>

namespace omaiop::cli {

namespace hs = harness::script;

void AddCampaignOptions(CLI::App& cmd, CampaignArgs& a) {
  cmd.add_option("--testcases", a.testcases,
                 "test-case directory (default ./testcases, else the "
                 "source tree's)");
  cmd.add_option("--iut", a.iut,
                 "IUT description (PICS/PIXIT, adapter); default: the "
                 "simulated peers")
      ->check(CLI::ExistingFile);
  cmd.add_option("--filter", a.filter,
                 "ID globs, GoogleTest style: POS1:POS2:-NEG1:NEG2");
  cmd.add_option("--tag", a.tags, "select cases with this tag (repeatable)");
  cmd.add_option("--requirement", a.requirements,
                 "select cases covering this requirement ID or glob "
                 "(repeatable)");
  cmd.add_option("--shard-index", a.shard_index,
                 "this shard (0-based); default GTEST_SHARD_INDEX");
  cmd.add_option("--total-shards", a.total_shards,
                 "number of shards; default GTEST_TOTAL_SHARDS");
}

std::string DefaultSuiteDir() {
  std::error_code ec;
  if (std::filesystem::is_directory("testcases", ec)) return "testcases";
  return std::string(OMAIOP_SOURCE_DIR) + "/testcases";
}

codec::Result<SelectedCampaign> SelectCampaign(const CampaignArgs& a) {
  SelectedCampaign c;
  c.iut = hs::SimulatedIut();
  if (!a.iut.empty()) {
    OMAIOP_ASSIGN_OR_RETURN(c.iut, hs::LoadIut(a.iut));
  }
  if (a.shard_index || a.total_shards) {
    if (!a.shard_index || !a.total_shards)
      return codec::Error("--shard-index and --total-shards go together",
                          codec::Diagnostic::kNoOffset, "");
    OMAIOP_ASSIGN_OR_RETURN(c.shard,
                            hs::MakeShard(*a.shard_index, *a.total_shards));
  } else {
    OMAIOP_ASSIGN_OR_RETURN(c.shard, hs::ShardFromEnvironment());
  }
  hs::LoadOptions lo;
  for (const auto& [k, v] : hs::IutVariables(c.iut))
    lo.extra_variables.push_back(k);
  OMAIOP_ASSIGN_OR_RETURN(
      c.suite,
      hs::LoadSuite(a.testcases.empty() ? DefaultSuiteDir() : a.testcases, lo));
  c.selected = hs::Select(c.suite.cases, {a.filter, a.tags, a.requirements});
  c.before_shard = c.selected.size();
  if (c.shard) c.selected = hs::ApplyShard(std::move(c.selected), *c.shard);
  return c;
}

}  // namespace omaiop::cli
