// Subcommands of the omaiop CLI, each registered by the file that implements
// it. main.cc only assembles them.
#pragma once

#include <CLI/CLI.hpp>

namespace omaiop::cli {

// Exit codes (SIPp-style contract, see README): 0 all pass / nothing wrong,
// 1 some check failed (a finding about the input or the IUT), 2 inconclusive
// or error verdicts only, 3 the tool itself failed (bad usage, unreadable
// file).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitInconc = 2;
inline constexpr int kExitToolFailure = 3;

// Each Register* adds a subcommand whose callback stores its exit code here.
struct CommandContext {
  int exit_code = kExitOk;
};

void RegisterCodecCommands(CLI::App& app, CommandContext& ctx);
void RegisterUiccCommands(CLI::App& app, CommandContext& ctx);
void RegisterCpCommands(CLI::App& app, CommandContext& ctx);
// `cp judge` under the `cp` command RegisterCpCommands creates.
void AddCpJudgeCommand(CLI::App& cp, CommandContext& ctx);
void RegisterReportCommands(CLI::App& app, CommandContext& ctx);
void RegisterListCommands(CLI::App& app, CommandContext& ctx);
void RegisterSmscCommands(CLI::App& app, CommandContext& ctx);
void RegisterDmCommands(CLI::App& app, CommandContext& ctx);
// `dm client` under the `dm` command RegisterDmCommands creates.
void AddDmClientCommand(CLI::App& dm, CommandContext& ctx);
void AddDmClientDefectsCommand(CLI::App& dm, CommandContext& ctx);
void RegisterRunCommands(CLI::App& app, CommandContext& ctx);

}  // namespace omaiop::cli
