// `omaiop dm client-defects`: the defect knobs of the simulated DM client
// (sim/handset/dm/client_defects.h), the fault names of role dm_server
// cases (<proven-by>, <fault>, `omaiop run --fault`).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "harness/cli/commands.h"
#include "sim/handset/dm/client_defects.h"

namespace omaiop::cli {

void AddDmClientDefectsCommand(CLI::App& dm, CommandContext& ctx) {
  auto as_json = std::make_shared<bool>(false);
  auto* c = dm.add_subcommand(
      "client-defects",
      "List the defect knobs of the simulated DM client (what role dm_server "
      "cases inject to prove they detect a non-conformant client)");
  c->add_flag("--json", *as_json, "print JSON");
  c->callback([&ctx, as_json] {
    namespace dm = sim::handset::dm;
    if (*as_json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& d : dm::AllDmClientDefects())
        j.push_back({{"name", d.name},
                     {"description", d.description},
                     {"rule", d.rule}});
      std::cout << j.dump(2) << "\n";
    } else {
      for (const auto& d : dm::AllDmClientDefects())
        std::cout << d.name << "\n    " << d.description
                  << "\n    breaks: " << d.rule << "\n";
    }
    ctx.exit_code = kExitOk;
  });
}

}  // namespace omaiop::cli
