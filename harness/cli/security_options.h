// The --sec / --imsi / --pin options every command that signs a CP or DM push
// takes (encode cp|dm, cp compose), declared once so they read the same.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace omaiop::cli {

inline void AddSecurityOptions(CLI::App* cmd, std::string& sec,
                               std::string& imsi, std::string& pin) {
  cmd->add_option("--sec", sec, "security method (default none)")
      ->check(CLI::IsMember(
          {"none", "NETWPIN", "USERPIN", "USERNETWPIN", "USERPINMAC"}));
  cmd->add_option("--imsi", imsi, "IMSI (NETWPIN, USERNETWPIN)");
  cmd->add_option("--pin", pin,
                  "user PIN (USERPIN, USERNETWPIN) or, for USERPINMAC, the "
                  "first half K of the PIN");
}

}  // namespace omaiop::cli
