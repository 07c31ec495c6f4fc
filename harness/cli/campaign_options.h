// The campaign selection `omaiop list` and `omaiop run` share: the options
// (test-case directory, IUT description, ID filter, tags, requirements,
// shard) and turning them into the selected test cases, so both commands
// select exactly the same campaign.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "codec/result.h"
#include "harness/script/iut.h"
#include "harness/script/selection.h"

namespace omaiop::cli {

struct CampaignArgs {
  std::string testcases;
  std::string iut;
  std::string filter;
  std::vector<std::string> tags;
  std::vector<std::string> requirements;
  std::optional<long long> shard_index, total_shards;
};

// Adds --testcases --iut --filter --tag --requirement --shard-index
// --total-shards to `cmd`.
void AddCampaignOptions(CLI::App& cmd, CampaignArgs& args);

struct SelectedCampaign {
  harness::script::Iut iut;      // loaded, or the simulated peers
  harness::script::Suite suite;  // owns the cases `selected` points into
  std::vector<const harness::script::TestCase*> selected;
  std::size_t before_shard = 0;  // selected before sharding
  std::optional<harness::script::ShardSpec> shard;

  // `selected` points into `suite.cases`: a move keeps the vector's buffer,
  // a copy would not.
  SelectedCampaign() = default;
  SelectedCampaign(SelectedCampaign&&) = default;
  SelectedCampaign& operator=(SelectedCampaign&&) = default;
  SelectedCampaign(const SelectedCampaign&) = delete;
  SelectedCampaign& operator=(const SelectedCampaign&) = delete;
};

// ./testcases when run from a checkout, else the suite of the source tree
// the binary was built from (scripts/run runs it from anywhere).
std::string DefaultSuiteDir();

// Loads the IUT and the suite, selects and shards. Files that fail to load
// are in suite.errors (the rest still load); a bad IUT file, bad shard
// options or an unreadable directory are errors.
codec::Result<SelectedCampaign> SelectCampaign(const CampaignArgs& args);

}  // namespace omaiop::cli
